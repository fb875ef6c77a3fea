package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"maps"

	"github.com/stockctl/stockctl/domain"
)

// Mark is how far a reader of changes has seen the model: the last ledger row, the last
// repair (by rowid) and the next offset per partition. The zero Mark is before everything.
type Mark struct {
	ledgerID, repairID int64
	offsets            map[int32]int64
}

// Version is a number that grows with every record the model applies: the sum of the
// next offsets.
func (m Mark) Version() int64 {
	var v int64
	for _, n := range m.offsets {
		v += n
	}
	return v
}

// Change is one operation the model applied, accepted or rejected: a sale, a restock, a
// transfer, or a repair (a void adds no ledger row, and a correction's, count's or
// adjustment's row is told once, as its repair).
type Change struct {
	Product string `json:"product"`
	// Type is "sale", "restock", "transfer", "void", "correction", "count" or "adjustment".
	Type     string `json:"type"`
	Quantity string `json:"quantity"`
	// Stock is, after an accepted sale or restock, the balance after it in business-date
	// order; after an accepted repair, the product's stock once it applied.
	Stock  string `json:"stock,omitempty"`
	Status string `json:"status"` // "accepted" or "rejected"
	Reason string `json:"reason,omitempty"`
	// EventID is the event's ID; Target, a void's or correction's operation; Delta, what a
	// repair moved the stock by, signed; RepairReason, why it was made.
	EventID      string `json:"event_id,omitempty"`
	Target       string `json:"target,omitempty"`
	Delta        string `json:"delta,omitempty"`
	RepairReason string `json:"repair_reason,omitempty"`
	Date         string `json:"date"`
	RecordedBy   string `json:"recorded_by"`
	Partition    int32  `json:"partition"`
	Offset       int64  `json:"offset"`
	// Location is where a sale, restock, transfer, count or adjustment happened (a
	// transfer's source), or a void's or correction's operation; To a transfer's
	// destination, or a voided or corrected transfer's (issue 19).
	Location string `json:"location,omitempty"`
	To       string `json:"to,omitempty"`
}

// ChangesSince returns the operations applied after m, the oldest first, at most limit
// accepted and limit rejected ones, whether more were left out, and the mark to ask from
// next. It is cheap when nothing changed: one read of the offsets table. Whichever
// process applied the records, this one or another projecting the same file, they are
// seen. It reads in one deferred transaction, a snapshot: a batch another process
// commits meanwhile is told whole by the next call.
func (d *DB) ChangesSince(ctx context.Context, m Mark, limit int) (changes []Change, next Mark, more bool, err error) {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return nil, m, false, fmt.Errorf("changes: %w", err)
	}
	defer conn.Close()
	// A plain BEGIN: the driver's transactions take the write lock (_txlock=immediate),
	// which a reader must not.
	if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		return nil, m, false, fmt.Errorf("changes: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
	return changesIn(ctx, conn, m, limit)
}

func changesIn(ctx context.Context, tx *sql.Conn, m Mark, limit int) (changes []Change, next Mark, more bool, err error) {
	next = Mark{ledgerID: m.ledgerID, repairID: m.repairID}
	if next.offsets, err = offsetsIn(ctx, tx); err != nil {
		return nil, m, false, err
	}
	lastIDs := func() (ledger, repair int64, err error) {
		err = tx.QueryRowContext(ctx, `SELECT (SELECT coalesce(max(id), 0) FROM ledger), (SELECT coalesce(max(rowid), 0) FROM repairs)`).
			Scan(&ledger, &repair)
		return ledger, repair, err
	}
	if m.offsets == nil {
		// The first mark starts at the end: there is nothing to tell about the past.
		next.ledgerID, next.repairID, err = lastIDs()
		return nil, next, false, err
	}
	if maps.Equal(next.offsets, m.offsets) {
		return nil, m, false, nil
	}
	// Sales, restocks and transfers from the ledger; the rows of repairs are told from repairs.
	rows, err := tx.QueryContext(ctx, `SELECT id, product_id, event_type, qty_cents, `+stockAfter+`, business_date, recorded_by, partition, "offset", event_id,
		location, coalesce(to_location, '')
		FROM ledger WHERE id > ? AND event_type IN ('StockSold', 'StockRestocked', 'StockTransferred') AND corrects IS NULL ORDER BY id LIMIT ?`, m.ledgerID, limit+1)
	if err != nil {
		return nil, m, false, fmt.Errorf("changes: %w", err)
	}
	n := 0
	for rows.Next() {
		var c Change
		var typ string
		var qty, stock, id int64
		if err := rows.Scan(&id, &c.Product, &typ, &qty, &stock, &c.Date, &c.RecordedBy, &c.Partition, &c.Offset, &c.EventID,
			&c.Location, &c.To); err != nil {
			rows.Close()
			return nil, m, false, fmt.Errorf("changes: %w", err)
		}
		if n++; n > limit {
			more = true
			break
		}
		c.Type, c.Quantity, c.Stock, c.Status = operationName(domain.EventType(typ)), centsString(qty), centsString(stock), "accepted"
		changes = append(changes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, m, false, fmt.Errorf("changes: %w", err)
	}
	repaired, repairsMore, err := repairsIn(ctx, tx, m.repairID, limit)
	if err != nil {
		return nil, m, false, err
	}
	changes, more = append(changes, repaired...), more || repairsMore
	// Every row up to the snapshot's last is told or, over the limit, skipped: a
	// subscriber is told there was more, not every row.
	if next.ledgerID, next.repairID, err = lastIDs(); err != nil {
		return nil, m, false, fmt.Errorf("changes: %w", err)
	}
	// Rejections are keyed by position: those between the old and the new offsets, at
	// most limit over all partitions.
	rejected := 0
	for p, end := range next.offsets {
		from := m.offsets[p]
		if end <= from {
			continue
		}
		pos := func(o int64) int64 { return int64(p)<<40 | o }
		rows, err := tx.QueryContext(ctx, `SELECT product_id, event_type, qty_cents, reason, business_date, recorded_by, partition, "offset", event_id,
			coalesce(location, 'main'), coalesce(to_location, '')
			FROM rejected_events WHERE position >= ? AND position < ? ORDER BY position LIMIT ?`, pos(from), pos(end), limit-rejected+1)
		if err != nil {
			return nil, m, false, fmt.Errorf("changes: %w", err)
		}
		for rows.Next() {
			if rejected == limit {
				more = true
				break
			}
			var c Change
			var typ string
			var qty int64
			if err := rows.Scan(&c.Product, &typ, &qty, &c.Reason, &c.Date, &c.RecordedBy, &c.Partition, &c.Offset, &c.EventID,
				&c.Location, &c.To); err != nil {
				rows.Close()
				return nil, m, false, fmt.Errorf("changes: %w", err)
			}
			c.Type, c.Quantity, c.Status = changeType(domain.EventType(typ)), centsString(qty), "rejected"
			changes = append(changes, c)
			rejected++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, m, false, fmt.Errorf("changes: %w", err)
		}
	}
	return changes, next, more, nil
}

// repairsIn reads the repairs after rowid from, at most limit, and whether there were more.
func repairsIn(ctx context.Context, tx *sql.Conn, from int64, limit int) ([]Change, bool, error) {
	// The location is the ledger row's: a count's, adjustment's or correction's own row
	// (the correction's is its target's location), a void's target's (found by the
	// ledger_event index).
	rows, err := tx.QueryContext(ctx, `SELECT r.event_type, r.product_id, r.delta_cents, r.stock_cents, r.business_date, r.recorded_by,
		r.partition, r."offset", r.event_id, coalesce(r.target_event_id, ''), r.reason, coalesce(l.location, 'main'), coalesce(l.to_location, '')
		FROM repairs r LEFT JOIN ledger l ON l.id = (SELECT min(id) FROM ledger WHERE product_id = r.product_id
			AND event_id = iif(r.event_type = 'OperationVoided', r.target_event_id, r.event_id))
		WHERE r.rowid > ? ORDER BY r.rowid LIMIT ?`, from, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("changes: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		if len(out) == limit {
			return out, true, nil
		}
		c := Change{Status: "accepted"}
		var typ string
		var delta, stock int64
		if err := rows.Scan(&typ, &c.Product, &delta, &stock, &c.Date, &c.RecordedBy, &c.Partition, &c.Offset, &c.EventID,
			&c.Target, &c.RepairReason, &c.Location, &c.To); err != nil {
			return nil, false, fmt.Errorf("changes: %w", err)
		}
		c.Type, c.Quantity, c.Delta, c.Stock = changeType(domain.EventType(typ)), centsString(max(delta, -delta)), signedString(delta), centsString(stock)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("changes: %w", err)
	}
	return out, false, nil
}

// changeType names an event's type as the changes and the API do.
func changeType(t domain.EventType) string {
	switch t {
	case domain.TypeOperationVoided:
		return "void"
	case domain.TypeOperationCorrected:
		return "correction"
	case domain.TypeStockCounted:
		return "count"
	case domain.TypeStockAdjusted:
		return "adjustment"
	}
	return operationName(t)
}

// signedString writes hundredths with their sign: "-3.00", "+2.00", "0.00".
func signedString(n int64) string {
	switch {
	case n < 0:
		return "-" + centsString(-n)
	case n > 0:
		return "+" + centsString(n)
	}
	return centsString(0)
}

func offsetsIn(ctx context.Context, tx *sql.Conn) (map[int32]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT partition, next_offset FROM offsets`)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	defer rows.Close()
	out := make(map[int32]int64)
	for rows.Next() {
		var p int32
		var n int64
		if err := rows.Scan(&p, &n); err != nil {
			return nil, fmt.Errorf("changes: %w", err)
		}
		out[p] = n
	}
	return out, rows.Err()
}
