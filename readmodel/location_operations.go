package readmodel

import (
	"context"
	"fmt"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/reports"
)

// LocationRow is one row of the view location_operations (migration 012): an operation
// in its location, a transfer once out of its source and once into its destination.
type LocationRow struct {
	Date        time.Time
	Product     string
	SignedCents int64 // negative for what left the location (a sale, a transfer out, ...)
	StockCents  int64 // the location's stock after the row
	Type        string
	Location    string
}

// EachLocationOperation calls fn for each row of location_operations in location loc
// that f selects, in the view's order (business date, then log order).
func (d *DB) EachLocationOperation(ctx context.Context, f reports.Filter, loc string, fn func(LocationRow) error) error {
	cond, args := where(f)
	query := `SELECT business_date, product_id, qty_cents, stock_cents, operation_type, location FROM (
		SELECT operation_date AS business_date, product_ID AS product_id,
		       CAST(round(operation_qt * 100) AS INTEGER) AS qty_cents, CAST(round(stock * 100) AS INTEGER) AS stock_cents,
		       operation_type, location FROM location_operations)
		WHERE location = ? AND ` + cond
	rows, err := d.db.QueryContext(ctx, query, append([]any{loc}, args...)...)
	if err != nil {
		return fmt.Errorf("location operations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r LocationRow
		var date string
		var qty int64
		if err := rows.Scan(&date, &r.Product, &qty, &r.StockCents, &r.Type, &r.Location); err != nil {
			return fmt.Errorf("location operations: %w", err)
		}
		if r.Date, err = time.Parse(domain.BusinessDateLayout, date); err != nil {
			return fmt.Errorf("location operations: date %q: %w", date, err)
		}
		r.SignedCents = qty
		switch r.Type {
		case "sales", "adjustment_out", "count_out", "transfer_out":
			r.SignedCents = -qty
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LocationLevels implements reports.LocationStocker: f's products' stock per location now.
func (d *DB) LocationLevels(ctx context.Context, f reports.Filter) ([]reports.PlaceLevel, error) {
	levels, err := d.PlaceLevels(ctx, f.Products, nil)
	if err != nil {
		return nil, err
	}
	out := make([]reports.PlaceLevel, len(levels))
	for i, l := range levels {
		out[i] = reports.PlaceLevel{Product: l.Product, Location: l.Location, Cents: l.Cents}
	}
	return out, nil
}

var _ reports.LocationStocker = (*DB)(nil)
