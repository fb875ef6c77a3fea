package reports

import (
	"time"

	"github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// watch is what a stock chart draws beside the stock itself: the minimum a threshold
// sets, as a line across the plot, and the forecast, a dashed line from today's stock
// down to zero on the stock-out date at the recent rate of sales.
type watch struct {
	hasMin   bool
	min      int64
	forecast bool
	start    time.Time // today: where the forecast starts
	stock    int64
	out      time.Time // the stock-out date
}

// maxForecastDays is how far past today a chart draws the forecast: a slow seller's
// stock-out a year away would squeeze its whole history into the left edge. Past it the
// dashed line stops at the level it reaches then, still sloping down.
const maxForecastDays = 90

// watchOf returns what a chart of a's stock draws beside it, seen on today.
func watchOf(a Attention, today time.Time) watch {
	var w watch
	if a.Threshold != nil {
		w.hasMin, w.min = true, a.Threshold.Min.Cents()
	}
	if a.Forecast.HasRate && a.Stock > 0 {
		w.forecast, w.start, w.stock, w.out = true, day(today), a.Stock, day(a.Forecast.StockOut)
		if !w.out.After(w.start) {
			// Runs out today: drawn to the end of the day.
			w.out = w.start.AddDate(0, 0, 1)
		}
	}
	return w
}

// forecastLine returns the dashed line's two ends: today's stock, and zero on the
// stock-out date, or the level reached maxForecastDays later when that is sooner.
func (w watch) forecastLine() (xs []time.Time, ys []float64) {
	end, level := w.out, 0.0
	if limit := w.start.AddDate(0, 0, maxForecastDays); end.After(limit) {
		all, part := w.out.Sub(w.start).Hours(), limit.Sub(w.start).Hours()
		end, level = limit, units(w.stock)*(1-part/all)
	}
	return []time.Time{w.start, end}, []float64{units(w.stock), level}
}

// Colours of the minimum's line and the forecast's.
var (
	colorMin      = drawing.ColorFromHex("c77c02")
	colorForecast = drawing.ColorFromHex("3d5a80")
)

// minLabel writes "min 20" just above the minimum's line at the plot's left end.
func minLabel(text string, min, top float64) chart.Renderable {
	return func(r chart.Renderer, canvas chart.Box, defaults chart.Style) {
		style := chart.Style{Font: defaults.Font, FontSize: 9, FontColor: colorMin}
		y := canvas.Bottom - at(min, 0, top, canvas.Height())
		if y-4 < canvas.Top+10 {
			// At the top of the plot: under the line rather than over the edge.
			y += 14
		} else {
			y -= 4
		}
		chart.Draw.Text(r, text, canvas.Left+4, y, style)
	}
}

// watchOf returns what product's chart in p draws beside its stock: nothing when the
// page read no watched stocks, and no forecast on a chart that ends before today.
func (p *page) watchOf(product string, f Filter) watch {
	a, ok := p.watched[product]
	if !ok || p.Attention == nil {
		return watch{}
	}
	w := watchOf(a, p.Attention.Today)
	if !f.To.IsZero() && f.To.Before(p.Attention.Today) {
		w.forecast = false
	}
	return w
}
