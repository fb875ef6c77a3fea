package reports_test

import (
	"context"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/reports"
)

func view(tb testing.TB, ops []string, opt reports.Options) string {
	tb.Helper()
	var b strings.Builder
	if opt.LowCents == 0 {
		opt.LowCents = 500
	}
	if err := reports.Dashboard(context.Background(), ledger(tb, ops...), opt, &b); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

var links = &reports.Links{
	Product:  func(id string) string { return "/products/" + url.PathEscape(id) },
	Products: "/products", Operations: "/operations", NewOperation: "/operations/new",
}

// chartOf returns the inline SVG whose aria-label starts with label.
func chartOf(tb testing.TB, page, label string) string {
	tb.Helper()
	m := regexp.MustCompile(`(?s)aria-label="` + regexp.QuoteMeta(label) + `[^"]*">(<svg.*?</svg>)`).FindStringSubmatch(page)
	if m == nil {
		tb.Fatalf("no chart %q in the view", label)
	}
	return m[1]
}

var svgText = regexp.MustCompile(`<text[^>]*>([^<]*)<`)

// TestChartAxesRound: the stock and period charts' value axes are ticked on round
// values in steps of 1, 2 or 5 times a power of ten, from zero, with separators; their
// time axes on real period starts.
func TestChartAxesRound(t *testing.T) {
	ops := []string{"2024-01-05 09:00:00 P1 636", "2024-02-10 09:00:00 P1 -158", "2024-03-20 09:00:00 P1 -300",
		"2024-04-02 09:00:00 P1 2000", "2024-05-02 09:00:00 P2 10.5", "2024-05-03 09:00:00 P2 -1.1"}
	page := view(t, ops, reports.Options{})
	for _, label := range []string{"stock of P1", "stock of P2", "Units sold and restocked per"} {
		t.Run(label, func(t *testing.T) {
			var values []float64
			for _, m := range svgText.FindAllStringSubmatch(chartOf(t, page, label), -1) {
				s := strings.TrimSpace(m[1])
				if v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64); err == nil {
					values = append(values, v)
					continue
				}
				if s == "" || s == "units" || s == "units in stock" || s == "P1" || s == "P2" || s == "sold" || s == "restocked" {
					continue
				}
				d, err := time.Parse("Jan 2006", s)
				if err != nil {
					d, err = time.Parse("2006-01-02", s)
				}
				if err != nil {
					t.Errorf("label %q is neither a round value nor a period's start", s)
				}
				_ = d
			}
			if len(values) < 3 || values[0] != 0 {
				t.Fatalf("value labels %v: want at least three from 0", values)
			}
			step := values[1] - values[0]
			e := math.Pow(10, math.Floor(math.Log10(step)))
			if m := step / e; math.Abs(m-1) > 1e-9 && math.Abs(m-2) > 1e-9 && math.Abs(m-5) > 1e-9 {
				t.Errorf("value labels %v: step %v is not 1, 2 or 5 times a power of ten", values, step)
			}
			for i := 1; i < len(values); i++ {
				if math.Abs(values[i]-values[i-1]-step) > 1e-9 {
					t.Errorf("value labels %v are not evenly stepped", values)
				}
			}
		})
	}
	if !strings.Contains(chartOf(t, page, "stock of P1"), ">2,000<") {
		t.Error("the stock chart's value labels lack thousands separators (2,000)")
	}
}

// TestChartTooltips: every bar, point, bucket and heat cell tells its value on hover,
// formatted as the viewer writes numbers.
func TestChartTooltips(t *testing.T) {
	ops := []string{"2024-01-05 09:00:00 P1 5499795.25", "2024-01-20 12:30:00 P1 -2629500.25", "2024-02-01 00:00:00 P2 1234", "2024-02-02 00:00:00 P2 -1"}
	for _, tc := range []struct {
		name string
		num  reports.Numbers
		want []string
	}{
		{"English", reports.English, []string{
			"<title>P1 · sold 2,629,500.25 units · restocked 5,499,795.25 units</title>",
			"<title>P1 · 2024-01-20 12:30 · 2,870,295 in stock</title>",
			"<title>P1 · 1 sales</title>", "<title>P2 · 1 replenishments</title>",
			"<title>P2 · 1,233 units in stock</title>",
			"<title>2024-01-05 · sold 0 · restocked 5,499,795.25 units</title>", // a day of the period chart
		}},
		{"German", reports.Numbers{Group: ".", Decimal: ","}, []string{
			"<title>P1 · sold 2.629.500,25 units · restocked 5.499.795,25 units</title>",
			"<title>P1 · 2024-01-20 12:30 · 2.870.295 in stock</title>",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := view(t, ops, reports.Options{Numbers: tc.num})
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("no hover text %s", w)
				}
			}
		})
	}
}

// TestCardsFormatted: the summary cards write their figures with separators.
func TestCardsFormatted(t *testing.T) {
	page := view(t, []string{"2024-01-05 09:00:00 P1 5499795.25", "2024-01-20 12:30:00 P1 -2629500.25"}, reports.Options{})
	for _, w := range []string{`<div class="n sold">2,629,500.25</div>`, `<div class="n restocked">5,499,795.25</div>`, `<div class="n">1</div><div class="l">product with operations</div>`} {
		if !strings.Contains(page, w) {
			t.Errorf("the cards lack %s", w)
		}
	}
}

// TestViewLinks: with Links (a live view), every product ID shown links to its page,
// escaped in the text and in the address, and the view links to every product and every
// operation; without (a report in files), there is no link at all.
func TestViewLinks(t *testing.T) {
	const odd = "<b>&x"
	ops := []string{"2024-01-05 09:00:00 P1 100", "2024-01-06 09:00:00 " + odd + " 5", "2024-01-07 09:00:00 P1 -3",
		"2024-01-08 09:00:00 " + odd + " -9", "2024-01-09 09:00:00 P1 -1"}
	plain := view(t, ops, reports.Options{Rows: 2})
	if strings.Contains(plain, "<a ") || strings.Contains(plain, "href") {
		t.Error("a view without Links has links")
	}
	if !strings.Contains(plain, "(use --from/--to or stockctl export for all)") {
		t.Error("a view without Links lost the CLI hint for the operations not listed")
	}
	live := view(t, ops, reports.Options{Rows: 2, Links: links})
	if strings.Contains(live, "<b>") {
		t.Fatal("a product ID reached the view as markup")
	}
	for _, w := range []string{
		`<a href="/products">All products</a>`, `<a href="/operations">All operations</a>`,
		`<td><a href="/products/P1">P1</a></td>`,
		`<td><a href="/products/%3Cb%3E&amp;x">&lt;b&gt;&amp;x</a></td>`,
		`Stock of <a href="/products/P1">P1</a> by business date.`,
		`<a href="/products/P1"><text`,                   // the bars' and heat table's labels
		`<a href="/products/%3Cb%3E&amp;x"><text`,        // escaped in SVG too
		`here: <a href="/operations">all operations</a>`, // the note on operations not listed
	} {
		if !strings.Contains(live, w) {
			t.Errorf("the live view lacks %s", w)
		}
	}
	if strings.Contains(live, "stockctl export for all") {
		t.Error("the live view tells a web user to use the CLI")
	}
}

// TestEmptyLedgerHint: a ledger with nothing yet says how to start: in a live view, a
// link to the entry form; in a report, the commands.
func TestEmptyLedgerHint(t *testing.T) {
	live := view(t, nil, reports.Options{Links: links})
	if w := `No operations yet: <a href="/operations/new">record one</a> or import a file with <code>stockctl import FILE</code>.`; !strings.Contains(live, w) {
		t.Errorf("the empty live view lacks %s", w)
	}
	plain := view(t, nil, reports.Options{})
	if w := `No operations yet: record one with <code>stockctl restock PRODUCT QUANTITY</code> or import a file with <code>stockctl import FILE</code>.`; !strings.Contains(plain, w) {
		t.Errorf("the empty report lacks %s", w)
	}
	if strings.Contains(plain, "href") {
		t.Error("the empty report has links")
	}
}

// TestWeekBucketsStartOnMonday: an operation on a Monday counts in the week that Monday
// starts, which the period chart labels with its real start.
func TestWeekBucketsStartOnMonday(t *testing.T) {
	ops := []string{"2024-01-02 09:00:00 P1 100", "2024-03-04 09:00:00 P1 3", "2024-03-10 09:00:00 P1 4",
		"2024-03-11 09:00:00 P1 5", "2024-05-20 09:00:00 P1 -1"}
	for _, f := range []reports.Filter{{}, {Products: []string{"P1"}}} {
		page := view(t, ops, reports.Options{Filter: f})
		for _, w := range []string{"<title>week of 2024-03-04 · sold 0 · restocked 7 units</title>", "<title>week of 2024-03-11 · sold 0 · restocked 5 units</title>"} {
			if !strings.Contains(page, w) {
				t.Errorf("products %v: the period chart lacks %s", f.Products, w)
			}
		}
	}
}

// TestStockChartTimeAxis: a product's stock chart runs over its own dates, saying so when
// a long stretch had no operation (one sale dated today after a year and more of nothing,
// as in docs/serve.png), and over the period asked when one is.
func TestStockChartTimeAxis(t *testing.T) {
	db := ledger(t, "2024-01-05 09:00:00 P1 500", "2024-02-10 09:00:00 P1 -40", "2024-03-02 09:00:00 P1 -6", "2026-11-27 10:00:00 P1 -1")
	chart := func(f reports.Filter) string {
		t.Helper()
		svg, err := reports.StockChart(context.Background(), db, "P1", reports.Options{Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		return string(svg)
	}
	own := chart(reports.Filter{})
	for _, w := range []string{">no operation from 2024-03-02 to 2026-11-27<", ">2025<", ">2026<"} {
		if !strings.Contains(own, w) {
			t.Errorf("the chart over the product's own dates lacks %s", w)
		}
	}
	asked := chart(reports.Filter{From: day("2024-01-01"), To: day("2024-06-30")})
	for _, w := range []string{">Jan 2024<", ">Apr 2024<"} {
		if !strings.Contains(asked, w) {
			t.Errorf("the chart of January to June lacks %s", w)
		}
	}
	if strings.Contains(asked, "2026") || strings.Contains(asked, "no operation from") {
		t.Error("the chart of January to June reaches beyond it")
	}
}
