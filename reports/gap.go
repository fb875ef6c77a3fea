package reports

import (
	"time"

	"github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// gap is a stretch of a stock chart with no operation: the level held from one
// operation to the next.
type gap struct {
	from, to time.Time
	cents    int64 // the level held
}

// longGap finds the longest stretch between operations, when it takes a third of the
// axis and two months or more. A product whose history stops for two years and resumes
// with one sale dated today (the README's screenshot, docs/serve.png) is drawn with its
// real dates, a flat line across those two years: the stock did hold then. The chart says
// so in the stretch, rather than leaving the reader to wonder whether the axis is wrong.
func longGap(ps []StockPoint, from, to time.Time) (gap, bool) {
	var g gap
	for i := 1; i < len(ps); i++ {
		if d := ps[i].Date.Sub(ps[i-1].Date); d > g.to.Sub(g.from) {
			g = gap{from: ps[i-1].Date, to: ps[i].Date, cents: ps[i-1].Cents}
		}
	}
	span := to.Sub(from)
	long := g.to.Sub(g.from)
	return g, span > 0 && long*3 >= span && long >= 60*24*time.Hour
}

// gapNote writes "no operation from … to …" in the stretch, away from the line.
func gapNote(g gap, lo, hi, top float64, f formats) chart.Renderable {
	return func(r chart.Renderer, canvas chart.Box, defaults chart.Style) {
		left := canvas.Left + at(chart.TimeToFloat64(g.from), lo, hi, canvas.Width())
		right := canvas.Left + at(chart.TimeToFloat64(g.to), lo, hi, canvas.Width())
		style := chart.Style{Font: defaults.Font, FontSize: 9, FontColor: drawing.ColorFromHex("444444")}
		from, to := g.from.Format("2006-01-02"), g.to.Format("2006-01-02")
		// On one line if it fits, else on two; never cut, since a date cut short is no
		// date. Room is left for a browser's wider font.
		room := (right - left) * 4 / 5
		var lines []string
		fits := func(ls ...string) bool {
			for _, l := range ls {
				if chart.Draw.MeasureText(r, l, style).Width() > room {
					return false
				}
			}
			lines = ls
			return true
		}
		if !fits("no operation from "+from+" to "+to) && !fits("no operation", from+" → "+to) && !fits("no operation", from+" →", to) {
			return
		}
		h := chart.Draw.MeasureText(r, "0", style).Height() + 3
		line := canvas.Bottom - at(units(g.cents), 0, top, canvas.Height())
		// Halfway between the line and the plot's bottom, or its top when the line is low.
		y := (line + canvas.Bottom) / 2
		if canvas.Bottom-line < 40+h {
			y = (line + canvas.Top) / 2
		}
		y -= h * (len(lines) - 1) / 2
		for i, l := range lines {
			w := chart.Draw.MeasureText(r, l, style).Width()
			chart.Draw.Text(r, l, (left+right-w)/2, y+i*h, style)
		}
	}
}
