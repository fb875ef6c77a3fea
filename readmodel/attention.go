package readmodel

import (
	"context"
	"errors"
	"time"

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

// Attention returns every watched stock, most urgent first: at zero, then at or below
// the minimum, then forecast to run out, each by earliest stock-out date; then the rest.
func (d *DB) Attention(ctx context.Context, q AttentionQuery) ([]Attention, error) {
	return nil, errors.New("readmodel: Attention is not built yet")
}
