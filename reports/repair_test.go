package reports_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/reports"
)

// repairedLedger builds a read model through the ledger projection from steps, step i
// with event ID "e<i>", recorded at 2024-06-01 + i hours by "clerk":
//
//	restock DATE P QTY     sell DATE P QTY     void N REASON     correct N QTY DATE
//	count DATE P QTY       adjust DATE P ±QTY REASON
//
// N being the index of the step repaired. Every step must be accepted.
func repairedLedger(tb testing.TB, steps ...string) *readmodel.DB {
	tb.Helper()
	db := testfix.MustOpenDB(tb)
	seq := map[string]int64{}
	products, dates := map[int]string{}, map[int]domain.BusinessDate{}
	var records []domain.Record
	day := func(s string) domain.BusinessDate {
		d, err := domain.ParseBusinessDate(s)
		if err != nil {
			tb.Fatal(err)
		}
		return d
	}
	for i, step := range steps {
		f := strings.Fields(step)
		e := domain.Event{ID: fmt.Sprint("e", i), CommandID: fmt.Sprint("c", i), RecordedBy: "clerk",
			RecordedAt: time.Date(2024, 6, 1, i, 0, 0, 0, time.UTC), Note: "note " + fmt.Sprint(i)}
		switch f[0] {
		case "restock", "sell", "count", "adjust":
			e.BusinessDate, e.Product, products[i] = day(f[1]), testfix.Product(tb, f[2]), f[2]
			e.Type = map[string]domain.EventType{"restock": domain.TypeStockRestocked, "sell": domain.TypeStockSold,
				"count": domain.TypeStockCounted, "adjust": domain.TypeStockAdjusted}[f[0]]
			qty := f[3]
			if f[0] == "adjust" {
				e.Out, qty, e.Reason = strings.HasPrefix(qty, "-"), strings.TrimLeft(qty, "+-"), f[4]
			}
			e.Quantity = testfix.Quantity(tb, qty)
		case "void", "correct":
			var n int
			fmt.Sscan(f[1], &n)
			e.Target, e.Product, products[i] = fmt.Sprint("e", n), testfix.Product(tb, products[n]), products[n]
			e.Type, e.Reason, e.BusinessDate, e.Note = domain.TypeOperationVoided, f[2], dates[n], ""
			if f[0] == "correct" {
				e.Type, e.Reason = domain.TypeOperationCorrected, "typo"
				e.Quantity, e.BusinessDate = testfix.Quantity(tb, f[2]), day(f[3])
			}
		}
		dates[i] = e.BusinessDate
		seq[products[i]]++
		e.ExpectedSeq = seq[products[i]]
		records = append(records, testfix.Record(tb, domain.Position{Offset: int64(i)}, e))
	}
	testfix.Apply(tb, db, records)
	if _, n, err := db.Rejected(context.Background(), reports.Filter{}, 10); err != nil || n > 0 {
		tb.Fatalf("%d steps rejected (%v)", n, err)
	}
	return db
}

var repairSteps = []string{
	"restock 2024-05-01 P1 43",
	"sell 2024-05-02 P1 30",
	"void 1 typed-30-for-3",
	"sell 2024-05-02 P1 3",
	"restock 2024-05-01 P2 10",
	"count 2024-05-03 P2 7",
	"adjust 2024-05-04 P2 -1 damaged",
	"restock 2024-05-01 P3 5",
	"sell 2024-05-02 P3 2",
	"correct 8 4 2024-05-03",
}

// TestReportShowsRepairs: the written report has a corrections table saying who, when,
// why and what each repair changed, a chart of the units adjusted per period, a card of
// the units adjusted, and adjustments, counts and corrected operations in the
// operations table, signed.
func TestReportShowsRepairs(t *testing.T) {
	page, res := render(t, repairedLedger(t, repairSteps...), reports.Filter{})
	for _, want := range []string{
		"<h2>Corrections</h2>",
		`<td class="date when">2024-06-01 02:00 UTC</td><td class="by">clerk</td><td class="kind">void</td><td class="product">P1</td><td class="what">voided the sale of 30 dated 2024-05-02</td><td class="num moved">&#43;30.00</td><td class="why">typed-30-for-3</td>`,
		`<td class="what">counted 7 on 2024-05-03 where the ledger expected 10</td><td class="num moved">−3.00</td><td class="why">note 5</td>`,
		`<td class="what">took 1 out of stock on 2024-05-04</td><td class="num moved">−1.00</td><td class="why">damaged — note 6</td>`,
		`<td class="what">replaced the sale of 2 dated 2024-05-02 by one of 4 dated 2024-05-03</td><td class="num moved">−2.00</td><td class="why">typo</td>`,
		"<h2>Units adjusted per day</h2>",
		`<div class="n">−4</div><div class="l">units adjusted, net</div>`,
		`<td class="adjusted-out">adjustment (damaged)</td><td class="num">−1.00</td><td class="num">6.00</td><td>clerk</td><td>note 6</td>`,
		`<td class="adjusted-out">count</td><td class="num">−3.00</td><td class="num">7.00</td>`,
		`<td class="sold">sale (corrected)</td><td class="num">4.00</td><td class="num">1.00</td><td>clerk</td><td>typo</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %s", want)
		}
	}
	if strings.Contains(page, ">30.00<") {
		t.Error("the voided sale of 30 is listed among the operations")
	}
	if !slices.ContainsFunc(res.Files, func(f string) bool { return filepath.Base(f) == "units-adjusted-per-period.png" }) {
		t.Errorf("no PNG of the units adjusted per period in %v", res.Files)
	}
	// Seven operations in effect: the void adds none and the correction's replaces one.
	if res.Operations != 7 {
		t.Errorf("report of %d operations, want 7", res.Operations)
	}
}

var blankLines = regexp.MustCompile(`\n\s*\n`)

// TestReportOfVoidedMistakeIsAsIfNeverMade: sell 30 by mistake, void it, sell 3 writes
// the report, charts and all, of a ledger with just the sale of 3, but for the
// corrections table.
func TestReportOfVoidedMistakeIsAsIfNeverMade(t *testing.T) {
	corrections := func(page string) string {
		a := strings.Index(page, "<h2>Corrections</h2>")
		b := strings.Index(page, "<h2>Operations, ")
		if a >= 0 && b > a {
			page = page[:a] + page[b:]
		}
		return blankLines.ReplaceAllString(page, "\n") // an empty table leaves its lines
	}
	for _, f := range []reports.Filter{{}, {Products: []string{"P1"}}, {From: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)}} {
		withMistake, a := render(t, repairedLedger(t, "restock 2024-05-01 P1 43", "restock 2024-05-01 P2 5",
			"sell 2024-05-02 P1 30", "void 2 typed-30-for-3", "sell 2024-05-02 P1 3", "sell 2024-05-03 P2 1"), f)
		without, b := render(t, repairedLedger(t, "restock 2024-05-01 P1 43", "restock 2024-05-01 P2 5",
			"sell 2024-05-02 P1 3", "sell 2024-05-03 P2 1"), f)
		if strings.Contains(without, "<h2>Corrections</h2>") {
			t.Errorf("%+v: a corrections table with no repair", f)
		}
		if !strings.Contains(withMistake, "voided the sale of 30") {
			t.Errorf("%+v: the void is not in the corrections table", f)
		}
		withMistake = strings.ReplaceAll(withMistake, "note 4", "note 2") // the sale of 3's note: its step number
		withMistake = strings.ReplaceAll(withMistake, "note 5", "note 3")
		if corrections(withMistake) != corrections(without) {
			t.Errorf("%+v: the report with the mistake voided differs from the one without it", f)
		}
		if len(a.Files) != len(b.Files) {
			t.Fatalf("%+v: files %v and %v", f, a.Files, b.Files)
		}
		for i := range a.Files {
			x, _ := os.ReadFile(a.Files[i])
			y, _ := os.ReadFile(b.Files[i])
			if filepath.Base(a.Files[i]) != "index.html" && string(x) != string(y) {
				t.Errorf("%+v: %s differs", f, filepath.Base(a.Files[i]))
			}
		}
	}
}

// TestDashboardShowsCorrections: the live view's fragment has the table too, with links
// to the products' pages.
func TestDashboardShowsCorrections(t *testing.T) {
	var b strings.Builder
	err := reports.Dashboard(context.Background(), repairedLedger(t, repairSteps...), reports.Options{LowCents: 500, Rows: 100, Recent: true,
		Links: &reports.Links{Product: func(id string) string { return "/products/" + id }, Products: "/products", Operations: "/operations"}}, &b)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<td class="kind">void</td><td class="product"><a href="/products/P1">P1</a></td>`,
		"its product's page still shows it", "Units adjusted per day",
		// The chart's lines, each day's units in and out in its tooltip.
		">adjusted in<", ">adjusted out<", "2024-05-03 · adjusted in 0 · adjusted out 3 units", "2024-05-04 · adjusted in 0 · adjusted out 1 units"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the dashboard lacks %s", want)
		}
	}
}
