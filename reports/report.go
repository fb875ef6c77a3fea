package reports

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Options say what to render and where.
type Options struct {
	Out    string // directory to write into
	Filter Filter
	PNG    bool // write each chart as a PNG file
	SVG    bool // write each chart as an SVG file
	HTML   bool // write index.html
	// Now is the generation time shown on the page.
	Now time.Time
	// LowCents is the stock at or below which a product counts as near zero.
	LowCents int64
	// Rows is how many operations the table lists; 0 means 500.
	Rows int
	// Recent lists the operations most recently recorded rather than the newest by
	// business date, as a live view does.
	Recent bool
	// Numbers writes the numbers people read; the zero value writes English.
	Numbers Numbers
	// Links, set by a live view (stockctl serve), make product IDs links to their pages
	// and point the page's "more" notes at the pages that list everything. A report
	// written to files has none: it opens from file:// with nothing to follow.
	Links *Links
	// Attention, when set, reads what needs attention (issue 20) once for the page: the
	// "Needs attention" section, the reorder list and each stock chart's minimum and
	// forecast. Nil leaves them out.
	Attention AttentionReader
	// ReorderList adds the table of what to order (the report's; the dashboard's section
	// shows each stock's suggested order already).
	ReorderList bool
}

// Links are the pages of a live view that a report's views link to.
type Links struct {
	Product      func(id string) string // a product's page
	Products     string                 // every product, sortable and searchable
	Operations   string                 // every operation, filterable, with downloads
	NewOperation string                 // the entry form
}

// Limits of what a page shows.
const (
	topProducts    = 15  // bars and heat-table rows before the rest are grouped as "others"
	stockCharts    = 6   // small multiples when no product is selected
	maxStockCharts = 12  // charts when products are selected
	lowestStock    = 25  // products in the current-stock chart
	tableRows      = 500 // operations listed
	rejectedRows   = 100
	repairRows     = 100
)

// Result says what was written.
type Result struct {
	Index      string   // path of index.html, if written
	Files      []string // every file written
	Operations int      // operations in the period
}

// Render reads the report's data from store and writes it to opt.Out.
func Render(ctx context.Context, store Store, opt Options) (Result, error) {
	p, err := build(ctx, store, opt, formats{png: opt.PNG || opt.HTML, svg: opt.SVG, links: opt.Links})
	if err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return Result{}, fmt.Errorf("report: %w", err)
	}
	res := Result{Operations: p.Summary.Operations}
	write := func(name string, data []byte) error {
		path := filepath.Join(opt.Out, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		res.Files = append(res.Files, path)
		return nil
	}
	for _, img := range p.images() {
		if opt.PNG {
			if err := write(img.Name+".png", img.PNG); err != nil {
				return Result{}, err
			}
		}
		if opt.SVG && img.SVG != nil {
			if err := write(img.Name+".svg", img.SVG); err != nil {
				return Result{}, err
			}
		}
	}
	if opt.HTML {
		var b strings.Builder
		if err := pageTemplate.Execute(&b, p); err != nil {
			return Result{}, fmt.Errorf("report: %w", err)
		}
		if err := write("index.html", []byte(b.String())); err != nil {
			return Result{}, err
		}
		res.Index = filepath.Join(opt.Out, "index.html")
	}
	return res, nil
}

// page is everything index.html shows.
type page struct {
	Title, Period, Generated string
	Filter                   Filter
	Unknown                  []string // selected products with no operation ever
	Summary                  summary
	Stock                    []image
	Quantities, Periods      *image
	Adjusted                 *image // units adjusted per period, when any were
	Heat                     *image
	HeatRows                 []ProductTotals
	HeatMax                  int
	Current                  *image
	CurrentShown, Products   int
	Levels                   []StockLevel // current stock, lowest first
	Places                   *places      // stock per location, when more than one is used
	StockHeading             string       // "Current stock", or at the end of Filter.AsOf
	Operations               []Operation
	OperationsLeft           int
	Rejected                 []Rejection
	RejectedTotal            int
	Repairs                  []Repair // voids, corrections, counts, adjustments: newest first
	RepairsTotal             int
	Empty                    bool
	Recent                   bool
	Bucket                   Bucket
	// Num writes the numbers; Links, for a live view, where product IDs and "all" point.
	Num   Numbers
	Links *Links
	// Attention is the "Needs attention" section, nil when not read; ReorderList shows
	// its reorder list.
	Attention   *attentionSection
	ReorderList bool
	// watched is each product's watched stock, for its chart.
	watched map[string]Attention
}

type summary struct {
	Products, Operations      int
	SoldCents, RestockedCents int64
	Adjustments               int   // adjustments and counts
	AdjustedCents             int64 // what they moved, signed
	AtZero, Low               int
	LowCents                  int64
	ProductsWithStock         int
}

func (p *page) images() []image {
	var out []image
	out = append(out, p.Stock...)
	for _, img := range []*image{p.Quantities, p.Heat, p.Periods, p.Adjusted, p.Current} {
		if img != nil {
			out = append(out, *img)
		}
	}
	return out
}

func build(ctx context.Context, store Store, opt Options, fm formats) (*page, error) {
	f := opt.Filter
	fm.num, fm.links = opt.Numbers, opt.Links
	p := &page{Filter: f, Generated: opt.Now.Format("2006-01-02 15:04:05 MST"), Period: periodText(f), Num: opt.Numbers, Links: opt.Links}
	p.Title, p.StockHeading = "Stock report, "+p.Period, "Current stock"
	if !f.AsOf.IsZero() {
		day := f.AsOf.Format("2006-01-02")
		p.Title, p.StockHeading = "Stock report as of the end of "+day, "Stock at the end of "+day
		if !f.From.IsZero() {
			p.Title += ", operations from " + f.From.Format("2006-01-02")
		}
	}
	if f.Location != "" {
		p.Title = strings.Replace(p.Title, "Stock report", "Stock report of location "+f.Location, 1)
		p.StockHeading += " in " + f.Location
	}
	if opt.Attention != nil {
		var err error
		if p.Attention, p.watched, err = readAttention(ctx, opt.Attention, f, opt.Now); err != nil {
			return nil, err
		}
		p.ReorderList = opt.ReorderList
	}
	if len(f.Products) > 0 {
		known, err := store.KnownProducts(ctx, f.Products)
		if err != nil {
			return nil, err
		}
		p.Unknown = missing(f.Products, known)
	}
	totals, err := store.ProductTotals(ctx, f)
	if err != nil {
		return nil, err
	}
	for _, t := range totals {
		p.Summary.Operations += t.Sales + t.Restocks + t.Adjustments
		p.Summary.SoldCents += t.SoldCents
		p.Summary.RestockedCents += t.RestockedCents
		p.Summary.Adjustments += t.Adjustments
		p.Summary.AdjustedCents += t.AdjustedCents
	}
	p.Summary.Products = len(totals)
	p.Summary.LowCents = opt.LowCents
	if p.Summary.AtZero, p.Summary.Low, err = store.StockCounts(ctx, f, opt.LowCents); err != nil {
		return nil, err
	}
	levels, total, err := store.CurrentStock(ctx, f, lowestStock)
	if err != nil {
		return nil, err
	}
	p.Summary.ProductsWithStock, p.Products, p.CurrentShown, p.Levels = total, total, len(levels), levels
	if len(levels) > 0 {
		img, err := twice(fm, func(fm formats) (image, error) { return currentStockChart(levels, opt.LowCents, fm) })
		if err != nil {
			return nil, err
		}
		img.Name, img.Title = "current-stock", p.StockHeading+", lowest first"
		img.Caption = fmt.Sprintf("The %s products with the least stock of %s; red bars are at zero, amber ones at or below %s units.",
			fm.num.Count(int64(len(levels))), fm.num.Count(int64(total)), fm.num.Units(opt.LowCents))
		p.Current = &img
	}
	if ls, ok := store.(LocationStocker); ok && f.AsOf.IsZero() {
		// Stock per location is known now only: a report as of a past day has none.
		levels, err := ls.LocationLevels(ctx, f)
		if err != nil {
			return nil, err
		}
		p.Places = buildPlaces(levels)
	}
	p.Rejected, p.RejectedTotal, err = store.Rejected(ctx, f, rejectedRows)
	if err != nil {
		return nil, err
	}
	if p.Repairs, p.RepairsTotal, err = store.Repairs(ctx, f, repairRows); err != nil {
		return nil, err
	}
	if p.Summary.Operations == 0 {
		p.Empty = true
		return p, nil
	}

	top := topByActivity(totals, topProducts)
	if err := p.addActivityCharts(top, fm); err != nil {
		return nil, err
	}
	if err := p.addPeriodChart(ctx, store, f, fm); err != nil {
		return nil, err
	}
	if err := p.addStockCharts(ctx, store, f, totals, fm); err != nil {
		return nil, err
	}
	rows := opt.Rows
	if rows <= 0 {
		rows = tableRows
	}
	list := store.Operations
	if opt.Recent {
		list = store.RecentOperations
	}
	// A location's operations come in business-date order only (the view has no record
	// order): the heading says so.
	p.Recent = opt.Recent && f.Location == ""
	ops, err := list(ctx, f, rows)
	if err != nil {
		return nil, err
	}
	// A location's transfers are listed but not counted among its operations.
	p.Operations, p.OperationsLeft = ops, max(0, p.Summary.Operations-len(ops))
	return p, nil
}

func (p *page) addActivityCharts(top []ProductTotals, fm formats) error {
	bars, caption := top, "Red: units sold; blue: units restocked, side by side for each product."
	if n := len(top); n > 0 && top[n-1].Product == othersLabel {
		// The rest added up would dwarf every product's bars: it is stated, not drawn.
		bars = top[:n-1]
		caption = fmt.Sprintf("Red: units sold; blue: units restocked, for the %d most active products. "+
			"The other products together sold %s and restocked %s units.", n-1, fm.num.Units(top[n-1].SoldCents), fm.num.Units(top[n-1].RestockedCents))
	}
	q, err := twice(fm, func(fm formats) (image, error) { return quantitiesChart(bars, fm) })
	if err != nil {
		return err
	}
	q.Name, q.Title = "quantities-by-product", "Units sold and restocked per product"
	q.Caption = caption
	p.Quantities = &q
	h, err := twice(fm, func(fm formats) (image, error) { return heatTable(top, fm) })
	if err != nil {
		return err
	}
	h.Name, h.Title = "operations-per-product", "Operations per product and type"
	h.Caption = "Number of sales and of replenishments per product; the darker the cell, the more operations" + othersNote(top) + "."
	p.Heat, p.HeatRows, p.HeatMax = &h, top, heatMax(top)
	return nil
}

func (p *page) addStockCharts(ctx context.Context, store Store, f Filter, totals []ProductTotals, fm formats) error {
	var products []string
	width, height := smallWidth, smallHeight
	if len(f.Products) > 0 {
		for _, t := range totals {
			products = append(products, t.Product)
		}
		if len(products) > maxStockCharts {
			products = products[:maxStockCharts]
		}
		if len(products) == 1 {
			width, height = periodWidth, chartHeight
		}
	} else {
		for _, t := range topByActivity(totals, stockCharts) {
			if t.Product != othersLabel {
				products = append(products, t.Product)
			}
		}
	}
	for i, product := range products {
		series, err := store.StockSeries(ctx, f, product)
		if err != nil {
			return err
		}
		if len(series) == 0 {
			continue
		}
		w := p.watchOf(product, f)
		img, err := twice(fm, func(fm formats) (image, error) {
			return watchedStockChart(product, product, series, f.From, f.To, width, height, fm, w)
		})
		if err != nil {
			return err
		}
		img.Name = fmt.Sprintf("stock-%02d", i+1)
		img.Caption = fmt.Sprintf("Stock of %s by business date.", product)
		img.Product = product
		p.Stock = append(p.Stock, img)
	}
	return nil
}

// othersLabel names the row that groups the products beyond the top ones.
const othersLabel = "(others)"

// topByActivity returns the n products with the most operations, most active first, and
// one more row adding up all the others.
func topByActivity(totals []ProductTotals, n int) []ProductTotals {
	sorted := append([]ProductTotals(nil), totals...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i].Sales+sorted[i].Restocks+sorted[i].Adjustments, sorted[j].Sales+sorted[j].Restocks+sorted[j].Adjustments
		if a != b {
			return a > b
		}
		return sorted[i].Product < sorted[j].Product
	})
	if len(sorted) <= n {
		return sorted
	}
	others := ProductTotals{Product: othersLabel}
	for _, t := range sorted[n:] {
		others.Sales += t.Sales
		others.Restocks += t.Restocks
		others.SoldCents += t.SoldCents
		others.RestockedCents += t.RestockedCents
		others.Adjustments += t.Adjustments
		others.AdjustedCents += t.AdjustedCents
	}
	return append(sorted[:n], others)
}

func othersNote(rows []ProductTotals) string {
	if len(rows) > 0 && rows[len(rows)-1].Product == othersLabel {
		return fmt.Sprintf("; the %d most active products, the rest added up as %s", len(rows)-1, othersLabel)
	}
	return ""
}

func missing(want, have []string) []string {
	known := make(map[string]bool, len(have))
	for _, h := range have {
		known[h] = true
	}
	var out []string
	for _, w := range want {
		if !known[w] {
			out = append(out, w)
		}
	}
	return out
}

func periodText(f Filter) string {
	switch {
	case f.From.IsZero() && f.To.IsZero():
		return "all operations"
	case f.From.IsZero():
		return "up to " + f.To.Format("2006-01-02")
	case f.To.IsZero():
		return "from " + f.From.Format("2006-01-02")
	}
	return f.From.Format("2006-01-02") + " to " + f.To.Format("2006-01-02")
}
