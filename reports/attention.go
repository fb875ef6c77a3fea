package reports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// What needs attention (issue 20): the "Needs attention" section at the top of the
// dashboard and of the report, the report's reorder list, and the minimum and forecast
// on a stock chart, all from one read of the list `alerts` and `reorder` print.

// AttentionQuery and Attention are readmodel's (readmodel.AttentionQuery, .Attention),
// field for field: reports cannot import the read model, which implements its Store, so
// cmd/stockctl converts between the two, and a field added to one side only stops the
// build there.
type AttentionQuery struct {
	AsOf                    time.Time
	WindowDays, HorizonDays int
	Location                string
}

// Attention is one watched stock: a product's total (Location "") or its stock in a
// location, its threshold (nil when none), its forecast, why it needs attention (""
// when it does not) and what to order, in hundredths.
type Attention struct {
	Product   string
	Location  string
	Stock     int64
	Threshold *domain.Threshold
	Forecast  domain.Forecast
	Reason    string
	Suggested int64
}

// Reasons, as readmodel names them.
const (
	reasonZero     = "zero"
	reasonBelowMin = "below_min"
	reasonForecast = "forecast"
)

// AttentionReader reads the watched stocks, most urgent first (readmodel's DB through
// cmd/stockctl's adapter).
type AttentionReader interface {
	NeedsAttention(ctx context.Context, q AttentionQuery) ([]Attention, error)
}

// attentionRows is how many stocks the "Needs attention" section lists; `stockctl alerts`
// lists them all.
const attentionRows = 25

// attentionSection is what the "Needs attention" section and the reorder list show.
type attentionSection struct {
	Items   []Attention // needing attention, most urgent first, at most attentionRows
	Left    int         // needing attention beyond Items
	Watched int         // stocks with a threshold
	Reorder []Attention // with something to order, for the report's reorder list
	// Today is the day the stock is read at and the forecast starts from.
	Today time.Time
}

// readAttention reads the list once for the page, of f's location and products.
func readAttention(ctx context.Context, ar AttentionReader, f Filter, now time.Time) (*attentionSection, map[string]Attention, error) {
	list, err := ar.NeedsAttention(ctx, AttentionQuery{AsOf: f.AsOf, Location: f.Location})
	if err != nil {
		return nil, nil, fmt.Errorf("needs attention: %w", err)
	}
	s := &attentionSection{Today: day(now)}
	if !f.AsOf.IsZero() {
		s.Today = day(f.AsOf)
	}
	selected := map[string]bool{}
	for _, p := range f.Products {
		selected[p] = true
	}
	// The stock a product's chart is of: its total, or its stock in the report's location.
	charted := map[string]Attention{}
	for _, a := range list {
		if len(selected) > 0 && !selected[a.Product] {
			continue
		}
		if a.Location == f.Location {
			charted[a.Product] = a
		}
		if a.Threshold != nil {
			s.Watched++
		}
		if a.Reason != "" {
			if len(s.Items) < attentionRows {
				s.Items = append(s.Items, a)
			} else {
				s.Left++
			}
		}
		if a.Suggested > 0 {
			s.Reorder = append(s.Reorder, a)
		}
	}
	return s, charted, nil
}

// Reason says why a stock needs attention, in words: "at zero", "at or below its
// minimum", "runs out in 3 days".
func (p *page) Reason(a Attention) string {
	switch a.Reason {
	case reasonZero:
		return "at zero"
	case reasonBelowMin:
		return "at or below its minimum"
	case reasonForecast:
		return "runs out " + p.inDays(a)
	}
	return ""
}

// inDays says when a stock runs out at its rate: "today", "tomorrow", "in 3 days".
func (p *page) inDays(a Attention) string {
	n := int(a.Forecast.StockOut.Sub(p.Attention.Today).Hours() / 24)
	switch {
	case n <= 0:
		return "today"
	case n == 1:
		return "tomorrow"
	}
	return "in " + p.Num.Count(int64(n)) + " days"
}

// Min writes a stock's minimum, "" when no threshold watches it.
func (p *page) Min(a Attention) string {
	if a.Threshold == nil {
		return ""
	}
	return p.Num.Fixed(a.Threshold.Min.Cents())
}

// Cover writes a stock's days of cover to a tenth, "" with no sale in the window.
func (p *page) Cover(a Attention) string {
	if !a.Forecast.HasRate {
		return ""
	}
	return p.Num.Tenths(a.Forecast.CoverDays)
}

// Rate writes a stock's units sold per day to a hundredth, "" with no sale in the window.
func (p *page) Rate(a Attention) string {
	if !a.Forecast.HasRate {
		return ""
	}
	return p.Num.Units(int64(a.Forecast.Rate*100 + 0.5))
}

// Out writes a stock's forecast stock-out date, "" with no sale in the window.
func (p *page) Out(a Attention) string {
	if !a.Forecast.HasRate {
		return ""
	}
	return a.Forecast.StockOut.Format("2006-01-02")
}

// Order writes what to order, "" for nothing.
func (p *page) Order(a Attention) string {
	if a.Suggested <= 0 {
		return ""
	}
	return p.Num.Fixed(a.Suggested)
}

// attentionView is what the "attention" template shows: the page (for its ways of
// writing numbers and links), the section, and the window and horizon it was read with.
type attentionView struct {
	P               *page
	S               *attentionSection
	Window, Horizon int
}

// AttentionView is the "Needs attention" section as the template shows it, nil when the
// page read none.
func (p *page) AttentionView() *attentionView {
	if p.Attention == nil {
		return nil
	}
	return &attentionView{P: p, S: p.Attention, Window: domain.DefaultWindowDays, Horizon: defaultHorizonDays}
}

// defaultHorizonDays is how far ahead a forecast stock-out needs attention, as
// readmodel.AttentionQuery reads a HorizonDays of 0.
const defaultHorizonDays = 14

// ChartNote says what a product's stock chart draws beside the stock: "The amber line is
// its minimum, 20; the dashed line its forecast, to zero on 2026-12-03 at its recent rate
// of sales." "" when neither.
func (p *page) ChartNote(product string) string {
	if p.Attention == nil {
		return ""
	}
	w := p.watchOf(product, p.Filter)
	var parts []string
	if w.hasMin {
		parts = append(parts, "the amber line is its minimum, "+p.Num.Units(w.min))
	}
	if w.forecast {
		parts = append(parts, "the dashed line its forecast at its recent rate of sales, to zero on "+w.out.Format("2006-01-02"))
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, "; ")
	return " " + strings.ToUpper(s[:1]) + s[1:] + "."
}
