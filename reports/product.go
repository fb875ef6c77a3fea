package reports

import (
	"context"
	"html/template"
)

// StockChart renders one product's stock over opt.Filter's period as inline SVG, for a
// live page: the product page shows it under the current stock. It is empty when the
// product has no operation in the period.
func StockChart(ctx context.Context, store Store, product string, opt Options) (template.HTML, error) {
	f := opt.Filter
	f.Products = []string{product}
	series, err := store.StockSeries(ctx, f, product)
	if err != nil || len(series) == 0 {
		return "", err
	}
	// No title in the chart: the page's heading names the product.
	img, err := twice(formats{svg: true, num: opt.Numbers, both: true}, func(fm formats) (image, error) {
		return stockChart(product, "", series, f.From, f.To, periodWidth, chartHeight, fm)
	})
	if err != nil {
		return "", err
	}
	return chartHTML(img, "stock of "+product+" over time"), nil
}
