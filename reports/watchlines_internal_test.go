package reports

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

// line is a straight path an SVG chart draws: its two ends and its style.
type line struct {
	x0, y0, x1, y1 int
	dashed         bool
}

var svgLine = regexp.MustCompile(`<path (stroke-dasharray="[^"]*" )?\s*d="M (\d+) (\d+)\s+L (\d+) (\d+)" style="stroke-width:[^;]*;stroke:(rgba\([^)]*\))`)

// lines returns the two-point paths of svg drawn in colour rgba.
func lines(svg, rgba string) []line {
	var out []line
	for _, m := range svgLine.FindAllStringSubmatch(svg, -1) {
		if m[6] != rgba {
			continue
		}
		n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
		out = append(out, line{n(2), n(3), n(4), n(5), m[1] != ""})
	}
	return out
}

// TestStockChartDrawsMinimumAndForecast: a watched stock's chart draws its minimum as a
// line across the plot at the minimum's height, and its forecast dashed from today's
// stock down to zero at the axis's end, the stock-out date; a stock-out further than
// maxForecastDays is drawn to that day only, still above zero. Checked in the SVG's
// geometry: heights are proportional to the values (zero at the plot's bottom).
func TestStockChartDrawsMinimumAndForecast(t *testing.T) {
	d := func(s string) time.Time { return date(s) }
	ps := []StockPoint{{Date: d("2026-10-01"), Cents: 10_000}, {Date: d("2026-11-10"), Cents: 3_000}, {Date: d("2026-11-25"), Cents: 1_000}}
	today := d("2026-11-29")
	minColour, forecastColour := "rgba(199,124,2,1.0)", "rgba(61,90,128,1.0)"
	for _, tc := range []struct {
		name     string
		out      time.Time
		reaches0 bool
	}{
		{"runs out in 4 days", d("2026-12-03"), true},
		{"runs out in 200 days", today.AddDate(0, 0, 200), false},
	} {
		w := watch{hasMin: true, min: 2_000, forecast: true, start: today, stock: 1_000, out: tc.out}
		img, err := watchedStockChart("P1", "", ps, time.Time{}, time.Time{}, periodWidth, chartHeight, formats{svg: true, num: English}, w)
		if err != nil {
			t.Fatal(err)
		}
		svg := string(img.SVG)
		mins, dashes := lines(svg, minColour), []line{}
		for _, l := range lines(svg, forecastColour) {
			if l.dashed {
				dashes = append(dashes, l)
			}
		}
		if len(mins) != 1 || len(dashes) != 1 {
			t.Fatalf("%s: %d minimum lines and %d dashed lines, want one each", tc.name, len(mins), len(dashes))
		}
		m, f := mins[0], dashes[0]
		if m.y0 != m.y1 {
			t.Errorf("%s: the minimum's line is not level: %+v", tc.name, m)
		}
		// Zero's height: the forecast starts at 10 units, the minimum is 20, so
		// y(0) = y(10) + (y(10) − y(20)).
		bottom := f.y0 + (f.y0 - m.y0)
		if tc.reaches0 {
			if abs(f.y1-bottom) > 2 {
				t.Errorf("%s: the forecast ends at y %d, want zero's %d", tc.name, f.y1, bottom)
			}
		} else if f.y1 >= bottom-2 {
			t.Errorf("%s: the forecast reaches zero (y %d) within the chart, want it cut at %d days", tc.name, f.y1, maxForecastDays)
		}
		if f.x1 != m.x1 {
			t.Errorf("%s: the forecast ends at x %d, the axis at %d: the axis does not run to its end", tc.name, f.x1, m.x1)
		}
		if f.x0 >= f.x1 || f.y0 >= f.y1 {
			t.Errorf("%s: the forecast does not run down and to the right: %+v", tc.name, f)
		}
	}

	// No watch: neither line.
	img, err := stockChart("P1", "", ps, time.Time{}, time.Time{}, periodWidth, chartHeight, formats{svg: true, num: English})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(lines(string(img.SVG), minColour)); n != 0 {
		t.Errorf("an unwatched stock's chart draws %d minimum lines", n)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
