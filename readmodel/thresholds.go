package readmodel

import (
	"fmt"
	"strings"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/projections"
)

// Reorder points (migration 014): each product's thresholds, as its ThresholdSet and
// ThresholdCleared events left them, and the crossings the projection decided.

// Thresholds implements projections.Tx. A product whose stock row this transaction read
// has none is answered without a query (Stock reads whether it has any).
func (t *projectTx) Thresholds(p domain.ProductID) ([]domain.Threshold, error) {
	if t.noThresholds[p.String()] {
		return nil, nil
	}
	s, err := t.stmt(`SELECT location, min_cents, reorder_cents, lead_days FROM thresholds WHERE product_id = ? ORDER BY location`)
	if err != nil {
		return nil, fmt.Errorf("thresholds of %q: %w", p, err)
	}
	rows, err := s.QueryContext(t.ctx, p.String())
	if err != nil {
		return nil, fmt.Errorf("thresholds of %q: %w", p, err)
	}
	defer rows.Close()
	var out []domain.Threshold
	for rows.Next() {
		var loc string
		var min, reorder int64
		th := domain.Threshold{Product: p}
		if err := rows.Scan(&loc, &min, &reorder, &th.LeadDays); err != nil {
			return nil, fmt.Errorf("thresholds of %q: %w", p, err)
		}
		if th, err = restoreThreshold(th, loc, min, reorder); err != nil {
			return nil, err
		}
		out = append(out, th)
	}
	return out, rows.Err()
}

// restoreThreshold completes th from a thresholds row.
func restoreThreshold(th domain.Threshold, loc string, min, reorder int64) (domain.Threshold, error) {
	var err error
	if loc != "" {
		th.PerLocation = true
		if th.Location, err = domain.ParseLocationID(loc); err != nil {
			return th, fmt.Errorf("threshold of %q: %w", th.Product, err)
		}
	}
	if th.Min, err = domain.QuantityFromCents(min); err == nil {
		th.ReorderQty, err = domain.QuantityFromCents(reorder)
	}
	if err != nil {
		return th, fmt.Errorf("threshold of %q: %w", th.Product, err)
	}
	return th, nil
}

// PutThreshold implements projections.Tx.
func (t *projectTx) PutThreshold(pos domain.Position, e domain.Event) error {
	th := e.Threshold()
	var err error
	if e.Type == domain.TypeThresholdCleared {
		err = t.exec(`DELETE FROM thresholds WHERE product_id = ? AND location = ?`, e.Product.String(), th.Scope())
	} else {
		err = t.exec(`INSERT INTO thresholds (product_id, location, min_cents, reorder_cents, lead_days, event_id, recorded_at, recorded_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (product_id, location) DO UPDATE SET min_cents = excluded.min_cents, reorder_cents = excluded.reorder_cents,
			lead_days = excluded.lead_days, event_id = excluded.event_id, recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by`,
			e.Product.String(), th.Scope(), th.Min.Cents(), th.ReorderQty.Cents(), th.LeadDays, e.ID,
			e.RecordedAt.UTC().Format(time.RFC3339Nano), e.RecordedBy)
		delete(t.noThresholds, e.Product.String())
	}
	if err != nil {
		return fmt.Errorf("threshold of %q: %w", e.Product, err)
	}
	return nil
}

// Cross implements projections.Tx. Crossings are buffered and inserted crossRows at a
// time, as ledger rows are: a replay of sales to zero makes one per few dozen events.
func (t *projectTx) Cross(c projections.Crossing) error {
	var min any
	if c.HasMin {
		min = c.Min
	}
	e := c.Event
	t.crossPending = append(t.crossPending, c.Pos.Partition, c.Pos.Offset, c.Scope, e.Product.String(), c.Kind, c.Stock, min,
		e.ID, string(e.Type), e.BusinessDate.String(), e.RecordedAt.UTC().Format(time.RFC3339Nano))
	if len(t.crossPending) == crossRows*crossColumns {
		return t.flushCrossings()
	}
	return nil
}

const crossColumns, crossRows = 11, 64

func crossInsertOf(rows int) string {
	row := "(" + placeholders(crossColumns) + ")"
	return `INSERT INTO crossings (partition, "offset", location, product_id, kind, stock_cents, min_cents,
		event_id, event_type, business_date, recorded_at) VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

var crossInsertFull = crossInsertOf(crossRows)

// flushCrossings inserts the buffered crossings.
func (t *projectTx) flushCrossings() error {
	n := len(t.crossPending) / crossColumns
	if n == 0 {
		return nil
	}
	query := crossInsertFull
	if n != crossRows {
		query = crossInsertOf(n)
	}
	if err := t.exec(query, t.crossPending...); err != nil {
		return fmt.Errorf("crossings: %w", err)
	}
	t.crossPending = t.crossPending[:0]
	return nil
}
