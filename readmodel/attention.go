package readmodel

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/domain"
)

// What needs attention (issue 20): `alerts`, `reorder`, the dashboard's "Needs attention"
// panel and the report read one list, so they never disagree.

// Reasons a stock needs attention, most urgent first.
const (
	ReasonZero     = "zero"      // nothing in stock
	ReasonBelowMin = "below_min" // at or below its minimum
	ReasonForecast = "forecast"  // forecast to run out within the horizon or its lead time
)

// AttentionQuery says which stocks to consider and how.
type AttentionQuery struct {
	// AsOf is the day the window ends on and the stock is read at the end of; the zero
	// time is today.
	AsOf time.Time
	// WindowDays is the trailing window of business days the rate of sales is measured
	// over (domain.DefaultWindowDays when 0); HorizonDays how far ahead a forecast
	// stock-out needs attention (14 when 0).
	WindowDays, HorizonDays int
	// Location, when set, restricts the list to the stocks in that location.
	Location string
}

// Attention is one watched stock: a product's total, or its stock in a location.
type Attention struct {
	Product string
	// Location is "" for the product's total over all its locations.
	Location string
	// Stock is in hundredths.
	Stock int64
	// Threshold is what watches this stock, nil when no threshold is set on it.
	Threshold *domain.Threshold
	Forecast  domain.Forecast
	// Reason is why it needs attention (ReasonZero, ReasonBelowMin, ReasonForecast), ""
	// when it does not.
	Reason string
	// Suggested is what to order, in hundredths (domain.SuggestedOrder); 0 for nothing.
	Suggested int64
}

// DefaultHorizonDays is how far ahead a forecast stock-out needs attention when
// AttentionQuery.HorizonDays is 0.
const DefaultHorizonDays = 14

// scope names one watched stock: a product's total (location "") or its stock in a
// location.
type scope struct{ product, location string }

// Attention returns every watched stock, most urgent first: at zero, then at or below
// the minimum, then forecast to run out, each by earliest stock-out date; then the rest.
//
// Without q.Location the stocks are every product's total and each product's stock in a
// location that has a threshold of its own; with it, every product's stock in that
// location (each product with a place there, and each with a threshold there), under
// its threshold there if any. The stock is now (q.AsOf zero) or at the end of q.AsOf;
// the sales are the window's non-voided StockSold rows, read in one grouped query over
// the ledger_date index. A product with nothing counted at the moment has no line.
func (d *DB) Attention(ctx context.Context, q AttentionQuery) ([]Attention, error) {
	window, horizon := q.WindowDays, q.HorizonDays
	if window <= 0 {
		window = domain.DefaultWindowDays
	}
	if horizon <= 0 {
		horizon = DefaultHorizonDays
	}
	var m asof.Moment // now
	asOf := q.AsOf
	if asOf.IsZero() {
		asOf = time.Now()
	}
	y, mo, dd := asOf.Date()
	day := time.Date(y, mo, dd, 0, 0, 0, 0, time.UTC)
	if !q.AsOf.IsZero() {
		m.Date = domain.NewBusinessDate(day.Add(24*time.Hour - time.Second))
	}
	// One read transaction: stock, sales and thresholds of one moment, even on a
	// reader's pool beside a writer.
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("attention: %w", err)
	}
	defer tx.Rollback()
	thresholds, err := readThresholds(ctx, tx)
	if err != nil {
		return nil, err
	}
	sold, err := soldIn(ctx, tx, day, window)
	if err != nil {
		return nil, err
	}
	stocks, err := watchedStocks(ctx, tx, m, q.Location, thresholds)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("attention: %w", err)
	}
	out := make([]Attention, 0, len(stocks))
	for _, s := range stocks {
		a := Attention{Product: s.product, Location: s.location, Stock: s.cents}
		var t domain.Threshold
		if th, ok := thresholds[s.scope]; ok {
			t = th
			a.Threshold = &th
		}
		a.Forecast = domain.NewForecast(s.cents, sold[s.scope], window, day)
		a.Reason = reason(a, day, horizon)
		a.Suggested = domain.SuggestedOrder(s.cents, t, a.Forecast)
		out = append(out, a)
	}
	slices.SortFunc(out, mostUrgent)
	return out, nil
}

// reason is why a needs attention on day, "" when it does not: at zero, at or below its
// minimum, or running out within the horizon or its lead time, whichever is longer.
func reason(a Attention, day time.Time, horizon int) string {
	switch {
	case a.Stock == 0:
		return ReasonZero
	case a.Threshold != nil && a.Stock <= a.Threshold.Min.Cents():
		return ReasonBelowMin
	}
	if a.Threshold != nil {
		horizon = max(horizon, a.Threshold.LeadDays)
	}
	if a.Forecast.HasRate && !a.Forecast.StockOut.After(day.AddDate(0, 0, horizon)) {
		return ReasonForecast
	}
	return ""
}

// reasonRank orders the reasons, most urgent first, those needing none last.
var reasonRank = map[string]int{ReasonZero: 0, ReasonBelowMin: 1, ReasonForecast: 2, "": 3}

// mostUrgent orders by reason, then earliest stock-out (the shortest cover; no forecast
// last), then product and location (the total first).
func mostUrgent(a, b Attention) int {
	if c := cmp.Compare(reasonRank[a.Reason], reasonRank[b.Reason]); c != 0 {
		return c
	}
	fa, fb := a.Forecast, b.Forecast
	if fa.HasRate != fb.HasRate {
		if fa.HasRate {
			return -1
		}
		return 1
	}
	if fa.HasRate {
		if c := fa.StockOut.Compare(fb.StockOut); c != 0 {
			return c
		}
		if c := cmp.Compare(fa.CoverDays, fb.CoverDays); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(a.Product, b.Product); c != 0 {
		return c
	}
	return cmp.Compare(a.Location, b.Location)
}

// readThresholds reads every threshold, by the scope it watches.
func readThresholds(ctx context.Context, tx *sql.Tx) (map[scope]domain.Threshold, error) {
	rows, err := tx.QueryContext(ctx, `SELECT product_id, location, min_cents, reorder_cents, lead_days FROM thresholds`)
	if err != nil {
		return nil, fmt.Errorf("thresholds: %w", err)
	}
	defer rows.Close()
	out := map[scope]domain.Threshold{}
	for rows.Next() {
		var s scope
		var minC, reorder int64
		var t domain.Threshold
		if err := rows.Scan(&s.product, &s.location, &minC, &reorder, &t.LeadDays); err != nil {
			return nil, fmt.Errorf("thresholds: %w", err)
		}
		if t.Product, err = domain.ParseProductID(s.product); err == nil && s.location != "" {
			t.PerLocation = true
			t.Location, err = domain.ParseLocationID(s.location)
		}
		if err == nil {
			if t.Min, err = domain.QuantityFromCents(minC); err == nil {
				t.ReorderQty, err = domain.QuantityFromCents(reorder)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("threshold of %q: %w", s.product, err)
		}
		out[s] = t
	}
	return out, rows.Err()
}

// soldInSQL sums the sales of a window of business dates per product and location.
const soldInSQL = `SELECT product_id, location, sum(qty_cents) FROM ledger INDEXED BY ledger_sales
	WHERE business_date BETWEEN ?1 AND ?2 AND event_type = '` + string(domain.TypeStockSold) + `' AND voided_by IS NULL
	GROUP BY product_id, location`

// soldIn returns the hundredths sold in the window of days business days ending on day,
// per product and location and per product (location ""): accepted sales dated in those
// days, voided ones excluded, corrected ones at their corrected quantity (a correction
// voids its target and adds a row of the same kind). Only the window's sales are read,
// from ledger_sales alone (migration 015), never the table.
func soldIn(ctx context.Context, tx *sql.Tx, day time.Time, days int) (map[scope]int64, error) {
	from := day.AddDate(0, 0, 1-days).Format("2006-01-02") + " 00:00:00"
	to := day.Format("2006-01-02") + " 23:59:59"
	rows, err := tx.QueryContext(ctx, soldInSQL, from, to)
	if err != nil {
		return nil, fmt.Errorf("sales in the window: %w", err)
	}
	defer rows.Close()
	out := map[scope]int64{}
	for rows.Next() {
		var s scope
		var cents int64
		if err := rows.Scan(&s.product, &s.location, &cents); err != nil {
			return nil, fmt.Errorf("sales in the window: %w", err)
		}
		out[s] += cents
		out[scope{product: s.product}] += cents
	}
	return out, rows.Err()
}

// watched is one watched stock at the moment asked.
type watched struct {
	scope
	cents int64
}

// watchedStocks returns the stocks Attention considers at m: every product's total and
// its stock in each location with a threshold; with location set, every product's stock
// there (one with a threshold there and no place there holds 0). Only products with
// something counted at m are listed.
func watchedStocks(ctx context.Context, tx *sql.Tx, m asof.Moment, location string, thresholds map[scope]domain.Threshold) ([]watched, error) {
	query, args := stockAtQuery(m, nil)
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("stock at %s: %w", m, err)
	}
	defer rows.Close()
	var totals []watched
	for rows.Next() {
		var w watched
		var last string
		if err := rows.Scan(&w.product, &last, &w.cents); err != nil {
			return nil, fmt.Errorf("stock at %s: %w", m, err)
		}
		totals = append(totals, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stock at %s: %w", m, err)
	}
	rows.Close()
	var only []string
	if location != "" {
		only = []string{location}
	}
	query, args, err = placeLevelsQuery(m, nil, only)
	if err != nil {
		return nil, err
	}
	levels, err := placeLevels(ctx, tx, query, args)
	if err != nil {
		return nil, err
	}
	places := make(map[scope]int64, len(levels))
	for _, l := range levels {
		places[scope{l.Product, l.Location}] = l.Cents
	}
	if location != "" {
		var out []watched
		for _, t := range totals {
			s := scope{t.product, location}
			cents, held := places[s]
			if _, set := thresholds[s]; held || set {
				out = append(out, watched{s, cents})
			}
		}
		return out, nil
	}
	perLocation := map[string][]scope{}
	for s := range thresholds {
		if s.location != "" {
			perLocation[s.product] = append(perLocation[s.product], s)
		}
	}
	out := slices.Clone(totals)
	for _, t := range totals {
		for _, s := range perLocation[t.product] {
			out = append(out, watched{s, places[s]})
		}
	}
	return out, nil
}
