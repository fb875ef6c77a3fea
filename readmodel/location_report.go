package readmodel

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/reports"
)

// AtLocation is the report's store restricted to location loc (report --location, the
// dashboard's ?location=): its figures are read from the view location_operations
// (migration 012), so a transfer counts out of its source and into its destination, and
// a product's stock is its stock in loc. Rejected operations carry no location and
// voids and corrections are the product's, not a location's: neither is listed.
func (d *DB) AtLocation(loc string) reports.Store {
	return locationStore{d: d, loc: loc, all: &locationRows{}}
}

type locationStore struct {
	d   *DB
	loc string
	all *locationRows
}

// locationRows are all of a location's rows, read once for the report's many questions:
// each reading of the view costs a pass over the ledger.
type locationRows struct {
	once sync.Once
	rows []LocationRow
	err  error
}

// rows returns loc's rows that f selects (by date and product), in the view's order.
func (s locationStore) rows(ctx context.Context, f reports.Filter) ([]LocationRow, error) {
	s.all.once.Do(func() {
		s.all.err = s.d.EachLocationOperation(ctx, reports.Filter{}, s.loc, func(r LocationRow) error {
			s.all.rows = append(s.all.rows, r)
			return nil
		})
	})
	if s.all.err != nil {
		return nil, s.all.err
	}
	products := map[string]bool{}
	for _, p := range f.Products {
		products[p] = true
	}
	var out []LocationRow
	for _, r := range s.all.rows {
		if (!f.From.IsZero() && r.Date.Before(f.From)) || (!f.To.IsZero() && !r.Date.Before(f.To.AddDate(0, 0, 1))) ||
			(len(products) > 0 && !products[r.Product]) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func (s locationStore) ProductTotals(ctx context.Context, f reports.Filter) ([]reports.ProductTotals, error) {
	rows, err := s.rows(ctx, f)
	if err != nil {
		return nil, err
	}
	by := map[string]*reports.ProductTotals{}
	var out []reports.ProductTotals
	for _, r := range rows {
		t := by[r.Product]
		if t == nil {
			t = &reports.ProductTotals{Product: r.Product}
			by[r.Product] = t
		}
		switch r.Type {
		case "sales":
			t.Sales++
			t.SoldCents += -r.SignedCents
		case "replenishment":
			t.Restocks++
			t.RestockedCents += r.SignedCents
		case "transfer_in", "transfer_out":
			// A move between locations: in loc's stock, not a sale or a restock.
		default:
			t.Adjustments++
			t.AdjustedCents += r.SignedCents
		}
	}
	for _, t := range by {
		if t.Sales+t.Restocks+t.Adjustments > 0 {
			out = append(out, *t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Product < out[j].Product })
	return out, nil
}

func (s locationStore) PeriodTotals(ctx context.Context, f reports.Filter, bucket reports.Bucket) ([]reports.PeriodTotals, error) {
	rows, err := s.rows(ctx, f)
	if err != nil {
		return nil, err
	}
	start := func(d time.Time) time.Time {
		d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		switch bucket {
		case reports.Week:
			return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		case reports.Month:
			return d.AddDate(0, 0, 1-d.Day())
		}
		return d
	}
	by := map[time.Time]*reports.PeriodTotals{}
	var out []reports.PeriodTotals
	for _, r := range rows {
		b := start(r.Date)
		p := by[b]
		if p == nil {
			p = &reports.PeriodTotals{Start: b}
			by[b] = p
		}
		switch r.Type {
		case "sales":
			p.SoldCents += -r.SignedCents
		case "replenishment":
			p.RestockedCents += r.SignedCents
		case "transfer_in", "transfer_out":
		default:
			if r.SignedCents > 0 {
				p.AdjustedInCents += r.SignedCents
			} else {
				p.AdjustedOutCents += -r.SignedCents
			}
		}
	}
	for _, p := range by {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

func (s locationStore) StockSeries(ctx context.Context, f reports.Filter, product string) ([]reports.StockPoint, error) {
	g := reports.Filter{Products: []string{product}, To: f.To}
	rows, err := s.rows(ctx, g)
	if err != nil {
		return nil, err
	}
	var out []reports.StockPoint
	for i, r := range rows {
		if !f.From.IsZero() && r.Date.Before(f.From) {
			// The level the period starts at: the stock after the last row before it.
			if i+1 == len(rows) || !rows[i+1].Date.Before(f.From) {
				out = append(out, reports.StockPoint{Date: f.From, Cents: r.StockCents})
			}
			continue
		}
		// One point a date: the stock at its end.
		if n := len(out); n > 0 && out[n-1].Date.Equal(r.Date) {
			out[n-1].Cents = r.StockCents
			continue
		}
		out = append(out, reports.StockPoint{Date: r.Date, Cents: r.StockCents})
	}
	return out, nil
}

// levels is each of f's products' stock in loc at the end of f.AsOf (zero: now): the
// stock after its last row by then, lowest first.
func (s locationStore) levels(ctx context.Context, f reports.Filter) ([]reports.StockLevel, error) {
	rows, err := s.rows(ctx, reports.Filter{Products: f.Products, To: f.AsOf})
	if err != nil {
		return nil, err
	}
	last := map[string]LocationRow{}
	for _, r := range rows {
		last[r.Product] = r
	}
	out := make([]reports.StockLevel, 0, len(last))
	for p, r := range last {
		out = append(out, reports.StockLevel{Product: p, Cents: r.StockCents, LastDate: r.Date.Format(domain.BusinessDateLayout)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Cents != out[j].Cents {
			return out[i].Cents < out[j].Cents
		}
		return out[i].Product < out[j].Product
	})
	return out, nil
}

func (s locationStore) CurrentStock(ctx context.Context, f reports.Filter, limit int) ([]reports.StockLevel, int, error) {
	levels, err := s.levels(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	total := len(levels)
	if len(levels) > limit {
		levels = levels[:limit]
	}
	return levels, total, nil
}

func (s locationStore) StockCounts(ctx context.Context, f reports.Filter, low int64) (int, int, error) {
	levels, err := s.levels(ctx, f)
	if err != nil {
		return 0, 0, err
	}
	var zero, lowCount int
	for _, l := range levels {
		if l.Cents == 0 {
			zero++
		}
		if l.Cents <= low {
			lowCount++
		}
	}
	return zero, lowCount, nil
}

// listed names location_operations' types as the report's operations table does.
var listed = map[string]string{"sales": "sale", "replenishment": "restock", "adjustment_in": "adjustment",
	"adjustment_out": "adjustment", "count_in": "count", "count_out": "count", "count": "count",
	"transfer_in": "transfer in", "transfer_out": "transfer out"}

// Operations lists loc's newest rows by business date. The view keeps no recorder or
// note: those columns are empty.
func (s locationStore) Operations(ctx context.Context, f reports.Filter, limit int) ([]reports.Operation, error) {
	rows, err := s.rows(ctx, f)
	if err != nil {
		return nil, err
	}
	var out []reports.Operation
	for i := len(rows) - 1; i >= 0 && len(out) < limit; i-- {
		r := rows[i]
		out = append(out, reports.Operation{Date: r.Date.Format(domain.BusinessDateLayout), Product: r.Product,
			Type: listed[r.Type], QtyCents: abs(r.SignedCents), StockCents: r.StockCents, DeltaCents: r.SignedCents})
	}
	return out, nil
}

// RecentOperations is Operations: the view has business-date order only.
func (s locationStore) RecentOperations(ctx context.Context, f reports.Filter, limit int) ([]reports.Operation, error) {
	return s.Operations(ctx, f, limit)
}

func (s locationStore) Rejected(context.Context, reports.Filter, int) ([]reports.Rejection, int, error) {
	return nil, 0, nil
}

func (s locationStore) KnownProducts(ctx context.Context, products []string) ([]string, error) {
	return s.d.KnownProducts(ctx, products)
}

func (s locationStore) Repairs(context.Context, reports.Filter, int) ([]reports.Repair, int, error) {
	return nil, 0, nil
}
