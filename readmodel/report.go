package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/reports"
)

var _ reports.Store = (*DB)(nil)

// where returns the SQL condition and arguments selecting f's operations.
func where(f reports.Filter) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	if !f.From.IsZero() {
		conds = append(conds, "business_date >= ?")
		args = append(args, f.From.Format(domain.BusinessDateLayout))
	}
	if !f.To.IsZero() {
		// To is inclusive: everything before the next day's midnight.
		conds = append(conds, "business_date < ?")
		args = append(args, f.To.AddDate(0, 0, 1).Format(domain.BusinessDateLayout))
	}
	if len(f.Products) > 0 {
		conds = append(conds, "product_id IN ("+placeholders(len(f.Products))+")")
		for _, p := range f.Products {
			args = append(args, p)
		}
	}
	return strings.Join(conds, " AND "), args
}

// ProductTotals implements reports.Store. For all time it reads the totals the
// projection keeps per product (migrations 004 and 008: a void takes its operation's
// part back); for a period it aggregates the ledger's rows in effect.
func (d *DB) ProductTotals(ctx context.Context, f reports.Filter) ([]reports.ProductTotals, error) {
	cond, args := where(f)
	query := `SELECT product_id, sales, restocks, sold_cents, restocked_cents, adjustments, adjusted_cents FROM product_totals
		WHERE ` + cond + ` AND sales + restocks + adjustments > 0 ORDER BY product_id`
	if !f.From.IsZero() || !f.To.IsZero() {
		// Over all products, one pass over the table and a hash of 1,000 groups beats
		// walking the per-product index, which costs a row lookup per operation.
		from := "ledger NOT INDEXED"
		if len(f.Products) > 0 {
			from = "ledger"
		}
		query = `SELECT product_id,
			count(*) FILTER (WHERE event_type = 'StockSold'),
			count(*) FILTER (WHERE event_type = 'StockRestocked'),
			coalesce(sum(qty_cents) FILTER (WHERE event_type = 'StockSold'), 0),
			coalesce(sum(qty_cents) FILTER (WHERE event_type = 'StockRestocked'), 0),
			count(*) FILTER (WHERE event_type IN ('StockAdjusted', 'StockCounted')),
			coalesce(sum(delta_cents) FILTER (WHERE event_type IN ('StockAdjusted', 'StockCounted')), 0)
		FROM ` + from + ` WHERE ` + cond + ` AND ` + effective + ` GROUP BY product_id ORDER BY product_id`
	}
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("product totals: %w", err)
	}
	defer rows.Close()
	var out []reports.ProductTotals
	for rows.Next() {
		var t reports.ProductTotals
		if err := rows.Scan(&t.Product, &t.Sales, &t.Restocks, &t.SoldCents, &t.RestockedCents, &t.Adjustments, &t.AdjustedCents); err != nil {
			return nil, fmt.Errorf("product totals: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// PeriodTotals implements reports.Store: over all products from the totals the
// projection keeps per day (migration 004), for some products from their ledger rows in
// effect. The units adjusted in and out are summed from the ledger's adjustments and
// counts alone, through ledger_type_qty: the day totals keep only their net, and they
// are few.
func (d *DB) PeriodTotals(ctx context.Context, f reports.Filter, bucket reports.Bucket) ([]reports.PeriodTotals, error) {
	day := "substr(business_date, 1, 10)"
	key := map[reports.Bucket]string{
		reports.Day:   "%s",
		reports.Week:  "date(%s, '-6 days', 'weekday 1')", // the Monday starting the week: a Monday is its own
		reports.Month: "substr(%s, 1, 7) || '-01'",
	}[bucket]
	if key == "" {
		return nil, fmt.Errorf("period totals: unknown bucket %q", bucket)
	}
	cond, args := where(f)
	acond := cond
	if len(f.Products) == 0 {
		// A unary + keeps the planner on ledger_type_qty, which finds the few adjustments
		// and counts, rather than on ledger_date, which reads a period's every row.
		acond = strings.ReplaceAll(cond, "business_date", "+business_date")
	}
	adjusted := `SELECT ` + fmt.Sprintf(key, day) + ` AS b, 0 AS sold, 0 AS restocked,
			coalesce(sum(delta_cents) FILTER (WHERE delta_cents > 0), 0) AS adj_in,
			coalesce(-sum(delta_cents) FILTER (WHERE delta_cents < 0), 0) AS adj_out
		FROM ledger WHERE ` + acond + ` AND event_type IN ('StockAdjusted', 'StockCounted') AND ` + effective + ` GROUP BY b`
	moved := `SELECT ` + fmt.Sprintf(key, day) + ` AS b,
			coalesce(sum(qty_cents) FILTER (WHERE event_type = 'StockSold'), 0),
			coalesce(sum(qty_cents) FILTER (WHERE event_type = 'StockRestocked'), 0), 0, 0
		FROM ledger WHERE ` + cond + ` AND ` + effective + ` GROUP BY b`
	movedArgs := args
	if len(f.Products) == 0 {
		dcond := "1 = 1"
		movedArgs = nil
		if !f.From.IsZero() {
			dcond += " AND day >= ?"
			movedArgs = append(movedArgs, f.From.Format("2006-01-02"))
		}
		if !f.To.IsZero() {
			dcond += " AND day <= ?"
			movedArgs = append(movedArgs, f.To.Format("2006-01-02"))
		}
		moved = `SELECT ` + fmt.Sprintf(key, "day") + ` AS b, sum(sold_cents), sum(restocked_cents), 0, 0
			FROM day_totals WHERE ` + dcond + ` AND sales + restocks > 0 GROUP BY b`
	}
	rows, err := d.db.QueryContext(ctx, `SELECT b, sum(sold), sum(restocked), sum(adj_in), sum(adj_out) FROM (`+
		adjusted+` UNION ALL `+moved+`) GROUP BY b ORDER BY b`, append(append([]any{}, args...), movedArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("period totals: %w", err)
	}
	defer rows.Close()
	var out []reports.PeriodTotals
	for rows.Next() {
		var p reports.PeriodTotals
		var start string
		if err := rows.Scan(&start, &p.SoldCents, &p.RestockedCents, &p.AdjustedInCents, &p.AdjustedOutCents); err != nil {
			return nil, fmt.Errorf("period totals: %w", err)
		}
		if p.Start, err = time.Parse("2006-01-02", start); err != nil {
			return nil, fmt.Errorf("period totals: bucket %q: %w", start, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// StockSeries implements reports.Store: the product's balance at the end of each of its
// business dates in the period, read from the balances table (migration 007), one row a
// date, so a backdated operation moves every later point as it moves the stock.
func (d *DB) StockSeries(ctx context.Context, f reports.Filter, product string) ([]reports.StockPoint, error) {
	var out []reports.StockPoint
	add := func(date string, cents int64) error {
		t, err := time.Parse(domain.BusinessDateLayout, date)
		if err != nil {
			return fmt.Errorf("stock series: %w", err)
		}
		out = append(out, reports.StockPoint{Date: t, Cents: cents})
		return nil
	}
	if !f.From.IsZero() {
		// The level the period starts at: the balance of the last date before it.
		var cents int64
		err := d.db.QueryRowContext(ctx, `SELECT end_cents FROM balances
			WHERE product_id = ? AND business_date < ? ORDER BY business_date DESC LIMIT 1`,
			product, f.From.Format(domain.BusinessDateLayout)).Scan(&cents)
		if err == nil {
			if err := add(f.From.Format(domain.BusinessDateLayout), cents); err != nil {
				return nil, err
			}
		}
	}
	g := f
	g.Products = []string{product}
	cond, args := where(g)
	rows, err := d.db.QueryContext(ctx, `SELECT business_date, end_cents FROM balances WHERE `+cond+`
		ORDER BY business_date`, args...)
	if err != nil {
		return nil, fmt.Errorf("stock series: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var date string
		var cents int64
		if err := rows.Scan(&date, &cents); err != nil {
			return nil, fmt.Errorf("stock series: %w", err)
		}
		if err := add(date, cents); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

// stockAfter is the balance after a ledger row in business-date order (migration 007):
// its date's opening balance plus the row's running total within the date, one probe of
// the balances primary key. ledger.stock_cents is only what the row's writer was told,
// which a later backdated operation makes wrong.
const stockAfter = `(SELECT b.end_cents - b.net_cents FROM balances AS b
	WHERE b.product_id = ledger.product_id AND b.business_date = ledger.business_date) + ledger.date_cents`

// CurrentStock implements reports.Store.
func (d *DB) CurrentStock(ctx context.Context, f reports.Filter, limit int) ([]reports.StockLevel, int, error) {
	from, args := stockAt(f)
	var total int
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM `+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("current stock: %w", err)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT product_id, stock_cents, last_date FROM `+from+`
		ORDER BY stock_cents, product_id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, 0, fmt.Errorf("current stock: %w", err)
	}
	defer rows.Close()
	var out []reports.StockLevel
	for rows.Next() {
		var s reports.StockLevel
		if err := rows.Scan(&s.Product, &s.Cents, &s.LastDate); err != nil {
			return nil, 0, fmt.Errorf("current stock: %w", err)
		}
		out = append(out, s)
	}
	return out, total, rows.Err()
}

// StockCounts implements reports.Store.
func (d *DB) StockCounts(ctx context.Context, f reports.Filter, low int64) (int, int, error) {
	from, args := stockAt(f)
	var zero, lowCount int
	err := d.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE stock_cents = 0),
		count(*) FILTER (WHERE stock_cents <= ?) FROM `+from, append([]any{low}, args...)...).Scan(&zero, &lowCount)
	if err != nil {
		return 0, 0, fmt.Errorf("stock counts: %w", err)
	}
	return zero, lowCount, nil
}

// stockAt returns a FROM clause, and its arguments, giving f's products' product_id,
// stock_cents and last_date at the end of f.AsOf: the stock table now, or each product's
// last balances row dated before the next day (two probes of the balances key per
// product), leaving out the products with no operation by then.
func stockAt(f reports.Filter) (string, []any) {
	cond, args := where(reports.Filter{Products: f.Products})
	if f.AsOf.IsZero() {
		return `stock WHERE ` + cond, args
	}
	end := f.AsOf.AddDate(0, 0, 1).Format(domain.BusinessDateLayout)
	return `(SELECT product_id, stock_cents, last_date FROM (SELECT s.product_id,
		(SELECT b.end_cents FROM balances AS b WHERE b.product_id = s.product_id AND b.business_date < ?
			ORDER BY b.business_date DESC LIMIT 1) AS stock_cents,
		(SELECT max(b.business_date) FROM balances AS b WHERE b.product_id = s.product_id AND b.business_date < ?) AS last_date
		FROM stock AS s WHERE ` + cond + `) WHERE last_date IS NOT NULL)`, append([]any{end, end}, args...)
}

// Operations implements reports.Store.
func (d *DB) Operations(ctx context.Context, f reports.Filter, limit int) ([]reports.Operation, error) {
	return d.operations(ctx, f, "business_date DESC, id DESC", limit)
}

func (d *DB) operations(ctx context.Context, f reports.Filter, order string, limit int) ([]reports.Operation, error) {
	cond, args := where(f)
	rows, err := d.db.QueryContext(ctx, `SELECT business_date, product_id, event_type, qty_cents, `+stockAfter+`, recorded_by, note,
		delta_cents, reason, coalesce(corrects, '') FROM ledger WHERE `+cond+` AND `+effective+` ORDER BY `+order+` LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("operations: %w", err)
	}
	defer rows.Close()
	var out []reports.Operation
	for rows.Next() {
		var o reports.Operation
		var typ string
		if err := rows.Scan(&o.Date, &o.Product, &typ, &o.QtyCents, &o.StockCents, &o.RecordedBy, &o.Note, &o.DeltaCents, &o.Reason, &o.Corrects); err != nil {
			return nil, fmt.Errorf("operations: %w", err)
		}
		o.Type = listedType(typ)
		out = append(out, o)
	}
	return out, rows.Err()
}

// RecentOperations implements reports.Store: the last accepted operations in the order
// they were recorded, newest first, read backwards along the ledger's row IDs.
func (d *DB) RecentOperations(ctx context.Context, f reports.Filter, limit int) ([]reports.Operation, error) {
	return d.operations(ctx, f, "id DESC", limit)
}

// Rejected implements reports.Store.
func (d *DB) Rejected(ctx context.Context, f reports.Filter, limit int) ([]reports.Rejection, int, error) {
	cond, args := where(f)
	var total int
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM rejected_events WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("rejected: %w", err)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT business_date, product_id, event_type, reason, detail, qty_cents, recorded_by
		FROM rejected_events WHERE `+cond+` ORDER BY business_date DESC, position DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, 0, fmt.Errorf("rejected: %w", err)
	}
	defer rows.Close()
	var out []reports.Rejection
	for rows.Next() {
		var r reports.Rejection
		var typ string
		if err := rows.Scan(&r.Date, &r.Product, &typ, &r.Reason, &r.Detail, &r.QtyCents, &r.RecordedBy); err != nil {
			return nil, 0, fmt.Errorf("rejected: %w", err)
		}
		if r.Type = listedType(typ); r.Type == typ {
			r.Type = repairKinds[domain.EventType(typ)] // a void or a correction refused
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// KnownProducts implements reports.Store.
func (d *DB) KnownProducts(ctx context.Context, products []string) ([]string, error) {
	if len(products) == 0 {
		return nil, nil
	}
	args := make([]any, len(products))
	for i, p := range products {
		args[i] = p
	}
	rows, err := d.db.QueryContext(ctx, `SELECT product_id FROM stock WHERE product_id IN (`+placeholders(len(products))+`)
		UNION SELECT product_id FROM rejected_events WHERE product_id IN (`+placeholders(len(products))+`)`,
		append(args, args...)...)
	if err != nil {
		return nil, fmt.Errorf("known products: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ExportRow is one accepted operation: the original format's fields, and with
// EachOperationDetail the rest of its ledger row (zero from EachOperation).
type ExportRow struct {
	Date        time.Time
	Product     string
	SignedCents int64 // negative for a sale, an adjustment out or a count below the ledger; a transfer's quantity
	StockCents  int64 // for a voided operation, the stock it left untouched
	// Type is the operations view's operation_type (sales, replenishment, adjustment_in,
	// adjustment_out, count_in, count_out, count), or "voided".
	Type string

	Seq        int64 // the product's operation number, from 1
	EventID    string
	EventType  string // StockSold, StockRestocked, StockAdjusted or StockCounted
	CommandID  string
	RecordedAt string // RFC 3339, UTC, as the event has it
	RecordedBy string
	Note       string
	Partition  int32
	Offset     int64
	Location   string         // where it happened; a transfer's source
	To         sql.NullString // a transfer's destination
	Reason     string         // an adjustment's reason code, a count's or a correction's reason
	Counted    sql.NullInt64  // a count's counted hundredths
	Corrects   sql.NullString // for a correction's operation, the event ID it replaced
	VoidedBy   sql.NullString // the void or correction that cancelled it
	VoidedAt   sql.NullString
	VoidReason sql.NullString // that void's or correction's reason
}

// operationType is the operations view's operation_type of a ledger row, "voided" for a
// row a void or a correction cancelled.
const operationType = `CASE WHEN voided_by IS NOT NULL THEN 'voided' ELSE CASE event_type
	WHEN 'StockSold' THEN 'sales'
	WHEN 'StockRestocked' THEN 'replenishment'
	WHEN 'StockAdjusted' THEN iif(delta_cents < 0, 'adjustment_out', 'adjustment_in')
	WHEN 'StockTransferred' THEN 'transfer'
	ELSE CASE WHEN delta_cents < 0 THEN 'count_out' WHEN delta_cents > 0 THEN 'count_in' ELSE 'count' END
	END END`

// stockAround is stockAfter for a row in effect, and for a voided row the stock after the
// rows in effect before it: a voided row's date_cents is left as it was when voided.
const stockAround = `CASE WHEN voided_by IS NULL THEN ` + stockAfter + ` ELSE
	(SELECT b.end_cents - b.net_cents FROM balances AS b
	 WHERE b.product_id = ledger.product_id AND b.business_date = ledger.business_date) +
	coalesce((SELECT e.date_cents FROM ledger AS e WHERE e.product_id = ledger.product_id
	 AND e.business_date = ledger.business_date AND e.voided_by IS NULL AND e.product_seq < ledger.product_seq
	 ORDER BY e.product_seq DESC LIMIT 1), 0) END`

// EachOperation calls fn with every accepted operation in f in business-date order, as
// the original file lists them (operations of one date by product, each product's in the
// order the ledger accepted them: the same on every replay, whatever the partitions),
// each with the stock after it in that order, so the stock column never contradicts
// itself. Importing the file into an empty ledger in that
// order accepts every row: no balance of it is negative at any date. Voided operations
// are left out.
func (d *DB) EachOperation(ctx context.Context, f reports.Filter, fn func(ExportRow) error) error {
	return d.eachOperation(ctx, f, false, false, fn)
}

// EachOperationDetail is EachOperation with the event's metadata too. It is a second
// method because reading those columns in one query for all formats made the CSV export,
// which does not write them, take two thirds more CPU time (a million operations).
func (d *DB) EachOperationDetail(ctx context.Context, f reports.Filter, fn func(ExportRow) error) error {
	return d.eachOperation(ctx, f, true, true, fn)
}

// EachOperationWithVoided is EachOperation with the operations a void or a correction
// cancelled, in their place (Type "voided", VoidedBy, VoidedAt and VoidReason set), and
// the stock after each: for a voided one, the stock it left untouched.
// EachOperationDetail lists them too.
func (d *DB) EachOperationWithVoided(ctx context.Context, f reports.Filter, fn func(ExportRow) error) error {
	return d.eachOperation(ctx, f, false, true, fn)
}

func (d *DB) eachOperation(ctx context.Context, f reports.Filter, detail, voided bool, fn func(ExportRow) error) error {
	var r ExportRow
	var date string
	stock := stockAfter
	if voided {
		stock = stockAround
	}
	// A transfer moves its product by 0: its quantity is what it moved between locations.
	cols := `business_date, product_id, iif(event_type = 'StockTransferred', qty_cents, delta_cents), ` + stock + `, ` + operationType
	dest := []any{&date, &r.Product, &r.SignedCents, &r.StockCents, &r.Type}
	if voided {
		// The subquery only for a voided row: for the others it would cost an index probe.
		cols += `, voided_by, voided_at, CASE WHEN voided_by IS NOT NULL THEN
			(SELECT r.reason FROM repairs AS r WHERE r.event_id = ledger.voided_by LIMIT 1) END`
		dest = append(dest, &r.VoidedBy, &r.VoidedAt, &r.VoidReason)
	}
	if detail {
		cols += `, product_seq, event_id, event_type, command_id, recorded_at, recorded_by, note, partition, "offset",
			reason, counted_cents, corrects, location, to_location`
		dest = append(dest, &r.Seq, &r.EventID, &r.EventType, &r.CommandID, &r.RecordedAt, &r.RecordedBy, &r.Note,
			&r.Partition, &r.Offset, &r.Reason, &r.Counted, &r.Corrects, &r.Location, &r.To)
	}
	cond, args := where(f)
	if !voided {
		cond = "voided_by IS NULL AND " + cond
	}
	if !detail {
		// A transfer moves no product's stock: the original format has no row for it.
		cond = "event_type != 'StockTransferred' AND " + cond
	}
	rows, err := d.db.QueryContext(ctx, `SELECT `+cols+` FROM ledger WHERE `+cond+` ORDER BY business_date, product_id, product_seq`, args...)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if r.Date, err = time.Parse(domain.BusinessDateLayout, date); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
