package reports

import (
	"bytes"
	"math"

	"github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// barRow is one product's row of a horizontal bar chart.
type barRow struct {
	Product string          // its ID, or othersLabel; the label, cut to fit
	Values  []float64       // one bar each, top to bottom
	Colors  []drawing.Color // of each bar
	Title   string          // the hover text: the ID and every value, formatted
	Value   string          // written after a single bar, "" for none
}

// Horizontal bar layout, in pixels: one row per product with its label on the left, so
// that every ID reads level and whole at 1 product or 1,500 (a chart shows at most a few
// dozen rows), where slanted labels under vertical bars were clipped and dropped.
const (
	barsWidth   = 560
	barsLabelW  = 150 // the labels' column
	barsRight   = 64  // room after the longest bar for its value and the last tick's label
	barsAxisH   = 30  // the value axis under the rows
	barsFont    = 10.0
	barsBarH    = 10 // each bar of a row of two; a single bar is half as thick again
	barsRowPad  = 8
	barsMinSize = 2 // a bar of zero still shows a sliver of its colour
)

// hbars draws rows as horizontal bars on one value axis with round ticks.
func hbars(rows []barRow, f formats) (image, error) {
	barsWidth, barsLabelW := barsWidth, barsLabelW
	if f.narrow {
		barsWidth, barsLabelW = narrowWidth, 100
	}
	perRow := 1
	for _, r := range rows {
		perRow = max(perRow, len(r.Values))
	}
	barH := barsBarH
	if perRow == 1 {
		barH = barsBarH * 3 / 2
	}
	rowH := perRow*(barH+2) + barsRowPad
	top := 8
	height := top + rowH*len(rows) + barsAxisH
	var hi float64
	for _, r := range rows {
		for _, v := range r.Values {
			hi = math.Max(hi, v)
		}
	}
	x0, x1 := barsLabelW+12, barsWidth-barsRight
	ticks := niceTicks(0, hi, max(3, (x1-x0)/70))
	top_ := ticks[len(ticks)-1]
	xOf := func(v float64) int { return x0 + at(v, 0, top_, x1-x0) }

	draw := func(rp chart.RendererProvider, b *bytes.Buffer) error {
		r, err := rp(barsWidth, height)
		if err != nil {
			return err
		}
		_, isSVG := r.(*svgRenderer)
		font, err := defaultFont()
		if err != nil {
			return err
		}
		text := chart.Style{Font: font, FontSize: barsFont, FontColor: drawing.ColorFromHex("333333")}
		small := text
		small.FontSize = barsFont - 1
		small.FontColor = drawing.ColorFromHex("555555")
		grid := chart.Style{StrokeColor: drawing.ColorFromHex("e4e4e4"), StrokeWidth: 1}
		chart.Draw.Box(r, chart.Box{Right: barsWidth, Bottom: height}, chart.Style{FillColor: drawing.ColorWhite, StrokeColor: drawing.ColorWhite})
		bottom := top + rowH*len(rows)
		for _, t := range ticks {
			x := xOf(t)
			grid.GetStrokeOptions().WriteToRenderer(r)
			r.MoveTo(x, top)
			r.LineTo(x, bottom+4)
			r.Stroke()
			r.ResetStyle()
			label := f.num.Units(int64(math.Round(t * 100)))
			w := chart.Draw.MeasureText(r, label, small).Width()
			chart.Draw.Text(r, label, x-w/2, bottom+18, small)
		}
		var o overlay
		px := chart.Draw.MeasureText(r, "M", text).Height()
		for i, row := range rows {
			y := top + rowH*i
			// Room is left for a browser's font, wider than the one go-chart measures with.
			label := fitText(r, row.Product, barsLabelW*4/5, text)
			base := y + barsRowPad/2 + (perRow*(barH+2))/2 + px/2 - 1
			href := ""
			if f.links != nil && row.Product != othersLabel {
				href = f.links.Product(row.Product)
			}
			if isSVG && href != "" {
				o.link(label, row.Product, href, 4, base, drawing.PointsToPixels(r.GetDPI(), barsFont))
			} else {
				chart.Draw.Text(r, label, 4, base, text)
			}
			for j, v := range row.Values {
				by := y + barsRowPad/2 + j*(barH+2)
				chart.Draw.Box(r, chart.Box{Left: x0, Top: by, Right: max(xOf(v), x0+barsMinSize), Bottom: by + barH},
					chart.Style{FillColor: row.Colors[j], StrokeColor: row.Colors[j], StrokeWidth: 0.5})
				if j == len(row.Values)-1 && row.Value != "" {
					chart.Draw.Text(r, row.Value, max(xOf(v), x0+barsMinSize)+4, by+barH-2, small)
				}
			}
			if isSVG {
				o.tip(chart.Box{Left: x0, Top: y, Right: x1 + barsRight - 2, Bottom: y + rowH}, row.Title, "")
				if label != row.Product && href == "" {
					o.tip(chart.Box{Left: 0, Top: y, Right: barsLabelW, Bottom: y + rowH}, row.Product, "")
				}
			}
		}
		return o.save(r, b)
	}
	p, s, err := render(draw, f)
	return image{PNG: p, SVG: s}, err
}

// fitText cuts s with an ellipsis until it is at most width pixels wide in style.
func fitText(r chart.Renderer, s string, width int, style chart.Style) string {
	if chart.Draw.MeasureText(r, s, style).Width() <= width {
		return s
	}
	rs := []rune(s)
	for n := len(rs) - 1; n > 1; n-- {
		if t := string(rs[:n]) + "…"; chart.Draw.MeasureText(r, t, style).Width() <= width {
			return t
		}
	}
	return string(rs[:1]) + "…"
}

// quantitiesChart draws units sold and restocked per product as a pair of bars on one
// scale: red for sold, blue for restocked.
func quantitiesChart(rows []ProductTotals, f formats) (image, error) {
	bars := make([]barRow, 0, len(rows))
	for _, r := range rows {
		bars = append(bars, barRow{
			Product: r.Product,
			Values:  []float64{units(r.SoldCents), units(r.RestockedCents)},
			Colors:  []drawing.Color{colorSales, colorRestocks},
			Title:   r.Product + " · sold " + f.num.Units(r.SoldCents) + " units · restocked " + f.num.Units(r.RestockedCents) + " units",
		})
	}
	return hbars(bars, f)
}

// currentStockChart draws current stock, lowest first; products at zero are marked red,
// those at or below low amber.
func currentStockChart(levels []StockLevel, low int64, f formats) (image, error) {
	bars := make([]barRow, 0, len(levels))
	for _, l := range levels {
		color := colorStock
		switch {
		case l.Cents == 0:
			color = colorZero
		case l.Cents <= low:
			color = colorLow
		}
		bars = append(bars, barRow{
			Product: l.Product,
			Values:  []float64{units(l.Cents)},
			Colors:  []drawing.Color{color},
			Title:   l.Product + " · " + f.num.Units(l.Cents) + " units in stock",
			Value:   f.num.Units(l.Cents),
		})
	}
	return hbars(bars, f)
}
