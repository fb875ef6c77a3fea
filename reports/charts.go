package reports

import (
	"bytes"
	"fmt"
	"sync"
	"time"

	"github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// Colours used consistently in every chart and table.
var (
	colorSales    = drawing.ColorFromHex("d1495b") // sales: red
	colorRestocks = drawing.ColorFromHex("2e86ab") // replenishments: blue
	colorStock    = drawing.ColorFromHex("3d5a80")
	colorAdjIn    = drawing.ColorFromHex("2a9d57") // adjustments and counts that added units: green
	colorAdjOut   = drawing.ColorFromHex("8e5ea2") // those that took units out: purple
	colorZero     = drawing.ColorFromHex("b00020")
	colorLow      = drawing.ColorFromHex("edae49")
)

// Chart sizes in pixels.
const (
	chartHeight = 400
	periodWidth = 640 // narrower than the page: still readable scaled down to a phone
	smallWidth  = 470
	smallHeight = 260
	// narrowWidth is a chart's width on a phone: drawn at about the width it is shown
	// at, its labels keep their size, where a wide chart scaled down to 343 px drew them
	// at 7 px. A live view draws both and lets the page's CSS show one (see chartHTML).
	narrowWidth  = 340
	narrowHeight = 260
)

// image is one rendered chart in the formats asked for.
type image struct {
	Name     string // file name without extension
	Title    string
	Caption  string
	Product  string // the product a stock chart is of
	PNG, SVG []byte
	Narrow   []byte // the SVG drawn narrowWidth wide for a phone, in a live view
}

// formats says which renderings of a chart are wanted, how their numbers are written
// and, for a live view, where a product's ID links to.
type formats struct {
	png, svg bool
	num      Numbers
	links    *Links
	// narrow draws a chart narrowWidth wide, for a phone; twice sets it.
	narrow bool
	// both has a live view draw every chart wide and narrow (see twice).
	both bool
}

// twice draws a chart with f and, for a live view (f.both), again narrow, for the page
// to show the one that fits the screen: the server cannot know the screen's width. The
// narrow drawing is made alongside the wide one, on another core: drawn one after the
// other they added half again to the dashboard's time.
func twice(f formats, draw func(formats) (image, error)) (image, error) {
	if !f.both {
		return draw(f)
	}
	if _, err := defaultFont(); err != nil {
		return image{}, err
	}
	var narrow image
	var nerr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		nf := f
		nf.narrow, nf.png = true, false
		narrow, nerr = draw(nf)
	}()
	img, err := draw(f)
	<-done
	if err != nil {
		return image{}, err
	}
	if nerr != nil {
		return image{}, nerr
	}
	img.Narrow = narrow.SVG
	return img, nil
}

// defaultFont is go-chart's font, loaded once. go-chart loads it on first use and reads
// its pointer without a lock, so two drawings starting at once in a new process (two
// requests to a server just started, or twice's two layouts) raced on it. Every drawing
// calls this first: once it has returned, go-chart's own loads only read the pointer.
var defaultFont = sync.OnceValues(chart.GetDefaultFont)

// render draws a chart in the formats asked for. go-chart panics on some degenerate
// inputs; that is turned into an error rather than a crash.
func render(draw func(chart.RendererProvider, *bytes.Buffer) error, f formats) (pngData, svgData []byte, err error) {
	if _, err := defaultFont(); err != nil {
		return nil, nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chart: %v", r)
		}
	}()
	var b bytes.Buffer
	if f.png {
		if err := draw(steadyPNG, &b); err != nil {
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

func units(cents int64) float64 { return float64(cents) / 100 }

// Light lines across the plot at each value tick, to read a level against.
var gridStyle = chart.Style{StrokeColor: drawing.ColorFromHex("e8e8e8"), StrokeWidth: 1}

// plotted renders a go-chart chart; in SVG, tips then lays hover values over it, given
// where the plot was drawn. A title, if any, is drawn in padding above the plot, never
// over the line as go-chart's own title is.
func plotted(c chart.Chart, title string, tips func(canvas chart.Box, o *overlay)) func(chart.RendererProvider, *bytes.Buffer) error {
	return func(rp chart.RendererProvider, b *bytes.Buffer) error {
		var canvas chart.Box
		c := c
		c.Elements = append(append([]chart.Renderable(nil), c.Elements...), canvasOf(&canvas))
		if title != "" {
			c.Background.Padding.Top = max(c.Background.Padding.Top, 34)
			c.Elements = append(c.Elements, func(r chart.Renderer, canvas chart.Box, defaults chart.Style) {
				style := chart.Style{Font: defaults.Font, FontSize: 11, FontColor: drawing.ColorFromHex("222222")}
				// A long ID is cut to the plot's width, with room for a browser's wider font;
				// the caption under the chart holds it whole.
				chart.Draw.Text(r, fitText(r, title, canvas.Width()*4/5, style), canvas.Left, canvas.Top-14, style)
			})
		}
		svg := false
		provider := func(w, h int) (chart.Renderer, error) {
			r, err := rp(w, h)
			_, svg = r.(*svgRenderer)
			return r, err
		}
		var tmp bytes.Buffer
		if err := c.Render(provider, &tmp); err != nil {
			return err
		}
		if !svg || tips == nil {
			b.Write(tmp.Bytes())
			return nil
		}
		var o overlay
		tips(canvas, &o)
		b.Write(o.splice(tmp.Bytes()))
		return nil
	}
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

// stockChart draws one product's stock over time, from from to to: the period asked,
// or the product's own first and last operation.
// The title, when not "", is drawn above the plot.
func stockChart(product, title string, ps []StockPoint, from, to time.Time, width, height int, f formats) (image, error) {
	return watchedStockChart(product, title, ps, from, to, width, height, f, watch{})
}

// watchedStockChart is stockChart with the stock's minimum and forecast drawn over it
// (see watch).
func watchedStockChart(product, title string, ps []StockPoint, from, to time.Time, width, height int, f formats, w watch) (image, error) {
	if f.narrow {
		width, height = narrowWidth, min(height, narrowHeight)
	}
	ps = downsample(ps, 600)
	if from.IsZero() || ps[0].Date.Before(from) {
		from = ps[0].Date
	}
	if to.IsZero() || ps[len(ps)-1].Date.After(to) {
		to = ps[len(ps)-1].Date
	}
	if !to.After(from) {
		// One moment (one operation, or several at the same time): its day, so the level
		// shows as a short flat line go-chart can scale.
		from = day(from)
		to = from.AddDate(0, 0, 1)
	}
	// Stock changes at the moment of an operation and holds until the next, and to the
	// end of the axis: draw steps, not slopes between operations.
	xs := make([]time.Time, 0, 2*len(ps)+1)
	ys := make([]float64, 0, 2*len(ps)+1)
	for i, p := range ps {
		if i > 0 {
			xs, ys = append(xs, p.Date), append(ys, ys[len(ys)-1])
		}
		xs, ys = append(xs, p.Date), append(ys, units(p.Cents))
	}
	// The forecast starts today, from the stock now: the stock holds to today, and the
	// axis runs on to where the forecast ends.
	var fxs []time.Time
	var fys []float64
	if w.forecast && !to.After(w.start.AddDate(0, 0, 1)) {
		if last := xs[len(xs)-1]; last.After(w.start) {
			// Today's last operation is at a time of day: the forecast starts after it.
			w.start = last
		}
		fxs, fys = w.forecastLine()
		to = w.start
	}
	if to.After(xs[len(xs)-1]) {
		xs, ys = append(xs, to), append(ys, ys[len(ys)-1])
	}
	scale := ys
	if w.hasMin {
		scale = append(append([]float64(nil), ys...), units(w.min))
	}
	if fxs != nil {
		to = fxs[1]
	}
	yTicks, yRange := valueTicks(scale, max(3, height/45), f.num)
	xAxis := timeAxis(from, to, width-80)
	c := chart.Chart{
		Width:  width,
		Height: height,
		XAxis:  xAxis,
		YAxis: chart.YAxis{Name: "units in stock", Ticks: yTicks, Range: yRange,
			GridMajorStyle: gridStyle, GridMinorStyle: gridStyle},
		// go-chart draws a second value axis even with no series on it: its labels, "0.00"
		// at a position of NaN, land far outside the picture.
		YAxisSecondary: chart.HideYAxis(),
		Series: []chart.Series{chart.TimeSeries{
			Name: "stock", XValues: xs, YValues: ys,
			Style: chart.Style{StrokeColor: colorStock, StrokeWidth: 2, FillColor: colorStock.WithAlpha(40)},
		}},
	}
	if w.hasMin {
		c.Series = append(c.Series, chart.TimeSeries{Name: "minimum", XValues: []time.Time{from, to}, YValues: []float64{units(w.min), units(w.min)},
			Style: chart.Style{StrokeColor: colorMin, StrokeWidth: 1.5}})
		c.Elements = append(c.Elements, minLabel("min "+f.num.Units(w.min), units(w.min), yRange.Max))
	}
	if fxs != nil {
		c.Series = append(c.Series, chart.TimeSeries{Name: "forecast", XValues: fxs, YValues: fys,
			Style: chart.Style{StrokeColor: colorForecast, StrokeWidth: 2, StrokeDashArray: []float64{6, 4}}})
	}
	lo, hi := xAxis.Range.GetMin(), xAxis.Range.GetMax()
	tips := func(canvas chart.Box, o *overlay) {
		for i, p := range ps {
			left := canvas.Left + at(chart.TimeToFloat64(p.Date), lo, hi, canvas.Width())
			right := canvas.Right
			if fxs != nil {
				right = canvas.Left + at(chart.TimeToFloat64(fxs[0]), lo, hi, canvas.Width())
			}
			if i+1 < len(ps) {
				right = canvas.Left + at(chart.TimeToFloat64(ps[i+1].Date), lo, hi, canvas.Width())
			}
			o.tip(chart.Box{Left: left, Top: canvas.Top, Right: max(right, left+1), Bottom: canvas.Bottom},
				product+" · "+when(p.Date)+" · "+f.num.Units(p.Cents)+" in stock", "")
		}
		if fxs != nil {
			left := canvas.Left + at(chart.TimeToFloat64(fxs[0]), lo, hi, canvas.Width())
			o.tip(chart.Box{Left: left, Top: canvas.Top, Right: max(canvas.Right, left+1), Bottom: canvas.Bottom},
				product+" · forecast: runs out "+w.out.Format("2006-01-02")+" at the recent rate of sales", "")
		}
	}
	if g, ok := longGap(ps, from, to); ok {
		c.Elements = append(c.Elements, gapNote(g, lo, hi, yRange.Max, f))
	}
	p, s, err := render(plotted(c, title, tips), f)
	return image{Title: product, PNG: p, SVG: s}, err
}

// when writes a business date, with its time of day when it has one.
func when(t time.Time) string {
	if t.Equal(day(t)) {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04")
}

// periodSeries is one line of a chart per period: its name, colour and value.
type periodSeries struct {
	name  string
	color drawing.Color
	cents func(PeriodTotals) int64
}

// soldRestocked and adjustedInOut are the lines of the two charts per period. Adjustments
// and counts have their own chart, on their own scale: a few dozen units a week on the
// scale of thousands sold drew two flat lines at zero.
var (
	soldRestocked = []periodSeries{
		{"sold", colorSales, func(r PeriodTotals) int64 { return r.SoldCents }},
		{"restocked", colorRestocks, func(r PeriodTotals) int64 { return r.RestockedCents }},
	}
	adjustedInOut = []periodSeries{
		{"adjusted in", colorAdjIn, func(r PeriodTotals) int64 { return r.AdjustedInCents }},
		{"adjusted out", colorAdjOut, func(r PeriodTotals) int64 { return r.AdjustedOutCents }},
	}
)

// periodChart draws units sold and restocked per bucket of time, each at its bucket's
// start, on an axis ticked on period starts.
func periodChart(rows []PeriodTotals, bucket Bucket, width int, f formats) (image, error) {
	return periodLines(rows, bucket, width, f, soldRestocked)
}

// adjustedChart draws the units adjustments and counts added and took out per bucket.
func adjustedChart(rows []PeriodTotals, bucket Bucket, width int, f formats) (image, error) {
	return periodLines(rows, bucket, width, f, adjustedInOut)
}

func periodLines(rows []PeriodTotals, bucket Bucket, width int, f formats, lines []periodSeries) (image, error) {
	height := chartHeight
	if f.narrow {
		width, height = narrowWidth, narrowHeight+40
	}
	xs := make([]time.Time, len(rows))
	ys := make([][]float64, len(lines))
	var all []float64
	for j, l := range lines {
		ys[j] = make([]float64, len(rows))
		for i, r := range rows {
			xs[i], ys[j][i] = r.Start, units(l.cents(r))
		}
		all = append(all, ys[j]...)
	}
	from, to := xs[0], xs[len(xs)-1]
	if len(xs) == 1 {
		to = from.AddDate(0, 0, 1)
		xs = append(xs, to)
		for j := range ys {
			ys[j] = append(ys[j], ys[j][0])
		}
	}
	yTicks, yRange := valueTicks(all, 8, f.num)
	xAxis := timeAxis(from, to, width-80)
	var series []chart.Series
	var names []string
	var colors []drawing.Color
	for j, l := range lines {
		series = append(series, chart.TimeSeries{Name: l.name, XValues: xs, YValues: ys[j], Style: chart.Style{StrokeColor: l.color, StrokeWidth: 2}})
		names, colors = append(names, l.name), append(colors, l.color)
	}
	c := chart.Chart{
		Width:          width,
		Height:         height,
		Background:     chart.Style{Padding: chart.Box{Top: 50, Left: 20, Right: 20, Bottom: 10}},
		XAxis:          xAxis,
		YAxis:          chart.YAxis{Name: "units", Ticks: yTicks, Range: yRange, GridMajorStyle: gridStyle, GridMinorStyle: gridStyle},
		YAxisSecondary: chart.HideYAxis(),
		Series:         series,
	}
	c.Elements = []chart.Renderable{legend(names, colors)}
	lo, hi := xAxis.Range.GetMin(), xAxis.Range.GetMax()
	tips := func(canvas chart.Box, o *overlay) {
		half := canvas.Width() / max(1, 2*len(rows))
		for _, r := range rows {
			x := canvas.Left + at(chart.TimeToFloat64(r.Start), lo, hi, canvas.Width())
			tip := bucketName(bucket, r.Start)
			for _, l := range lines {
				tip += " · " + l.name + " " + f.num.Units(l.cents(r))
			}
			o.tip(chart.Box{Left: max(canvas.Left, x-half), Top: canvas.Top, Right: min(canvas.Right, x+max(half, 1)), Bottom: canvas.Bottom},
				tip+" units", "")
		}
	}
	p, s, err := render(plotted(c, "", tips), f)
	return image{PNG: p, SVG: s}, err
}

// legend draws a line of each colour and its name above the plot's left end, in the
// padding: go-chart's LegendThin spreads a box over the whole width and, measured with
// one font and drawn by a browser in another, put its names under their lines.
func legend(names []string, colors []drawing.Color) chart.Renderable {
	return func(r chart.Renderer, canvas chart.Box, defaults chart.Style) {
		style := chart.Style{Font: defaults.Font, FontSize: 10, FontColor: drawing.ColorFromHex("333333")}
		x, y := canvas.Left, canvas.Top-16
		for i, name := range names {
			line := chart.Style{StrokeColor: colors[i], StrokeWidth: 3}
			line.GetStrokeOptions().WriteToRenderer(r)
			r.MoveTo(x, y-4)
			r.LineTo(x+20, y-4)
			r.Stroke()
			r.ResetStyle()
			chart.Draw.Text(r, name, x+26, y, style)
			x += 26 + chart.Draw.MeasureText(r, name, style).Width()*5/4 + 24
		}
	}
}

// bucketName says which bucket starts at t: "week of 2024-03-04", "March 2024".
func bucketName(b Bucket, t time.Time) string {
	switch b {
	case Month:
		return t.Format("January 2006")
	case Week:
		return "week of " + t.Format("2006-01-02")
	}
	return t.Format("2006-01-02")
}
