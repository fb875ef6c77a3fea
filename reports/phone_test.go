package reports_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/reports"
)

var (
	chartDiv = regexp.MustCompile(`(?s)<div class="(chart[^"]*)" role="img" aria-label="([^"]*)">(<svg.*?</svg>)</div>`)
	svgWidth = regexp.MustCompile(`^<svg width="(\d+)"`)
)

// TestLiveChartsHaveANarrowDrawing: a live view draws every chart twice, narrow for a
// phone and wide, so that on a 375-px screen no chart is scaled down (its labels to 7 px):
// the server cannot know the screen's width, the page's CSS shows the one that fits.
func TestLiveChartsHaveANarrowDrawing(t *testing.T) {
	page := dashboard(t, sample, reports.Filter{})
	product, err := reports.StockChart(context.Background(), ledger(t, sample...), "P1", reports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, html := range map[string]string{"the dashboard": page, "the product page's chart": string(product)} {
		narrow, wide := map[string]int{}, map[string]int{}
		for _, m := range chartDiv.FindAllStringSubmatch(html, -1) {
			w := svgWidth.FindStringSubmatch(m[3])
			if w == nil {
				t.Fatalf("%s: the chart %q has no width", name, m[2])
			}
			width, _ := strconv.Atoi(w[1])
			switch m[1] {
			case "chart chart-narrow":
				narrow[m[2]] = width
			case "chart chart-wide":
				wide[m[2]] = width
			default:
				t.Errorf("%s: the chart %q is drawn once, %d px wide, for every screen", name, m[2], width)
			}
		}
		if len(wide) == 0 {
			t.Fatalf("%s: no chart", name)
		}
		for label, w := range wide {
			n, ok := narrow[label]
			if !ok {
				t.Errorf("%s: the chart %q (%d px) has no narrow drawing", name, label, w)
			} else if n > 345 || n >= w {
				t.Errorf("%s: the chart %q's narrow drawing is %d px wide (the wide one %d px), want at most 345", name, label, n, w)
			}
		}
	}
	css := string(reports.Stylesheet())
	for _, want := range []string{".chart-narrow { display: none; }", "@media (max-width: 599px) { .chart-narrow { display: block; } .chart-wide { display: none; } }"} {
		if !strings.Contains(css, want) {
			t.Errorf("the stylesheet lacks %q", want)
		}
	}
	// The file report keeps one image per chart.
	index, _ := render(t, ledger(t, sample...), reports.Filter{})
	if strings.Contains(index, `class="chart chart-narrow"`) {
		t.Error("the file report holds narrow drawings")
	}
}

// TestProductChartHasNoTitle: the product page's heading names the product; its chart
// does not repeat the ID above the plot (only in its hover values).
func TestProductChartHasNoTitle(t *testing.T) {
	html, err := reports.StockChart(context.Background(), ledger(t, sample...), "P1", reports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range svgText.FindAllStringSubmatch(string(html), -1) {
		if strings.TrimSpace(m[1]) == "P1" {
			t.Fatalf("the product page's chart draws the title %q", m[1])
		}
	}
}

// TestTablesLineUpAndKeepDatesWhole: in the report's tables (live and written), every
// quantity has two decimals so a column's digits line up (3.00 above 43.50), and a date
// shows without a midnight time or :00 seconds, in a cell that never breaks it.
func TestTablesLineUpAndKeepDatesWhole(t *testing.T) {
	ops := append(append([]string(nil), sample...), "2024-03-05 00:00:00 P3 2")
	live := dashboard(t, ops, reports.Filter{})
	written, _ := render(t, ledger(t, ops...), reports.Filter{})
	for name, page := range map[string]string{"the dashboard": live, "the file report": written} {
		for _, want := range []string{
			`<tr data-product="P3"><td>P3</td><td class="num" data-stock>5.00</td><td class="date">2024-03-05</td>`, // current stock
			`<td class="date">2024-03-05</td><td>P3</td><td class="restocked">restock</td><td class="num">2.00</td><td class="num">5.00</td>`,
			`<td class="date">2024-02-03 12:00</td><td>P1</td><td class="sold">sale</td><td class="num">25.50</td><td class="num">44.50</td>`,
			`<td class="date">2024-03-04 17:00</td><td>P1</td><td>sale</td><td class="num">200.00</td>`, // rejected
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
		if strings.Contains(page, " 00:00:00") || regexp.MustCompile(`<td[^>]*>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d<`).MatchString(page) {
			t.Errorf("%s shows a date with seconds", name)
		}
	}
	if !strings.Contains(string(reports.Stylesheet()), "td.date { white-space: nowrap;") {
		t.Error("a date cell may break its date over lines")
	}
}
