package reports

import (
	"bytes"

	"github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// heatColor shades from white (no operations) to full (the most operations of any cell).
func heatColor(full drawing.Color, n, maxN int) drawing.Color {
	if maxN == 0 || n == 0 {
		return drawing.ColorWhite
	}
	f := 0.15 + 0.85*min(1, float64(n)/float64(maxN))
	mix := func(c uint8) uint8 { return uint8(255 - f*(255-float64(c))) }
	return drawing.Color{R: mix(full.R), G: mix(full.G), B: mix(full.B), A: 255}
}

// heatMax is the largest count of any product's cell; the "others" row, a sum, is not
// let to wash out the products' shades.
func heatMax(rows []ProductTotals) int {
	m := 0
	for _, r := range rows {
		if r.Product != othersLabel {
			m = max(m, r.Sales, r.Restocks)
		}
	}
	return m
}

// heatTable draws operations per product and type as a table whose cells are shaded by
// count: go-chart has no heat map, so the cells are drawn with its renderer.
func heatTable(rows []ProductTotals, f formats) (image, error) {
	const (
		rowH = 22
		top  = 30
	)
	width, labelW, cellW := 560, 240, 150
	if f.narrow {
		width, labelW, cellW = narrowWidth, 120, 110
	}
	height := top + rowH*(len(rows)+1) + 10
	maxN := heatMax(rows)
	draw := func(rp chart.RendererProvider, b *bytes.Buffer) error {
		r, err := rp(width, height)
		if err != nil {
			return err
		}
		_, isSVG := r.(*svgRenderer)
		var o overlay
		font, err := defaultFont()
		if err != nil {
			return err
		}
		text := func(s string, x, y int, bold bool, c drawing.Color) {
			st := chart.Style{Font: font, FontSize: 10, FontColor: c}
			if bold {
				st.FontSize = 11
			}
			chart.Draw.Text(r, s, x, y, st)
		}
		chart.Draw.Box(r, chart.Box{Top: 0, Left: 0, Right: width, Bottom: height}, chart.Style{FillColor: drawing.ColorWhite, StrokeColor: drawing.ColorWhite})
		text("product", 8, top-8, true, drawing.ColorBlack)
		text("sales", labelW+8, top-8, true, colorSales)
		text("replenishments", labelW+cellW+8, top-8, true, colorRestocks)
		for i, row := range rows {
			y := top + rowH*i
			label := fitText(r, row.Product, (labelW-16)*4/5, chart.Style{Font: font, FontSize: 10})
			href := ""
			if f.links != nil && row.Product != othersLabel {
				href = f.links.Product(row.Product)
			}
			if isSVG && href != "" {
				o.link(label, row.Product, href, 8, y+rowH-7, drawing.PointsToPixels(r.GetDPI(), 10))
			} else {
				text(label, 8, y+rowH-7, false, drawing.ColorBlack)
				if isSVG && label != row.Product {
					o.tip(chart.Box{Left: 0, Top: y, Right: labelW, Bottom: y + rowH}, row.Product, "")
				}
			}
			for j, cell := range []struct {
				n     int
				color drawing.Color
				what  string
			}{{row.Sales, colorSales, " sales"}, {row.Restocks, colorRestocks, " replenishments"}} {
				x := labelW + cellW*j
				fill := heatColor(cell.color, cell.n, maxN)
				chart.Draw.Box(r, chart.Box{Top: y + 1, Left: x, Right: x + cellW - 4, Bottom: y + rowH - 1},
					chart.Style{FillColor: fill, StrokeColor: drawing.ColorFromHex("dddddd"), StrokeWidth: 1})
				ink := drawing.ColorBlack
				if float64(cell.n) > 0.6*float64(maxN) {
					ink = drawing.ColorWhite
				}
				text(f.num.Count(int64(cell.n)), x+8, y+rowH-7, false, ink)
				if isSVG {
					o.tip(chart.Box{Left: x, Top: y, Right: x + cellW - 4, Bottom: y + rowH}, row.Product+" · "+f.num.Count(int64(cell.n))+cell.what, "")
				}
			}
		}
		return o.save(r, b)
	}
	p, s, err := render(draw, f)
	return image{PNG: p, SVG: s}, err
}
