package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// Repairs (migration 008): a void or a correction marks the row it cancels with
// voided_by, takes its movement out of the running totals of its date's later rows and
// out of the balances from its date on, and is recorded in repairs with counts and
// adjustments. Deciding one needs the target's row and its date's other rows (Target).

// rowsQueryer is what reading a target needs of a connection or transaction.
type rowsQueryer interface {
	queryer
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// target reads the operation whose event ID is id, nil when neither the ledger nor the
// rejected events hold it. spanOf gives its product's balances around its date.
func target(ctx context.Context, q rowsQueryer, id string, spanOf func(balanceKey, domain.BusinessDate) (domain.Span, error)) (*domain.Target, error) {
	var kind, product, date, note, loc string
	var delta, seq, qty int64
	var voidedBy, to sql.NullString
	err := q.QueryRowContext(ctx, `SELECT event_type, product_id, business_date, delta_cents, product_seq, voided_by, note,
		location, to_location, qty_cents FROM ledger WHERE event_id = ?`, id).
		Scan(&kind, &product, &date, &delta, &seq, &voidedBy, &note, &loc, &to, &qty)
	if errors.Is(err, sql.ErrNoRows) {
		return rejectedTarget(ctx, q, id)
	}
	if err != nil {
		return nil, fmt.Errorf("operation %s: %w", id, err)
	}
	t := &domain.Target{ID: id, Kind: domain.EventType(kind), Delta: delta, VoidedBy: voidedBy.String, Note: note}
	if t.Product, err = domain.ParseProductID(product); err != nil {
		return nil, fmt.Errorf("operation %s: %w", id, err)
	}
	if t.Date, err = domain.ParseBusinessDate(date); err != nil {
		return nil, fmt.Errorf("operation %s: %w", id, err)
	}
	if t.Location, err = domain.ParseLocationID(loc); err == nil && to.Valid {
		t.To, err = domain.ParseLocationID(to.String)
	}
	if err != nil {
		return nil, fmt.Errorf("operation %s: %w", id, err)
	}
	if t.VoidedBy != "" {
		return t, nil
	}
	sp, err := spanOf(productKey(t.Product), t.Date)
	if err != nil {
		return nil, err
	}
	start := sp.At - sp.Net
	// The running totals of the date's other rows in effect, before and after it in log
	// order (product_seq follows the log within a product).
	var pLo, pHi, rLo, rHi sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT
		(SELECT min(date_cents) FROM ledger WHERE product_id = ?1 AND business_date = ?2 AND voided_by IS NULL AND product_seq < ?3),
		(SELECT max(date_cents) FROM ledger WHERE product_id = ?1 AND business_date = ?2 AND voided_by IS NULL AND product_seq < ?3),
		(SELECT min(date_cents) FROM ledger WHERE product_id = ?1 AND business_date = ?2 AND voided_by IS NULL AND product_seq > ?3),
		(SELECT max(date_cents) FROM ledger WHERE product_id = ?1 AND business_date = ?2 AND voided_by IS NULL AND product_seq > ?3)`,
		product, date, seq).Scan(&pLo, &pHi, &rLo, &rHi)
	if err != nil {
		return nil, fmt.Errorf("operation %s: %w", id, err)
	}
	if pLo.Valid {
		t.Prior = domain.Extremes{Low: start + pLo.Int64, High: start + pHi.Int64, Any: true}
	}
	if rLo.Valid {
		t.Rest = domain.Extremes{Low: start + rLo.Int64, High: start + rHi.Int64, Any: true}
	}
	// The locations it moved; their balances around it are read by targetPlaces, only
	// for a product kept in several locations (the rule ignores them otherwise).
	t.Places = []domain.TargetPlace{{Location: t.Location, Delta: delta}}
	if t.Kind == domain.TypeStockTransferred {
		t.Places = []domain.TargetPlace{{Location: t.Location, Delta: -qty}, {Location: t.To, Delta: qty}}
	}
	return t, nil
}

// targetPlaces sets, for each location t moved, the running totals there of its date's
// other rows (TargetPlace.Prior and Rest).
func targetPlaces(ctx context.Context, q rowsQueryer, t *domain.Target, spanOf func(balanceKey, domain.BusinessDate) (domain.Span, error)) error {
	var seq int64
	if err := q.QueryRowContext(ctx, `SELECT product_seq FROM ledger WHERE event_id = ?`, t.ID).Scan(&seq); err != nil {
		return fmt.Errorf("operation %s: %w", t.ID, err)
	}
	for i := range t.Places {
		if err := placeExtremes(ctx, q, t, seq, &t.Places[i], spanOf); err != nil {
			return err
		}
	}
	return nil
}

// placeExtremes sets tp's Prior and Rest: the running totals in tp.Location of t's
// date's other rows there, before and after t in log order. A row's running total in its
// location is place_cents (date_cents for a row written while the product was kept in
// main only), in a transfer's destination to_cents.
func placeExtremes(ctx context.Context, q rowsQueryer, t *domain.Target, seq int64, tp *domain.TargetPlace,
	spanOf func(balanceKey, domain.BusinessDate) (domain.Span, error)) error {
	sp, err := spanOf(placeKey(t.Product, tp.Location), t.Date)
	if err != nil {
		return err
	}
	start := sp.At - sp.Net
	const run = `CASE WHEN location = ?4 THEN coalesce(place_cents, date_cents) ELSE to_cents END`
	const where = `FROM ledger WHERE product_id = ?1 AND business_date = ?2 AND voided_by IS NULL AND (location = ?4 OR to_location = ?4)`
	var pLo, pHi, rLo, rHi sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT
		(SELECT min(`+run+`) `+where+` AND product_seq < ?3), (SELECT max(`+run+`) `+where+` AND product_seq < ?3),
		(SELECT min(`+run+`) `+where+` AND product_seq > ?3), (SELECT max(`+run+`) `+where+` AND product_seq > ?3)`,
		t.Product.String(), t.Date.String(), seq, tp.Location.String()).Scan(&pLo, &pHi, &rLo, &rHi)
	if err != nil {
		return fmt.Errorf("operation %s in %s: %w", t.ID, tp.Location, err)
	}
	if pLo.Valid {
		tp.Prior = domain.Extremes{Low: start + pLo.Int64, High: start + pHi.Int64, Any: true}
	}
	if rLo.Valid {
		tp.Rest = domain.Extremes{Low: start + rLo.Int64, High: start + rHi.Int64, Any: true}
	}
	return nil
}

// rejectedTarget reads a rejected event as a target, nil when there is none.
func rejectedTarget(ctx context.Context, q queryer, id string) (*domain.Target, error) {
	var kind, product, reason string
	err := q.QueryRowContext(ctx, `SELECT event_type, product_id, reason FROM rejected_events WHERE event_id = ? LIMIT 1`, id).
		Scan(&kind, &product, &reason)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("operation %s: %w", id, err)
	}
	t := &domain.Target{ID: id, Kind: domain.EventType(kind), Rejected: true, Reason: reason}
	t.Product, _ = domain.ParseProductID(product)
	return t, nil
}

// Target returns the operation whose event ID is id, as deciding a void or a correction
// needs it, or nil when the model holds no operation with that ID.
func (t *projectTx) Target(id string) (*domain.Target, error) {
	if err := t.flush(); err != nil {
		return nil, err
	}
	if err := t.indexRepairs(); err != nil {
		return nil, err
	}
	return target(t.ctx, t.tx, id, t.spanAt)
}

// indexRepairs builds the indexes a repair reads through: a bulk load builds its indexes
// at the end; the first repair needs these now.
func (t *projectTx) indexRepairs() error {
	if t.lines == nil || t.repairIndexes {
		return nil
	}
	for _, q := range []string{`CREATE INDEX IF NOT EXISTS ledger_event ON ledger (event_id)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS ledger_product ON ledger (product_id, product_seq)`,
		`CREATE INDEX IF NOT EXISTS ledger_product_date ON ledger (product_id, business_date, product_seq) WHERE voided_by IS NULL`} {
		if _, err := t.tx.ExecContext(t.ctx, q); err != nil {
			return fmt.Errorf("repair indexes: %w", err)
		}
	}
	t.repairIndexes = true
	return nil
}

// TargetPlaces completes a target of a product kept in several locations with its
// date's other rows in each location it moved, as this transaction left them.
func (t *projectTx) TargetPlaces(tg *domain.Target) error {
	if err := t.flush(); err != nil {
		return err
	}
	return targetPlaces(t.ctx, t.tx, tg, t.spanAt)
}

// TargetPlaces completes a target of a product kept in several locations with its date's
// other rows in each location it moved.
func (d *DB) TargetPlaces(ctx context.Context, tg *domain.Target) error {
	return targetPlaces(ctx, d.db, tg, func(k balanceKey, date domain.BusinessDate) (domain.Span, error) {
		return spanOf(ctx, d.db, k, date)
	})
}

// PlaceTimeline returns product p's balances by date in location l as this transaction
// left them.
func (t *projectTx) PlaceTimeline(p domain.ProductID, l domain.LocationID) (*domain.Timeline, error) {
	if t.lines != nil {
		if line := t.lines[placeKey(p, l)]; line != nil {
			return line, nil
		}
		return domain.NewTimeline(nil), nil
	}
	if err := t.flush(); err != nil {
		return nil, err
	}
	return timelineAt(t.ctx, t.tx, placeKey(p, l))
}

// PlaceTimeline returns product p's balances by business date in location l: none for a
// product kept in main only (its balances are the product's).
func (d *DB) PlaceTimeline(ctx context.Context, p domain.ProductID, l domain.LocationID) (*domain.Timeline, error) {
	return timelineAt(ctx, d.db, placeKey(p, l))
}

// Timeline returns product p's balances by date as this transaction left them: a bulk
// load's own, or those the balances table holds.
func (t *projectTx) Timeline(p domain.ProductID) (*domain.Timeline, error) {
	if t.lines != nil {
		line := t.lines[productKey(p)]
		if line == nil {
			line = domain.NewTimeline(nil)
			t.lines[productKey(p)] = line
		}
		return line, nil
	}
	return timelineOf(t.ctx, t.tx, p)
}

// void applies the cancelling half of an accepted void or correction: the target's row
// is marked, its date's later rows and its balances from its date on lose its movement,
// and the repair is recorded.
func (t *projectTx) void(pos domain.Position, e domain.Event, after domain.Snapshot, eff domain.Effect) error {
	v := eff.Voided
	tg := v.Target
	if err := t.flush(); err != nil {
		return err
	}
	p, d := tg.Product.String(), tg.Date.String()
	err := t.exec(`UPDATE ledger SET date_cents = date_cents - ?1 WHERE product_id = ?2 AND business_date = ?3
		AND voided_by IS NULL AND product_seq > (SELECT product_seq FROM ledger WHERE event_id = ?4)`, tg.Delta, p, d, tg.ID)
	for _, vp := range v.Places {
		// Its date's later rows in the locations it moved lose it from their running
		// totals there.
		if err == nil {
			err = t.exec(`UPDATE ledger SET place_cents = place_cents - ?1 WHERE product_id = ?2 AND business_date = ?3
				AND voided_by IS NULL AND location = ?5 AND place_cents IS NOT NULL
				AND product_seq > (SELECT product_seq FROM ledger WHERE event_id = ?4)`, vp.Delta, p, d, tg.ID, vp.Location.String())
		}
		if err == nil {
			err = t.exec(`UPDATE ledger SET to_cents = to_cents - ?1 WHERE product_id = ?2 AND business_date = ?3
				AND voided_by IS NULL AND to_location = ?5
				AND product_seq > (SELECT product_seq FROM ledger WHERE event_id = ?4)`, vp.Delta, p, d, tg.ID, vp.Location.String())
		}
	}
	if err == nil {
		err = t.exec(`UPDATE ledger SET voided_by = ?, voided_at = ? WHERE event_id = ?`,
			e.ID, e.RecordedAt.UTC().Format(time.RFC3339Nano), tg.ID)
	}
	if err != nil {
		return fmt.Errorf("void %s: %w", tg.ID, err)
	}
	low, high := v.Day.Low, v.Day.High
	if !v.Day.Any {
		low, high = v.Start, v.Start
	}
	if t.lines != nil {
		line := t.lines[balanceKey{product: p}]
		change, ok := line.Reshape(tg.Date, -tg.Delta, low, high)
		if !ok {
			return fmt.Errorf("void %s: no balance of %s on %s", tg.ID, p, d)
		}
		t.changes = append(t.changes, lineChange{line, change})
		for _, vp := range v.Places {
			low, high := placeDay(vp)
			line := t.lines[placeKey(tg.Product, vp.Location)]
			change, ok := domain.Change{}, false
			if line != nil {
				change, ok = line.Reshape(tg.Date, -vp.Delta, low, high)
			}
			if !ok {
				return fmt.Errorf("void %s: no balance of %s in %s on %s", tg.ID, p, vp.Location, d)
			}
			t.changes = append(t.changes, lineChange{line, change})
		}
		if tg.Kind != domain.TypeStockTransferred {
			t.totals.count(p, tg.Date, tg.Kind, tg.Delta, -1)
		}
	} else {
		err := t.exec(`UPDATE balances SET end_cents = end_cents - ?1, net_cents = net_cents - ?1, low_cents = ?2, high_cents = ?3
			WHERE product_id = ?4 AND business_date = ?5`, tg.Delta, low, high, p, d)
		if err == nil {
			err = t.exec(`UPDATE balances SET end_cents = end_cents - ?1, low_cents = low_cents - ?1, high_cents = high_cents - ?1
				WHERE product_id = ?2 AND business_date > ?3`, tg.Delta, p, d)
		}
		for _, vp := range v.Places {
			low, high := placeDay(vp)
			if err == nil {
				err = t.exec(`UPDATE place_balances SET end_cents = end_cents - ?1, net_cents = net_cents - ?1, low_cents = ?2, high_cents = ?3
					WHERE product_id = ?4 AND location_id = ?6 AND business_date = ?5`, vp.Delta, low, high, p, d, vp.Location.String())
			}
			if err == nil {
				err = t.exec(`UPDATE place_balances SET end_cents = end_cents - ?1, low_cents = low_cents - ?1, high_cents = high_cents - ?1
					WHERE product_id = ?2 AND location_id = ?4 AND business_date > ?3`, vp.Delta, p, d, vp.Location.String())
			}
		}
		if err != nil {
			return fmt.Errorf("void %s: balances: %w", tg.ID, err)
		}
	}
	moved := -tg.Delta
	if e.Type == domain.TypeOperationCorrected {
		moved += eff.Delta
	} else {
		// A void takes effect at its target's date, whatever date its writer gave it.
		e.BusinessDate = tg.Date
	}
	return t.repaired(pos, e, after, moved)
}

// placeDay returns the extremes of a location's balances on the voided target's date once
// it is gone (see domain.Voided.Day).
func placeDay(vp domain.VoidedPlace) (low, high int64) {
	if !vp.Day.Any {
		return vp.Start, vp.Start
	}
	return vp.Day.Low, vp.Day.High
}

// repaired records an accepted repair that moved its product's stock by moved.
func (t *projectTx) repaired(pos domain.Position, e domain.Event, after domain.Snapshot, moved int64) error {
	var target any
	if e.Target != "" {
		target = e.Target
	}
	err := t.exec(`INSERT INTO repairs (event_id, event_type, command_id, command_key, product_id, product_seq, partition, "offset",
		target_event_id, delta_cents, stock_cents, reason, business_date, recorded_at, recorded_by, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, string(e.Type), e.CommandID, commandKey(e.CommandID), e.Product.String(), after.Seq, pos.Partition, pos.Offset,
		target, moved, after.Level.Cents(), e.Reason, e.BusinessDate.String(), e.RecordedAt.UTC().Format(time.RFC3339Nano),
		e.RecordedBy, e.Note)
	if err != nil {
		return fmt.Errorf("repair %s: %w", e.ID, err)
	}
	return nil
}

// Target returns the operation whose event ID is id as the rule sees it, nil when the
// model holds none: for a writer deciding a void or a correction.
func (d *DB) Target(ctx context.Context, id string) (*domain.Target, error) {
	return target(ctx, d.db, id, func(k balanceKey, date domain.BusinessDate) (domain.Span, error) {
		return spanOf(ctx, d.db, k, date)
	})
}
