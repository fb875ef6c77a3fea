package reports_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/reports"
)

// attention is the read model's list as reports reads it, converted field for field as
// cmd/stockctl's adapter does.
type attention struct{ db *readmodel.DB }

func (a attention) NeedsAttention(ctx context.Context, q reports.AttentionQuery) ([]reports.Attention, error) {
	list, err := a.db.Attention(ctx, readmodel.AttentionQuery(q))
	out := make([]reports.Attention, len(list))
	for i, x := range list {
		out[i] = reports.Attention(x)
	}
	return out, err
}

// watchedLedger builds a read model from operations "DAYS product ±qty", dated DAYS days
// before today (negative for a sale), then thresholds "product min reorder lead-days",
// all through the projection as the log would deliver them.
func watchedLedger(tb testing.TB, ops []string, thresholds ...string) *readmodel.DB {
	tb.Helper()
	db := testfix.MustOpenDB(tb)
	today := time.Now().UTC()
	seq := map[string]int64{}
	var records []domain.Record
	add := func(e domain.Event) {
		e.ID, e.CommandID, e.RecordedAt, e.RecordedBy = fmt.Sprint("e", len(records)), fmt.Sprint("c", len(records)), time.Now(), "test"
		records = append(records, testfix.Record(tb, domain.Position{Offset: int64(len(records))}, e))
	}
	for _, op := range ops {
		var ago int
		var product, qty string
		if _, err := fmt.Sscan(op, &ago, &product, &qty); err != nil {
			tb.Fatalf("%q: %v", op, err)
		}
		typ := domain.TypeStockRestocked
		if strings.HasPrefix(qty, "-") {
			typ, qty = domain.TypeStockSold, qty[1:]
		}
		d, err := domain.ParseBusinessDate(today.AddDate(0, 0, -ago).Format("2006-01-02") + " 09:00:00")
		if err != nil {
			tb.Fatal(err)
		}
		seq[product]++
		add(domain.Event{Type: typ, Product: testfix.Product(tb, product), Quantity: testfix.Quantity(tb, qty), ExpectedSeq: seq[product], BusinessDate: d})
	}
	for _, th := range thresholds {
		var product, min, reorder string
		var lead int
		if _, err := fmt.Sscan(th, &product, &min, &reorder, &lead); err != nil {
			tb.Fatalf("%q: %v", th, err)
		}
		e, err := domain.SetThreshold(domain.Threshold{Product: testfix.Product(tb, product), Min: testfix.Quantity(tb, min),
			ReorderQty: testfix.Quantity(tb, reorder), LeadDays: lead}, domain.Metadata{RecordedAt: time.Now(), RecordedBy: "test",
			BusinessDate: domain.NewBusinessDate(today)})
		if err != nil {
			tb.Fatal(err)
		}
		add(e)
	}
	testfix.Apply(tb, db, records)
	return db
}

var (
	attentionRowRE = regexp.MustCompile(`(?s)<tr class="why-(\w+)" data-product="([^"]*)" data-location="([^"]*)">(.*?)</tr>`)
	cellRE         = regexp.MustCompile(`<td class="[^"]*\b(stock|min|cover|out|order)\b[^"]*"[^>]*>([^<]*)</td>`)
	reorderRowRE   = regexp.MustCompile(`(?s)<tr data-product="([^"]*)" data-location="[^"]*">(<td>.*?)</tr>`)
)

// attentionRows returns the "Needs attention" rows of a page: reason, product and
// location, then the figures by cell.
func attentionRows(page string) []string {
	var out []string
	for _, m := range attentionRowRE.FindAllStringSubmatch(page, -1) {
		row := m[1] + " " + m[2] + "@" + m[3]
		for _, c := range cellRE.FindAllStringSubmatch(m[4], -1) {
			row += " " + c[1] + "=" + c[2]
		}
		out = append(out, row)
	}
	return out
}

// TestNeedsAttentionSection: the report and the dashboard open with "Needs attention",
// listing the stocks at zero, then at or below their minimum, then forecast to run out
// within 14 days, with their stock, minimum, days of cover, stock-out date and suggested
// order, each figure computed here from the history by the documented formulas; a
// product with stock and no recent sale is not listed; the report's reorder list holds
// every stock with something to order. With nothing to act on, the section says so.
func TestNeedsAttentionSection(t *testing.T) {
	db := watchedLedger(t, []string{
		"20 P1 100", "10 P1 -30", "2 P1 -45", // 25 left, 75 sold in the window; min 30
		"15 P2 10", "3 P2 -10", // at zero
		"20 P3 50", "5 P3 -40", // 10 left, 40 sold: 7 days of cover, no minimum
		"40 P4 100", // no sale: no forecast, nothing to do
	}, "P1 30 50 7")
	today := time.Now().UTC()
	out := func(days int) string { return today.AddDate(0, 0, days).Format("2006-01-02") }
	// Cover = stock × 28 ÷ sold; order = max(reorder, ⌈(min − stock) + sold ÷ 28 × (lead + 28)⌉).
	// P1: 25 × 28 ÷ 75 = 9.33; 5 + 75 × 35 ÷ 28 = 98.75 → 99. P2: 0 + 10 = 10.
	// P3: 10 × 28 ÷ 40 = 7; −10 + 40 = 30.
	want := []string{
		"zero P2@ stock=0.00 min=— cover=0.0 out=" + out(0) + " order=10.00",
		"below_min P1@ stock=25.00 min=30.00 cover=9.3 out=" + out(9) + " order=99.00",
		"forecast P3@ stock=10.00 min=— cover=7.0 out=" + out(7) + " order=30.00",
	}
	out0 := t.TempDir()
	res, err := reports.Render(context.Background(), db, reports.Options{Out: out0, HTML: true, Now: time.Now(), LowCents: 500,
		Attention: attention{db}, ReorderList: true})
	if err != nil {
		t.Fatal(err)
	}
	page := readFile(t, res.Index)
	if got := attentionRows(page); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the report's Needs attention rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if i, j := strings.Index(page, `id="needs-attention"`), strings.Index(page, `class="cards"`); i < 0 || i > j {
		t.Errorf("the section is not above the summary (at %d, the cards at %d)", i, j)
	}
	var reorder []string
	for _, m := range reorderRowRE.FindAllStringSubmatch(page[strings.Index(page, `id="reorder"`)+1:], -1) {
		reorder = append(reorder, m[1]+" "+regexp.MustCompile(`<td class="num order">([^<]*)</td>`).FindStringSubmatch(m[2])[1])
	}
	if got, want := strings.Join(reorder, ", "), "P2 10.00, P1 99.00, P3 30.00"; got != want {
		t.Errorf("the reorder list: %s, want %s", got, want)
	}

	// The dashboard's panel: the same rows, each product a link to its page.
	var b strings.Builder
	err = reports.Dashboard(context.Background(), db, reports.Options{Now: time.Now(), LowCents: 500, Attention: attention{db},
		Links: &reports.Links{Product: func(id string) string { return "/products/" + id }}}, &b)
	if err != nil {
		t.Fatal(err)
	}
	if got := attentionRows(b.String()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the dashboard's panel rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(b.String(), `<td class="product"><a href="/products/P1">P1</a>`) {
		t.Error("the panel's P1 is not a link to its page")
	}
	if strings.Contains(b.String(), `id="reorder"`) {
		t.Error("the dashboard shows the reorder list, which is the report's")
	}

	// Nothing to act on: a calm sentence, no table.
	calm := watchedLedger(t, []string{"20 P1 100", "10 P1 -5"}, "P1 30 50 7")
	b.Reset()
	if err := reports.Dashboard(context.Background(), calm, reports.Options{Now: time.Now(), Attention: attention{calm}}, &b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `<p class="calm">Nothing needs attention: no stock is at zero or at its minimum, and none runs out within 14 days`) ||
		strings.Contains(b.String(), `<table class="attention">`) {
		t.Errorf("with nothing to act on the panel says:\n%s", section(b.String()))
	}
}

// section returns the "Needs attention" section of a page.
func section(page string) string {
	i, j := strings.Index(page, `<section class="attention"`), strings.Index(page, `</section>`)
	if i < 0 || j < i {
		return "(no section)"
	}
	return page[i : j+len("</section>")]
}

func readFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
