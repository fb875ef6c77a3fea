package domain

import "time"

// Reorder points (issue 20; docs/architecture.md, "Reorder points and alerts").
//
// A threshold is a setting of one product, written on the log keyed by the product, so it
// is ordered on the product's partition with the operations that race it and every replay
// decides the same crossings. It takes no sequence number: it changes no stock, and the
// last one set wins, as a person changing a setting expects.

// The threshold event types.
const (
	// TypeThresholdSet sets the product's minimum (Min), the least it is reordered in
	// (ReorderQty) and its supplier's lead time in days (LeadDays), on its total over all
	// its locations, or on Location alone when PerLocation is set.
	TypeThresholdSet EventType = "ThresholdSet"
	// TypeThresholdCleared removes the threshold of the same scope.
	TypeThresholdCleared EventType = "ThresholdCleared"
)

// IsThresholdEvent reports whether t is a threshold event.
func IsThresholdEvent(t EventType) bool {
	return t == TypeThresholdSet || t == TypeThresholdCleared
}

// MaxLeadDays bounds a supplier's lead time: a year.
const MaxLeadDays = 366

// Threshold is a product's reorder point on one scope: its total (PerLocation false) or
// its stock in Location.
type Threshold struct {
	Product     ProductID
	PerLocation bool
	Location    LocationID
	Min         Quantity
	ReorderQty  Quantity
	LeadDays    int
}

// Scope names what a threshold watches as the read model stores it: "" for the product's
// total, the location's ID otherwise.
func (t Threshold) Scope() string {
	if !t.PerLocation {
		return ""
	}
	return t.Location.String()
}

// Crossing kinds.
const (
	CrossedBelowMin = "below_min"
	CrossedZero     = "zero"
)

// Crossed returns the crossing a watched stock made going from before to after (in
// hundredths) under minimum min (hasMin false when no threshold watches it): "zero" when
// it reached zero from above, "below_min" when it went from above the minimum to at or
// below it, "" when neither. Reaching zero from above the minimum is one crossing, zero.
func Crossed(before, after int64, min int64, hasMin bool) string {
	switch {
	case before > 0 && after == 0:
		return CrossedZero
	case hasMin && before > min && after <= min:
		return CrossedBelowMin
	}
	return ""
}

// DefaultWindowDays is the trailing window of business days the forecast's rate of sales
// is measured over.
const DefaultWindowDays = 28

// Forecast is what the recent rate of sales says of one stock. With no sale in the window
// there is no rate, and so no cover and no stock-out date: HasRate is false.
type Forecast struct {
	// Sold is the units sold in the window, in hundredths: accepted sales dated in the
	// window's days, voided ones excluded, corrected ones at their corrected quantity.
	Sold       int64
	WindowDays int
	HasRate    bool
	// Rate is the average units sold per day: Sold ÷ 100 ÷ WindowDays.
	Rate float64
	// CoverDays is stock ÷ Rate; StockOut is the window's last day plus the whole days
	// of cover (the day itself when the stock is zero).
	CoverDays float64
	StockOut  time.Time
}

// NewForecast returns the forecast of a stock of stockCents hundredths given soldCents
// sold in the windowDays business days ending on today (a date, its time ignored).
func NewForecast(stockCents, soldCents int64, windowDays int, today time.Time) Forecast {
	f := Forecast{Sold: soldCents, WindowDays: windowDays}
	if soldCents <= 0 || windowDays <= 0 {
		return f
	}
	f.HasRate = true
	f.Rate = float64(soldCents) / 100 / float64(windowDays)
	// Exact in integers: cover = stock ÷ (sold ÷ window) = stock × window ÷ sold.
	f.CoverDays = float64(stockCents) * float64(windowDays) / float64(soldCents)
	days := stockCents * int64(windowDays) / soldCents
	y, m, d := today.Date()
	f.StockOut = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(min(days, 1<<20)))
	return f
}

// SuggestedOrder returns how much to order, in hundredths, for a stock of stockCents
// under threshold t (the zero Threshold when none is set) at forecast f: enough for the
// stock to cover the lead time and the window's demand above the minimum, rounded up to
// a whole unit, and at least the reorder quantity:
//
//	need = min + rate × (lead time + window) − stock
//	order = max(reorder quantity, ceil(need)) when need > 0, nothing otherwise.
//
// With no rate, need is min − stock: a product below its minimum with no recent sale is
// still brought back to it.
func SuggestedOrder(stockCents int64, t Threshold, f Forecast) int64 {
	// In hundredths × window days, exact: need × window =
	// (min − stock) × window + sold × (lead + window).
	w := int64(max(f.WindowDays, 1))
	need := (t.Min.Cents() - stockCents) * w
	if f.HasRate {
		need += f.Sold * int64(t.LeadDays+f.WindowDays)
	}
	if need <= 0 {
		return 0
	}
	unit := 100 * w
	order := (need + unit - 1) / unit * 100
	return max(order, t.ReorderQty.Cents())
}
