package readmodel

import (
	"context"
	"fmt"

	"github.com/stockctl/stockctl/domain"
)

// SetThreshold is a threshold as the read model holds it: what it is, the stock it
// watches now, and the event that set it.
type SetThreshold struct {
	domain.Threshold
	// Stock is the stock of the threshold's scope now, in hundredths: the product's
	// total, or its stock in the location (zero where it has none).
	Stock      int64
	EventID    string
	RecordedAt string
	RecordedBy string
}

// thresholdQuery reads thresholds with the stock of their scope: the total from stock,
// a location's from place_stock once the product is kept per location, main's from the
// total until then.
const thresholdQuery = `SELECT t.product_id, t.location, t.min_cents, t.reorder_cents, t.lead_days, t.event_id, t.recorded_at, t.recorded_by,
	coalesce(CASE WHEN t.location = '' THEN s.stock_cents
		WHEN s.spread THEN (SELECT ps.stock_cents FROM place_stock ps WHERE ps.product_id = t.product_id AND ps.location_id = t.location)
		WHEN t.location = 'main' THEN s.stock_cents END, 0)
	FROM thresholds t LEFT JOIN stock s ON s.product_id = t.product_id`

// Thresholds returns every threshold set, by product and then scope (the total first).
func (d *DB) Thresholds(ctx context.Context) ([]SetThreshold, error) {
	return d.thresholds(ctx, thresholdQuery+` ORDER BY t.product_id, t.location`)
}

// ThresholdOf returns product p's threshold of scope ("" for its total, else a location
// ID, main included), and whether it has one.
func (d *DB) ThresholdOf(ctx context.Context, p domain.ProductID, scope string) (SetThreshold, bool, error) {
	list, err := d.thresholds(ctx, thresholdQuery+` WHERE t.product_id = ? AND t.location = ?`, p.String(), scope)
	if err != nil || len(list) == 0 {
		return SetThreshold{}, false, err
	}
	return list[0], true, nil
}

func (d *DB) thresholds(ctx context.Context, query string, args ...any) ([]SetThreshold, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("thresholds: %w", err)
	}
	defer rows.Close()
	out := []SetThreshold{}
	for rows.Next() {
		var pid, loc string
		var min, reorder int64
		var st SetThreshold
		if err := rows.Scan(&pid, &loc, &min, &reorder, &st.LeadDays, &st.EventID, &st.RecordedAt, &st.RecordedBy, &st.Stock); err != nil {
			return nil, fmt.Errorf("thresholds: %w", err)
		}
		if st.Product, err = domain.ParseProductID(pid); err != nil {
			return nil, fmt.Errorf("thresholds: %w", err)
		}
		lead := st.LeadDays
		if st.Threshold, err = restoreThreshold(domain.Threshold{Product: st.Product}, loc, min, reorder); err != nil {
			return nil, err
		}
		st.LeadDays = lead
		out = append(out, st)
	}
	return out, rows.Err()
}

// HasThreshold reports whether product p has a threshold of scope ("" its total, else a
// location ID).
func (d *DB) HasThreshold(ctx context.Context, p domain.ProductID, scope string) (bool, error) {
	var n int
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM thresholds WHERE product_id = ? AND location = ?`, p.String(), scope).Scan(&n); err != nil {
		return false, fmt.Errorf("threshold of %q: %w", p, err)
	}
	return n > 0, nil
}
