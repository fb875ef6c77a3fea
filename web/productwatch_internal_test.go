package web

import (
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/reports"
)

// TestProductWatchSaysThresholdsAndForecast: the product page lists the product's
// thresholds, its total's first, each with its scope, and the forecast of its total: the
// rate, days of cover and stock-out date, or no forecast with no sale in the window;
// another product's rows are not its.
func TestProductWatchSaysThresholdsAndForecast(t *testing.T) {
	today := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	q := func(s string) domain.Quantity { v, _ := domain.ParseQuantity(s); return v }
	list := []reports.Attention{
		{Product: "P2", Stock: 0, Reason: "zero", Forecast: domain.NewForecast(0, 100, 28, today)},
		{Product: "P1", Stock: 2500, Reason: "below_min", Suggested: 9900, Threshold: &domain.Threshold{Min: q("30"), ReorderQty: q("50"), LeadDays: 7},
			Forecast: domain.NewForecast(2500, 7500, 28, today)},
		{Product: "P1", Location: "north", Stock: 800, Threshold: &domain.Threshold{Min: q("5"), PerLocation: true}},
	}
	w, total := productWatchOf(reports.English, "P1", list)
	if total == nil || total.Location != "" || total.Product != "P1" {
		t.Fatalf("the chart's stock is %+v, want P1's total", total)
	}
	want := []thresholdView{{"all locations", "30.00", "50.00", "7 days"}, {"north", "5.00", "—", "—"}}
	if len(w.Thresholds) != 2 || w.Thresholds[0] != want[0] || w.Thresholds[1] != want[1] {
		t.Errorf("thresholds %+v, want %+v", w.Thresholds, want)
	}
	// 75 sold in 28 days: 2.68 a day; 25 × 28 ÷ 75 = 9.3 days; out on the 9th day.
	if !w.HasRate || w.Rate != "2.68" || w.Cover != "9.3" || w.StockOut != "2026-12-08" {
		t.Errorf("forecast %+v, want 2.68 a day, 9.3 days, 2026-12-08", w)
	}
	if w.Needs != "at or below its minimum" || w.Order != "99.00" {
		t.Errorf("needs %q, order %q", w.Needs, w.Order)
	}
	w, _ = productWatchOf(reports.English, "P3", append(list, reports.Attention{Product: "P3", Stock: 500}))
	if w.HasRate || len(w.Thresholds) != 0 || w.Needs != "" || w.Window != 28 {
		t.Errorf("a product with no sale and no threshold: %+v", w)
	}
}
