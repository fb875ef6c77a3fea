package reports

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"time"

	"golang.org/x/image/font"

	"github.com/golang/freetype/truetype"
	"github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// Colours used consistently in every chart and table.
var (
	colorSales    = drawing.ColorFromHex("d1495b") // sales: red
	colorRestocks = drawing.ColorFromHex("2e86ab") // replenishments: blue
	colorStock    = drawing.ColorFromHex("3d5a80")
	colorZero     = drawing.ColorFromHex("b00020")
	colorLow      = drawing.ColorFromHex("edae49")
)

// Chart sizes in pixels.
const (
	chartWidth  = 960
	chartHeight = 400
	smallWidth  = 470
	smallHeight = 260
)

// image is one rendered chart in the formats asked for.
type image struct {
	Name     string // file name without extension
	Title    string
	Caption  string
	PNG, SVG []byte
}

// formats says which renderings of a chart are wanted.
type formats struct{ png, svg bool }

// render draws a chart in the formats asked for. go-chart panics on some degenerate
// inputs; that is turned into an error rather than a crash.
func render(draw func(chart.RendererProvider, *bytes.Buffer) error, f formats) (pngData, svgData []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chart: %v", r)
		}
	}()
	var b bytes.Buffer
	if f.png {
		if err := draw(chart.PNG, &b); err != nil {
			return nil, nil, err
		}
		pngData = append([]byte(nil), b.Bytes()...)
	}
	if f.svg {
		b.Reset()
		if err := draw(escapedSVG, &b); err != nil {
			return nil, nil, err
		}
		svgData = append([]byte(nil), b.Bytes()...)
	}
	return pngData, svgData, nil
}

// escapedSVG is go-chart's SVG renderer with two changes. Text is escaped: go-chart
// writes it into the SVG as it is, and product IDs are user input that may hold "<" or
// "&"; a chart inlined in a page must not add markup to it. And text is measured with
// one font face per size: go-chart makes a new face, with its glyph cache, for every
// label it measures, which cost 250 MB of garbage per dashboard.
func escapedSVG(width, height int) (chart.Renderer, error) {
	r, err := chart.SVG(width, height)
	if err != nil {
		return nil, err
	}
	return &svgRenderer{Renderer: r, faces: make(map[float64]font.Face)}, nil
}

type svgRenderer struct {
	chart.Renderer
	font  *truetype.Font
	size  float64
	theta *float64
	faces map[float64]font.Face // by size, for font
}

func (r *svgRenderer) Text(body string, x, y int) {
	r.Renderer.Text(html.EscapeString(body), x, y)
}

func (r *svgRenderer) SetFont(f *truetype.Font) {
	if f != r.font {
		clear(r.faces)
	}
	r.font = f
	r.Renderer.SetFont(f)
}

func (r *svgRenderer) SetFontSize(size float64) { r.size = size; r.Renderer.SetFontSize(size) }

func (r *svgRenderer) SetTextRotation(radians float64) {
	r.theta = &radians
	r.Renderer.SetTextRotation(radians)
}

func (r *svgRenderer) ClearTextRotation() { r.theta = nil; r.Renderer.ClearTextRotation() }

// MeasureText measures as go-chart's SVG renderer does, with a cached face.
func (r *svgRenderer) MeasureText(body string) chart.Box {
	if r.font == nil {
		return r.Renderer.MeasureText(body)
	}
	dpi := r.GetDPI()
	face, ok := r.faces[r.size]
	if !ok {
		face = truetype.NewFace(r.font, &truetype.Options{DPI: dpi, Size: r.size})
		r.faces[r.size] = face
	}
	box := chart.Box{Right: font.MeasureString(face, body).Ceil(), Bottom: int(drawing.PointsToPixels(dpi, r.size))}
	if r.theta != nil {
		box = box.Corners().Rotate(chart.RadiansToDegrees(*r.theta)).Box()
	}
	return box
}

func units(cents int64) float64 { return float64(cents) / 100 }

// valueRange keeps go-chart from failing on a flat series: it needs min < max.
func valueRange(vs []float64) *chart.ContinuousRange {
	lo, hi := 0.0, 1.0
	for _, v := range vs {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return &chart.ContinuousRange{Min: lo, Max: hi * 1.05}
}

func unitsFormatter(v any) string {
	f, ok := v.(float64)
	switch {
	case !ok:
		return ""
	case f >= 10000:
		return fmt.Sprintf("%.0fk", f/1000)
	case f >= 20 || f == math.Trunc(f):
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.1f", f)
}

// downsample keeps at most about max points of a series for drawing, keeping in every
// bucket its first, lowest, highest and last point, so no minimum or maximum is lost.
func downsample(ps []StockPoint, max int) []StockPoint {
	if len(ps) <= max || max < 8 {
		return ps
	}
	per := (len(ps) + max/4 - 1) / (max / 4)
	out := make([]StockPoint, 0, max+4)
	for i := 0; i < len(ps); i += per {
		b := ps[i:min(i+per, len(ps))]
		lo, hi := 0, 0
		for j, p := range b {
			if p.Cents < b[lo].Cents {
				lo = j
			}
			if p.Cents > b[hi].Cents {
				hi = j
			}
		}
		keep := []int{0, lo, hi, len(b) - 1}
		if lo > hi {
			keep[1], keep[2] = hi, lo
		}
		last := -1
		for _, k := range keep {
			if k != last {
				out = append(out, b[k])
				last = k
			}
		}
	}
	return out
}

// stockChart draws one product's stock over time.
func stockChart(product string, ps []StockPoint, width, height int, f formats) (image, error) {
	ps = downsample(ps, 600)
	// Stock changes at the moment of an operation and holds until the next: draw steps,
	// not slopes between operations.
	xs := make([]time.Time, 0, 2*len(ps))
	ys := make([]float64, 0, 2*len(ps))
	for i, p := range ps {
		if i > 0 {
			xs, ys = append(xs, p.Date), append(ys, ys[len(ys)-1])
		}
		xs, ys = append(xs, p.Date), append(ys, units(p.Cents))
	}
	if xs[len(xs)-1].Equal(xs[0]) {
		// One moment (one operation, or several at the same time): draw its last level
		// as a short flat line rather than nothing, which go-chart cannot scale.
		xs = append(xs, xs[0].Add(24*time.Hour))
		ys = append(ys, ys[len(ys)-1])
	}
	c := chart.Chart{
		Title:  product,
		Width:  width,
		Height: height,
		XAxis:  chart.XAxis{ValueFormatter: chart.TimeValueFormatterWithFormat("2006-01-02")},
		YAxis:  chart.YAxis{Name: "units in stock", Range: valueRange(ys), ValueFormatter: unitsFormatter},
		Series: []chart.Series{chart.TimeSeries{
			Name: "stock", XValues: xs, YValues: ys,
			Style: chart.Style{StrokeColor: colorStock, StrokeWidth: 2, FillColor: colorStock.WithAlpha(40)},
		}},
	}
	p, s, err := render(func(rp chart.RendererProvider, b *bytes.Buffer) error { return c.Render(rp, b) }, f)
	return image{Title: product, PNG: p, SVG: s}, err
}

// quantitiesChart draws units sold and restocked per product as pairs of bars on one
// scale: red for sold, blue for restocked.
func quantitiesChart(rows []ProductTotals, f formats) (image, error) {
	bars := make([]chart.Value, 0, 2*len(rows))
	for _, r := range rows {
		sold, restocked := units(r.SoldCents), units(r.RestockedCents)
		bars = append(bars,
			chart.Value{Label: shorten(r.Product, 12), Value: sold, Style: chart.Style{FillColor: colorSales, StrokeColor: colorSales}},
			chart.Value{Label: "", Value: restocked, Style: chart.Style{FillColor: colorRestocks, StrokeColor: colorRestocks}})
	}
	return barChart(bars, 6, 30, f)
}

// periodChart draws units sold and restocked per bucket of time.
func periodChart(rows []PeriodTotals, bucket Bucket, f formats) (image, error) {
	xs := make([]time.Time, len(rows))
	sold := make([]float64, len(rows))
	restocked := make([]float64, len(rows))
	for i, r := range rows {
		xs[i], sold[i], restocked[i] = r.Start, units(r.SoldCents), units(r.RestockedCents)
	}
	if len(xs) == 1 {
		xs = append(xs, xs[0].Add(24*time.Hour))
		sold = append(sold, sold[0])
		restocked = append(restocked, restocked[0])
	}
	c := chart.Chart{
		Width:      chartWidth,
		Height:     chartHeight,
		Background: chart.Style{Padding: chart.Box{Top: 50}},
		XAxis:      chart.XAxis{Name: string(bucket) + " starting", ValueFormatter: chart.TimeValueFormatterWithFormat("2006-01-02")},
		YAxis:      chart.YAxis{Name: "units", Range: valueRange(append(append([]float64{}, sold...), restocked...)), ValueFormatter: unitsFormatter},
		Series: []chart.Series{
			chart.TimeSeries{Name: "sold", XValues: xs, YValues: sold, Style: chart.Style{StrokeColor: colorSales, StrokeWidth: 2}},
			chart.TimeSeries{Name: "restocked", XValues: xs, YValues: restocked, Style: chart.Style{StrokeColor: colorRestocks, StrokeWidth: 2}},
		},
	}
	c.Elements = []chart.Renderable{chart.LegendThin(&c)}
	p, s, err := render(func(rp chart.RendererProvider, b *bytes.Buffer) error { return c.Render(rp, b) }, f)
	return image{PNG: p, SVG: s}, err
}

// currentStockChart draws current stock, lowest first; products at zero are marked red,
// those at or below low amber.
func currentStockChart(levels []StockLevel, low int64, f formats) (image, error) {
	bars := make([]chart.Value, 0, len(levels))
	for _, l := range levels {
		color := colorStock
		label := shorten(l.Product, 12)
		switch {
		case l.Cents == 0:
			color, label = colorZero, label+" (0)"
		case l.Cents <= low:
			color = colorLow
		}
		// A zero bar has no height: a sliver keeps the red mark visible.
		v := math.Max(units(l.Cents), 0.002*units(maxCents(levels)))
		bars = append(bars, chart.Value{Label: label, Value: v, Style: chart.Style{FillColor: color, StrokeColor: color}})
	}
	return barChart(bars, 8, 40, f)
}

// barChart draws bars on one scale, each minWidth to maxWidth pixels wide, labels slanted.
func barChart(bars []chart.Value, minWidth, maxWidth int, f formats) (image, error) {
	ys := make([]float64, len(bars))
	for i, b := range bars {
		ys[i] = b.Value
	}
	c := chart.BarChart{
		Width:      chartWidth,
		Height:     chartHeight,
		Background: chart.Style{Padding: chart.Box{Top: 20, Bottom: 20}},
		BarWidth:   max(minWidth, min(maxWidth, (chartWidth-100)/max(1, len(bars))-6)),
		XAxis:      chart.Style{TextRotationDegrees: 45, FontSize: 8},
		YAxis:      chart.YAxis{Range: valueRange(ys), ValueFormatter: unitsFormatter},
		Bars:       bars,
	}
	p, s, err := render(func(rp chart.RendererProvider, b *bytes.Buffer) error { return c.Render(rp, b) }, f)
	return image{PNG: p, SVG: s}, err
}

func maxCents(levels []StockLevel) int64 {
	var m int64 = 100
	for _, l := range levels {
		m = max(m, l.Cents)
	}
	return m
}

// shorten cuts a label to n characters with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
