package web

import (
	"net/http"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/reports"
)

// productWatch is what the product page says of a product's thresholds and forecast
// (issue 20), its figures written as the page writes quantities.
type productWatch struct {
	Thresholds []thresholdView
	// The forecast of the product's total: HasRate false with no sale in the window.
	HasRate               bool
	Rate, Cover, StockOut string
	Window                int
	// Needs says why the product needs attention ("" when it does not), Why its class;
	// Order what to order, "" for nothing.
	Needs, Why, Order string
}

// thresholdView is one threshold of the product: on its total or one location.
type thresholdView struct {
	Scope, Min, ReorderQty, Lead string
}

// productWatchOf returns the product's watched stocks from list (its total first), what
// the page says of them, and its total's, the one its chart draws.
func productWatchOf(n reports.Numbers, product string, list []reports.Attention) (*productWatch, *reports.Attention) {
	w := &productWatch{Window: domain.DefaultWindowDays}
	var total *reports.Attention
	for i, a := range list {
		if a.Product != product {
			continue
		}
		if a.Location == "" {
			total = &list[i]
		}
		if t := a.Threshold; t != nil {
			v := thresholdView{Scope: "all locations", Min: n.Fixed(t.Min.Cents()), ReorderQty: "—", Lead: "—"}
			if a.Location != "" {
				v.Scope = a.Location
			}
			if t.ReorderQty.Cents() > 0 {
				v.ReorderQty = n.Fixed(t.ReorderQty.Cents())
			}
			if t.LeadDays > 0 {
				v.Lead = days(n, t.LeadDays)
			}
			w.Thresholds = append(w.Thresholds, v)
		}
		if a.Reason != "" && w.Needs == "" {
			w.Needs, w.Why = needsText(n, a), a.Reason
			if a.Location != "" {
				w.Needs += " in " + a.Location
			}
			if a.Suggested > 0 {
				w.Order = n.Fixed(a.Suggested)
			}
		}
	}
	if total == nil {
		return w, nil
	}
	if f := total.Forecast; f.HasRate {
		w.HasRate = true
		w.Rate = n.Units(int64(f.Rate*100 + 0.5))
		w.Cover = n.Tenths(f.CoverDays)
		w.StockOut = f.StockOut.Format("2006-01-02")
	}
	if total.Forecast.WindowDays > 0 {
		w.Window = total.Forecast.WindowDays
	}
	return w, total
}

// needsText says why a stock needs attention, as the dashboard's panel does.
func needsText(n reports.Numbers, a reports.Attention) string {
	switch a.Reason {
	case "zero":
		return "at zero"
	case "below_min":
		return "at or below its minimum"
	case "forecast":
		return "runs out on " + a.Forecast.StockOut.Format("2006-01-02")
	}
	return a.Reason
}

func days(n reports.Numbers, d int) string {
	if d == 1 {
		return "1 day"
	}
	return n.Count(int64(d)) + " days"
}

// watchOf reads the product's thresholds and forecast, as of now.
func (s *Server) watchOf(r *http.Request, product string) (*productWatch, *reports.Attention, error) {
	list, err := s.cfg.Store.NeedsAttention(r.Context(), reports.AttentionQuery{})
	if err != nil {
		return nil, nil, err
	}
	w, total := productWatchOf(numbers(r), product, list)
	return w, total, nil
}
