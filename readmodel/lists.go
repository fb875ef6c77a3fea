package readmodel

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/reports"
)

// ProductRow is one product as the products list shows it: its current stock and what
// moved it over all time. Quantities are in hundredths.
type ProductRow struct {
	Product        string
	StockCents     int64
	Operations     int64 // operations in effect: sales, restocks, adjustments and counts
	LastDate       string
	SoldCents      int64
	RestockedCents int64
}

// ProductRows returns every product with an accepted operation, ordered by ID. The list
// page sorts, searches and pages them in memory: one read of the stock and the totals
// migration 004 keeps costs about a millisecond for 1,500 products, and search must fold
// case beyond ASCII, which SQLite's lower() does not.
func (d *DB) ProductRows(ctx context.Context) ([]ProductRow, error) {
	// The operations are the totals' (a void takes its operation's part back), not the
	// product's sequence number, which counts the voids themselves too.
	rows, err := d.db.QueryContext(ctx, `SELECT s.product_id, s.stock_cents, coalesce(t.sales + t.restocks + t.adjustments, 0), s.last_date,
		coalesce(t.sold_cents, 0), coalesce(t.restocked_cents, 0)
		FROM stock s LEFT JOIN product_totals t USING (product_id) ORDER BY s.product_id`)
	if err != nil {
		return nil, fmt.Errorf("product list: %w", err)
	}
	defer rows.Close()
	var out []ProductRow
	for rows.Next() {
		var p ProductRow
		if err := rows.Scan(&p.Product, &p.StockCents, &p.Operations, &p.LastDate, &p.SoldCents, &p.RestockedCents); err != nil {
			return nil, fmt.Errorf("product list: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// OperationQuery selects and orders accepted operations for the operations page and its
// downloads.
type OperationQuery struct {
	// From and To are inclusive business dates; zero means unbounded.
	From, To time.Time
	// Product is a stored product ID; "" selects every product.
	Product string
	// Type is one of OperationTypes, or "" for every operation in effect.
	Type string
	// Sort is one of OperationSorts; "" is "-date".
	Sort string
}

// ListedOperation is one accepted operation as the operations page lists it.
type ListedOperation struct {
	Date       string // business date, domain.BusinessDateLayout
	Product    string
	Type       string // one of OperationTypes
	QtyCents   int64  // the size of the movement; for a count, of the difference found
	StockCents int64  // after the operation, in business-date order
	RecordedAt string
	RecordedBy string
	Note       string
	// DeltaCents is the signed movement: what tells an adjustment or a count that took
	// units out from one that added them.
	DeltaCents int64
	// Reason is an adjustment's reason code, or a count's or a correction's reason.
	Reason string
}

// OperationTypes are the types OperationQuery.Type takes and ListedOperation.Type and
// reports.Operation.Type name: a correction's operation has the type it corrected.
var OperationTypes = []string{"sale", "restock", "adjustment", "count"}

// eventTypes are the ledger's event types of OperationTypes.
var eventTypes = map[string]domain.EventType{
	"sale": domain.TypeStockSold, "restock": domain.TypeStockRestocked,
	"adjustment": domain.TypeStockAdjusted, "count": domain.TypeStockCounted,
}

// listedType names a ledger row's event type as the lists and reports do.
func listedType(t string) string {
	for name, e := range eventTypes {
		if string(e) == t {
			return name
		}
	}
	return t
}

// orderSpec is one order of the list: a key column and a column that breaks its ties
// ("" when the key is unique).
type orderSpec struct {
	key, tie string
	keyInt   bool
}

// orders are the list's orders by name; a leading "-" reverses one. "recorded" is the
// order the ledger accepted operations in, its row IDs, as the dashboard's recent list.
var orders = map[string]orderSpec{
	"date":     {key: "business_date", tie: "id"},
	"recorded": {key: "id", keyInt: true},
	"product":  {key: "product_id", tie: "product_seq"},
	"quantity": {key: "qty_cents", tie: "id", keyInt: true},
}

// OperationSorts are the sorts OperationQuery.Sort takes.
var OperationSorts = []string{"-date", "date", "-recorded", "recorded", "product", "-product", "-quantity", "quantity"}

func order(sort string) (orderSpec, bool, error) {
	if sort == "" {
		sort = "-date"
	}
	desc := strings.HasPrefix(sort, "-")
	o, ok := orders[strings.TrimPrefix(sort, "-")]
	if !ok {
		return o, false, queryErrorf("sort %q: use one of %s", sort, strings.Join(OperationSorts, ", "))
	}
	return o, desc, nil
}

// QueryError is a list's sort, type or cursor that this read model does not make: the
// caller's to fix, with a message to show.
type QueryError struct{ Msg string }

func (e *QueryError) Error() string { return e.Msg }

func queryErrorf(format string, args ...any) error {
	return &QueryError{Msg: fmt.Sprintf(format, args...)}
}

// listWhere returns the condition and arguments selecting q's operations.
func listWhere(q OperationQuery) (string, []any, error) {
	var products []string
	if q.Product != "" {
		products = []string{q.Product}
	}
	// The report's condition for the dates and the product (SQLite reads an IN of one
	// value as an equality, index and all), and the type.
	// Only operations in effect: a voided one, and the operation a correction replaced,
	// are in history, not in the lists.
	cond, args := where(reports.Filter{From: q.From, To: q.To, Products: products})
	cond += " AND " + effective
	if q.Type != "" {
		e, ok := eventTypes[q.Type]
		if !ok {
			return "", nil, queryErrorf("type %q: use one of %s, or leave it empty for all", q.Type, strings.Join(OperationTypes, ", "))
		}
		cond += " AND event_type = '" + string(e) + "'"
	}
	return cond, args, nil
}

// listColumns are a page row's columns: date_cents where the stock goes, which
// withOpenings makes the stock after the row in business-date order.
const listColumns = `business_date, product_id, event_type, qty_cents, date_cents, recorded_at, recorded_by, note, delta_cents, reason`

// effective keeps the ledger rows in effect: not voided, nor replaced by a correction.
const effective = "voided_by IS NULL"

// withOpenings adds to each row's running total within its date (date_cents) the
// balance its date opened with, from balances: the stock after the row in business-date
// order. It is read once the page's rows are chosen, one probe of the balances key per
// product and date: in the select of a query that sorts, SQLite would probe for every
// row it sorts (10,538 probes, 10 ms more, for the first days latest recorded first).
func (d *DB) withOpenings(ctx context.Context, rows []ListedOperation) error {
	type day struct{ product, date string }
	open := map[day]int64{}
	var values []string
	var args []any
	for _, r := range rows {
		k := day{r.Product, r.Date}
		if _, ok := open[k]; !ok {
			open[k] = 0
			values = append(values, "(?, ?)")
			args = append(args, r.Product, r.Date)
		}
	}
	if len(values) == 0 {
		return nil
	}
	q, err := d.db.QueryContext(ctx, `WITH k (p, d) AS (VALUES `+strings.Join(values, ", ")+`)
		SELECT k.p, k.d, b.end_cents - b.net_cents FROM k JOIN balances AS b ON b.product_id = k.p AND b.business_date = k.d`, args...)
	if err != nil {
		return fmt.Errorf("operations: %w", err)
	}
	defer q.Close()
	for q.Next() {
		var k day
		var cents int64
		if err := q.Scan(&k.product, &k.date, &cents); err != nil {
			return fmt.Errorf("operations: %w", err)
		}
		open[k] = cents
	}
	if err := q.Err(); err != nil {
		return fmt.Errorf("operations: %w", err)
	}
	for i, r := range rows {
		rows[i].StockCents += open[day{r.Product, r.Date}]
	}
	return nil
}

// CountOperations counts q's operations. Without a product, and for a product over all
// time, it adds up the totals migrations 004 and 008 keep per day and per product
// (operations in effect only: a void takes its operation's part back) instead of counting
// a million ledger rows; a product over a period counts its rows by index. The totals
// keep adjustments and counts as one number: either type alone is counted in the ledger,
// through ledger_type_qty, since there are few.
func (d *DB) CountOperations(ctx context.Context, q OperationQuery) (int64, error) {
	var sales, restocks, adjusted int64
	var err error
	switch {
	case q.Type == "adjustment" || q.Type == "count":
		cond, args, werr := listWhere(q)
		if werr != nil {
			return 0, werr
		}
		err = d.db.QueryRowContext(ctx, `SELECT count(*) FROM ledger WHERE `+cond, args...).Scan(&adjusted)
		if err != nil {
			return 0, fmt.Errorf("count operations: %w", err)
		}
		return adjusted, nil
	case q.Product == "":
		from, to := "0000-00-00", "9999-99-99"
		if !q.From.IsZero() {
			from = q.From.Format("2006-01-02")
		}
		if !q.To.IsZero() {
			to = q.To.Format("2006-01-02")
		}
		err = d.db.QueryRowContext(ctx, `SELECT coalesce(sum(sales), 0), coalesce(sum(restocks), 0), coalesce(sum(adjustments), 0)
			FROM day_totals WHERE day >= ? AND day <= ?`, from, to).Scan(&sales, &restocks, &adjusted)
	case q.From.IsZero() && q.To.IsZero():
		err = d.db.QueryRowContext(ctx, `SELECT coalesce(sum(sales), 0), coalesce(sum(restocks), 0), coalesce(sum(adjustments), 0)
			FROM product_totals WHERE product_id = ?`, q.Product).Scan(&sales, &restocks, &adjusted)
	default:
		cond, args, werr := listWhere(OperationQuery{From: q.From, To: q.To, Product: q.Product})
		if werr != nil {
			return 0, werr
		}
		err = d.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE event_type = 'StockSold'),
			count(*) FILTER (WHERE event_type = 'StockRestocked'), count(*) FILTER (WHERE event_type IN ('StockAdjusted', 'StockCounted'))
			FROM ledger WHERE `+cond, args...).Scan(&sales, &restocks, &adjusted)
	}
	if err != nil {
		return 0, fmt.Errorf("count operations: %w", err)
	}
	switch q.Type {
	case "sale":
		return sales, nil
	case "restock":
		return restocks, nil
	case "":
	default:
		return 0, queryErrorf("type %q: use one of %s, or leave it empty for all", q.Type, strings.Join(OperationTypes, ", "))
	}
	return sales + restocks + adjusted, nil
}

// EachListedOperation calls fn with every operation q selects, in q's order. It reads
// them a page of downloadBatch rows at a time, by the pages' cursors, and calls fn after
// each page is read: a download to a slow client holds no connection, and no read
// snapshot that would keep the log file from being checkpointed, while it waits on the
// client (four slow downloads once held serve's four read connections for hours, and
// every page waited). Operations accepted meanwhile may show up in a later page; the
// pages' order keeps any row from showing twice.
func (d *DB) EachListedOperation(ctx context.Context, q OperationQuery, fn func(ListedOperation) error) error {
	after := ""
	for {
		page, err := d.OperationsPage(ctx, q, after, "", downloadBatch)
		if err != nil {
			return err
		}
		for _, op := range page.Rows {
			if err := fn(op); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		after = page.Next
	}
}

// downloadBatch is how many rows a download reads at once: a few megabytes at most.
const downloadBatch = 5000

func (o orderSpec) orderBy(desc, plain bool) string {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	key, tie := o.key, o.tie
	if plain {
		key, tie = "+"+key, "+"+tie
	}
	if o.tie == "" {
		return key + dir
	}
	return key + dir + ", " + tie + dir
}
