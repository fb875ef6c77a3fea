package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/domain"
)

// StockLevel is one product's current stock.
type StockLevel struct {
	Product  string `json:"product"`
	Stock    string `json:"stock"`
	Seq      int64  `json:"operations"`
	LastDate string `json:"last_operation_date"`
}

// StockLevels returns the current stock of the given products, or of every product when
// none is given, ordered by product ID. Products never seen are left out.
func (d *DB) StockLevels(ctx context.Context, products ...string) ([]StockLevel, error) {
	query := `SELECT product_id, seq, stock_cents, last_date FROM stock`
	args := make([]any, len(products))
	for i, p := range products {
		args[i] = p
	}
	if len(products) > 0 {
		query += ` WHERE product_id IN (` + placeholders(len(products)) + `)`
	}
	rows, err := d.db.QueryContext(ctx, query+` ORDER BY product_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("stock levels: %w", err)
	}
	defer rows.Close()
	var out []StockLevel
	for rows.Next() {
		var s StockLevel
		var cents int64
		if err := rows.Scan(&s.Product, &s.Seq, &cents, &s.LastDate); err != nil {
			return nil, fmt.Errorf("stock levels: %w", err)
		}
		s.Stock = centsString(cents)
		out = append(out, s)
	}
	return out, rows.Err()
}

// Snapshot returns the product's current state as the read model has it.
func (d *DB) Snapshot(ctx context.Context, p domain.ProductID) (domain.Snapshot, error) {
	var seq, cents, net int64
	var last string
	var spread bool
	err := d.db.QueryRowContext(ctx, `SELECT seq, stock_cents, last_date, date_net_cents, spread FROM stock WHERE product_id = ?`,
		p.String()).Scan(&seq, &cents, &last, &net, &spread)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Snapshot{Product: p}, nil
	}
	if err != nil {
		return domain.Snapshot{}, fmt.Errorf("snapshot: %w", err)
	}
	// DateNet, as the projection's own snapshot has it: a command deciding an operation
	// of the latest date starts that date's running total from it.
	snap, err := snapshot(p, seq, cents, last)
	snap.DateNet = net
	if err == nil && spread {
		// Read apart from the stock row: a projection may commit in between, and the
		// writer's decision is checked by the log's rule anyway.
		snap.Places, err = placeStockOf(ctx, d.db, p)
	}
	return snap, err
}

// HistoryEntry is one operation on a product, accepted or rejected, in business-date
// order.
type HistoryEntry struct {
	Date string `json:"date"`
	// Type is "sale", "restock", "adjustment", "count", or for a repair that has no
	// operation of its own, "void".
	Type string `json:"type"`
	// Quantity is what was sold, restocked, adjusted or counted (a count's difference is
	// Delta); for a void, the quantity of the operation it cancelled.
	Quantity string `json:"quantity"`
	Stock    string `json:"stock,omitempty"` // stock after an operation in effect, in business-date order
	// Status is "accepted", "rejected", or "voided" for an accepted operation a void or a
	// correction cancelled.
	Status string `json:"status"`
	// VoidedBy is the event ID of the void or correction that cancelled this operation,
	// with its reason; Target, on a void or a correction, the event ID it cancelled: the
	// links both ways.
	VoidedBy   string `json:"voided_by,omitempty"`
	VoidReason string `json:"void_reason,omitempty"`
	Target     string `json:"target,omitempty"`
	// RepairReason is why a void, correction, count or adjustment was made (an
	// adjustment's reason code).
	RepairReason string `json:"repair_reason,omitempty"`
	// Signed movement of an adjustment or count ("-3.00"), and a count's quantities.
	Delta      string `json:"delta,omitempty"`
	Counted    string `json:"counted,omitempty"`
	Expected   string `json:"expected,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Detail     string `json:"detail,omitempty"`
	RecordedAt string `json:"recorded_at"`
	RecordedBy string `json:"recorded_by"`
	Note       string `json:"note,omitempty"`
	EventID    string `json:"event_id"`
	Partition  int32  `json:"partition"`
	Offset     int64  `json:"offset"`
	// Location is where an operation happened or was refused (a transfer's source), To a
	// transfer's destination.
	Location string `json:"location,omitempty"`
	To       string `json:"to,omitempty"`
}

// History returns every operation on product p, rejected ones included, in business-date
// order and log order within a date, each accepted one with the stock right after it in
// that order: the balance once every operation dated before it, and those of its date
// logged before it, apply.
func (d *DB) History(ctx context.Context, p string) ([]HistoryEntry, error) {
	return d.HistoryAt(ctx, p, asof.Moment{})
}

// HistoryPage returns up to n operations on product p, latest business date first (the
// latest logged first within a date), skipping the first skip, and how many operations
// there are in all (a void counts as one): one page of a product page's history, a void
// right before its target. Each part of the union reads only p's rows, through the
// ledger_product, repairs_product and rejected_events_product indexes, so a page costs
// what the product's operations cost to sort, not what the ledger holds.
func (d *DB) HistoryPage(ctx context.Context, p string, skip, n int) ([]HistoryEntry, int, error) {
	var total int
	if err := d.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM ledger WHERE product_id = ?1)
		+ (SELECT count(*) FROM rejected_events WHERE product_id = ?1)
		+ (SELECT count(*) FROM repairs WHERE product_id = ?1 AND event_type = ?2)`, p, string(domain.TypeOperationVoided)).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("history: %w", err)
	}
	if skip >= total {
		return nil, total, nil
	}
	q, args := historyQuery(p, asof.Moment{})
	out, err := d.history(ctx, q+` ORDER BY 10 DESC, 20 DESC, 21 DESC, 22 DESC LIMIT ? OFFSET ?`, append(args, n, skip)...)
	return out, total, err
}

// history reads the operations query selects, in its order.
func (d *DB) history(ctx context.Context, query string, args ...any) ([]HistoryEntry, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		var h HistoryEntry
		var typ string
		var qty int64
		var stock, delta, counted sql.NullInt64
		var voidedBy, voidReason, target sql.NullString
		var sortPart, sortOffset, sortSub int64
		if err := rows.Scan(&h.Partition, &h.Offset, &h.EventID, &typ, &qty, &stock, &h.Status, &h.Reason,
			&h.Detail, &h.Date, &h.RecordedAt, &h.RecordedBy, &h.Note,
			&delta, &counted, &voidedBy, &voidReason, &target, &h.RepairReason, &sortPart, &sortOffset, &sortSub, &h.Location, &h.To); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		kind := domain.EventType(typ)
		h.Type = kindName(kind)
		h.Quantity = centsString(qty)
		if stock.Valid {
			h.Stock = centsString(stock.Int64)
		}
		h.VoidedBy, h.VoidReason, h.Target = voidedBy.String, voidReason.String, target.String
		switch kind {
		case domain.TypeStockAdjusted, domain.TypeOperationVoided:
			h.Delta = signedCents(delta)
		case domain.TypeStockCounted:
			h.Delta = signedCents(delta)
			if counted.Valid {
				// A count's quantity is what was counted, as a sale's is what was sold;
				// the ledger's quantity, the difference, is in Delta.
				h.Quantity, h.Counted = centsString(counted.Int64), centsString(counted.Int64)
				h.Expected = centsString(counted.Int64 - delta.Int64)
			}
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// signedCents writes a movement in hundredths with its sign when negative ("-3.00"),
// empty when there is none.
func signedCents(n sql.NullInt64) string {
	if !n.Valid {
		return ""
	}
	if n.Int64 < 0 {
		return "-" + centsString(-n.Int64)
	}
	return centsString(n.Int64)
}

// operationName is what history, lists and changes call an event type, as the CLI's
// and the API's words do.
func operationName(t domain.EventType) string {
	switch t {
	case domain.TypeStockSold:
		return "sale"
	case domain.TypeStockAdjusted:
		return "adjustment"
	case domain.TypeStockCounted:
		return "count"
	case domain.TypeOperationVoided:
		return "void"
	case domain.TypeOperationCorrected:
		return "correction"
	case domain.TypeStockTransferred:
		return "transfer"
	}
	return "restock"
}

func centsString(n int64) string {
	q, err := domain.QuantityFromCents(n)
	if err != nil {
		return fmt.Sprintf("%d.%02d", n/100, n%100)
	}
	return q.String()
}

// EventOutcome returns what was decided for event e, appended at pos, if it has been
// projected. Accepted, e is the product's operation number e.ExpectedSeq.
func (d *DB) EventOutcome(ctx context.Context, pos domain.Position, e domain.Event) (domain.Outcome, error) {
	o, err := d.outcome(ctx, `SELECT event_id, event_type, product_id, qty_cents, stock_cents, business_date, note, '', 1,
			location, coalesce(to_location, '')
		FROM ledger WHERE product_id = ? AND product_seq = ? AND partition = ? AND "offset" = ?
		UNION ALL
		SELECT event_id, event_type, product_id, qty_cents, 0, business_date, note, reason, 0,
			coalesce(location, 'main'), coalesce(to_location, '')
		FROM rejected_events WHERE position = ?
		UNION ALL
		SELECT event_id, event_type, product_id, 0, stock_cents, business_date, note, '', 1, 'main', ''
		FROM repairs WHERE event_type = 'OperationVoided' AND command_key = ? AND event_id = ? AND partition = ? AND "offset" = ?`,
		e.Product.String(), e.ExpectedSeq, pos.Partition, pos.Offset, pos.Key(), commandKey(e.CommandID), e.ID, pos.Partition, pos.Offset)
	if err != nil {
		return domain.Outcome{}, fmt.Errorf("event outcome: %w", err)
	}
	return o, nil
}

// CommandOutcome returns the accepted event of a command, if any; a void's location is
// its target's.
func (d *DB) CommandOutcome(ctx context.Context, commandID string) (domain.Outcome, error) {
	o, err := d.outcome(ctx, `SELECT event_id, event_type, product_id, qty_cents, stock_cents, business_date, note, '', 1,
			location, coalesce(to_location, '')
		FROM ledger WHERE command_key = ?1 AND command_id = ?2
		UNION ALL
		SELECT r.event_id, r.event_type, r.product_id, 0, r.stock_cents, r.business_date, r.note, '', 1,
			coalesce(l.location, 'main'), coalesce(l.to_location, '')
		FROM repairs r LEFT JOIN ledger l ON l.id = (SELECT min(id) FROM ledger WHERE product_id = r.product_id AND event_id = r.target_event_id)
		WHERE r.event_type = 'OperationVoided' AND r.command_key = ?1 AND r.command_id = ?2`, commandKey(commandID), commandID)
	if err != nil {
		return domain.Outcome{}, fmt.Errorf("command outcome: %w", err)
	}
	return o, nil
}

func (d *DB) outcome(ctx context.Context, query string, args ...any) (domain.Outcome, error) {
	var o domain.Outcome
	var typ string
	var qty, stock int64
	err := d.db.QueryRowContext(ctx, query, args...).Scan(&o.EventID, &typ, &o.Product, &qty, &stock, &o.Date, &o.Note, &o.Reason, &o.Accepted,
		&o.Location, &o.To)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Outcome{}, nil
	}
	if err != nil {
		return domain.Outcome{}, err
	}
	o.Found, o.Type = true, domain.EventType(typ)
	if o.Quantity, err = domain.QuantityFromCents(qty); err != nil {
		return domain.Outcome{}, err
	}
	if o.Stock, err = domain.QuantityFromCents(stock); err != nil {
		return domain.Outcome{}, err
	}
	return o, nil
}

// CountCommands counts accepted commands whose ID starts with prefix. It scans the
// ledger: an import asks once per run.
func (d *DB) CountCommands(ctx context.Context, prefix string) (int, error) {
	var n int
	err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM ledger WHERE substr(command_id, 1, ?) = ?`,
		len(prefix), prefix).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count commands: %w", err)
	}
	return n, nil
}

// CountRecordedAt counts, in one scan of the ledger, the accepted commands whose ID starts
// with prefix, and those of them whose event was recorded at t, as stored (RFC 3339 with
// nanoseconds): the events of one import.
func (d *DB) CountRecordedAt(ctx context.Context, prefix string, t time.Time) (all, at int, err error) {
	err = d.db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE recorded_at = ?) FROM ledger WHERE substr(command_id, 1, ?) = ?`,
		t.UTC().Format(time.RFC3339Nano), len(prefix), prefix).Scan(&all, &at)
	if err != nil {
		return 0, 0, fmt.Errorf("count commands: %w", err)
	}
	return all, at, nil
}

// SameOperations returns up to limit accepted operations of product p with exactly this
// business date, type and quantity, for an import's diagnosis of a stock column that
// disagrees. It reads the product's operations through ledger_product.
func (d *DB) SameOperations(ctx context.Context, p domain.ProductID, date domain.BusinessDate, kind domain.EventType, q domain.Quantity, limit int) ([]domain.Recorded, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT command_id, note FROM ledger
		WHERE product_id = ? AND business_date = ? AND event_type = ? AND qty_cents = ? ORDER BY product_seq LIMIT ?`,
		p.String(), date.String(), string(kind), q.Cents(), limit)
	if err != nil {
		return nil, fmt.Errorf("same operations: %w", err)
	}
	defer rows.Close()
	var out []domain.Recorded
	for rows.Next() {
		var r domain.Recorded
		if err := rows.Scan(&r.CommandID, &r.Note); err != nil {
			return nil, fmt.Errorf("same operations: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
