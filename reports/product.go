package reports

import (
	"context"
	"html/template"
)

// StockChart renders one product's stock over opt.Filter's period as inline SVG, for a
// live page: the product page shows it under the current stock. It is empty when the
// product has no operation in the period.
func StockChart(ctx context.Context, store Store, product string, opt Options) (template.HTML, error) {
	return stockChartOf(ctx, store, product, opt, watch{})
}

// WatchedStockChart is StockChart with the minimum of a's threshold drawn as a line and
// a's forecast as a dashed line from today's stock to zero on its stock-out date; a is
// the product's watched stock (its total, or one location's), as NeedsAttention read it
// on today.
func WatchedStockChart(ctx context.Context, store Store, product string, opt Options, a Attention) (template.HTML, error) {
	today := opt.Now
	if !opt.Filter.AsOf.IsZero() {
		today = opt.Filter.AsOf
	}
	w := watchOf(a, today)
	if !opt.Filter.To.IsZero() && opt.Filter.To.Before(day(today)) {
		w.forecast = false
	}
	return stockChartOf(ctx, store, product, opt, w)
}

func stockChartOf(ctx context.Context, store Store, product string, opt Options, w watch) (template.HTML, error) {
	f := opt.Filter
	f.Products = []string{product}
	series, err := store.StockSeries(ctx, f, product)
	if err != nil || len(series) == 0 {
		return "", err
	}
	// No title in the chart: the page's heading names the product.
	img, err := twice(formats{svg: true, num: opt.Numbers, both: true}, func(fm formats) (image, error) {
		return watchedStockChart(product, "", series, f.From, f.To, periodWidth, chartHeight, fm, w)
	})
	if err != nil {
		return "", err
	}
	return chartHTML(img, "stock of "+product+" over time"), nil
}
