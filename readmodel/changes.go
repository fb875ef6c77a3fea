package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"maps"

	"github.com/stockctl/stockctl/domain"
)

// Mark is how far a reader of changes has seen the model: the last ledger row and the
// next offset per partition. The zero Mark is before everything.
type Mark struct {
	ledgerID int64
	offsets  map[int32]int64
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

// Change is one operation the model applied, accepted or rejected.
type Change struct {
	Product    string `json:"product"`
	Type       string `json:"type"` // "sale" or "restock"
	Quantity   string `json:"quantity"`
	Stock      string `json:"stock,omitempty"` // after an accepted operation, in business-date order
	Status     string `json:"status"`          // "accepted" or "rejected"
	Reason     string `json:"reason,omitempty"`
	Date       string `json:"date"`
	RecordedBy string `json:"recorded_by"`
	Partition  int32  `json:"partition"`
	Offset     int64  `json:"offset"`
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
	next = Mark{ledgerID: m.ledgerID}
	if next.offsets, err = offsetsIn(ctx, tx); err != nil {
		return nil, m, false, err
	}
	lastID := func() (int64, error) {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM ledger`).Scan(&id)
		return id, err
	}
	if m.offsets == nil {
		// The first mark starts at the end: there is nothing to tell about the past.
		next.ledgerID, err = lastID()
		return nil, next, false, err
	}
	if maps.Equal(next.offsets, m.offsets) {
		return nil, m, false, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, product_id, event_type, qty_cents, `+stockAfter+`, business_date, recorded_by, partition, "offset"
		FROM ledger WHERE id > ? ORDER BY id LIMIT ?`, m.ledgerID, limit+1)
	if err != nil {
		return nil, m, false, fmt.Errorf("changes: %w", err)
	}
	n := 0
	for rows.Next() {
		var c Change
		var typ string
		var qty, stock, id int64
		if err := rows.Scan(&id, &c.Product, &typ, &qty, &stock, &c.Date, &c.RecordedBy, &c.Partition, &c.Offset); err != nil {
			rows.Close()
			return nil, m, false, fmt.Errorf("changes: %w", err)
		}
		if n++; n > limit {
			more = true
			break
		}
		c.Type, c.Quantity, c.Stock, c.Status = operationName(domain.EventType(typ)), centsString(qty), centsString(stock), "accepted"
		changes = append(changes, c)
		next.ledgerID = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, m, false, fmt.Errorf("changes: %w", err)
	}
	if more {
		// Skip to the end: a subscriber is told there was more, not every row.
		if next.ledgerID, err = lastID(); err != nil {
			return nil, m, false, fmt.Errorf("changes: %w", err)
		}
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
		rows, err := tx.QueryContext(ctx, `SELECT product_id, event_type, qty_cents, reason, business_date, recorded_by, partition, "offset"
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
			if err := rows.Scan(&c.Product, &typ, &qty, &c.Reason, &c.Date, &c.RecordedBy, &c.Partition, &c.Offset); err != nil {
				rows.Close()
				return nil, m, false, fmt.Errorf("changes: %w", err)
			}
			c.Type, c.Quantity, c.Status = operationName(domain.EventType(typ)), centsString(qty), "rejected"
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
