package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/reports"
)

// placedLedger is a read model of P1 and P2 restocked in main, with moves ("P1 4 north":
// 4 units of P1 moved from main to north) after them.
func placedLedger(tb testing.TB, moves ...string) *readmodel.DB {
	tb.Helper()
	db := ledger(tb, "2024-05-01 09:00:00 P1 10", "2024-05-01 09:00:00 P2 20")
	base := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	var records []domain.Record
	offset := int64(100)
	added := map[string]bool{}
	seq := map[string]int64{"P1": 1, "P2": 1}
	for i, m := range moves {
		var product, qty, to string
		if _, err := fmt.Sscan(m, &product, &qty, &to); err != nil {
			tb.Fatal(err)
		}
		loc, err := domain.ParseLocationID(to)
		if err != nil {
			tb.Fatal(err)
		}
		if !added[to] {
			added[to] = true
			records = append(records, testfix.Record(tb, domain.Position{Offset: offset}, domain.Event{Type: domain.TypeLocationAdded,
				ID: "loc-" + to, CommandID: "c-loc-" + to, Location: loc, Name: to, BusinessDate: domain.NewBusinessDate(base), RecordedAt: base, RecordedBy: "test"}))
			offset++
		}
		seq[product]++
		records = append(records, testfix.Record(tb, domain.Position{Offset: offset}, domain.Event{Type: domain.TypeStockTransferred,
			ID: fmt.Sprint("t", i), CommandID: fmt.Sprint("ct", i), Product: testfix.Product(tb, product), Quantity: testfix.Quantity(tb, qty),
			ExpectedSeq: seq[product], BusinessDate: domain.NewBusinessDate(base), RecordedAt: base, RecordedBy: "test", To: loc}))
		offset++
	}
	testfix.Apply(tb, db, records)
	return db
}

// TestStockPerLocationSections: the report and the dashboard show "Current stock per
// location" and the product × location table once a second location is in use, with each
// location's units and each product's cells; a ledger kept in main only has neither.
func TestStockPerLocationSections(t *testing.T) {
	dashboard := func(db *readmodel.DB) string {
		var b bytes.Buffer
		if err := reports.Dashboard(context.Background(), db, reports.Options{LowCents: 500, Rows: 100, Recent: true}, &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	three := placedLedger(t, "P1 4 north", "P2 5 south", "P2 3 north")
	page, _ := render(t, three, reports.Filter{})
	for name, html := range map[string]string{"report": page, "dashboard": dashboard(three)} {
		for _, want := range []string{
			"Current stock per location",
			`<tr data-location="main"><td>main</td><td class="num">2</td><td class="num">18.00</td>`,
			`<tr data-location="north"><td>north</td><td class="num">2</td><td class="num">7.00</td>`,
			`<tr data-location="south"><td>south</td><td class="num">1</td><td class="num">5.00</td>`,
			"<th class=\"num\">main</th><th class=\"num\">north</th><th class=\"num\">south</th>",
			`<td class="num h4">12.00</td><td class="num h1">3.00</td><td class="num h2">5.00</td><td class="num total">20.00</td>`,
		} {
			if !strings.Contains(html, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
		if strings.Index(html, `data-product="P2"><td>P2</td><td class="num h`) > strings.Index(html, `data-product="P1"><td>P1</td><td class="num h`) {
			t.Errorf("%s: P2 (20 units) should come before P1 (10) in the product × location table", name)
		}
	}
	mainOnly := ledger(t, "2024-05-01 09:00:00 P1 10", "2024-05-02 09:00:00 P1 -3")
	page, _ = render(t, mainOnly, reports.Filter{})
	for name, html := range map[string]string{"report": page, "dashboard": dashboard(mainOnly)} {
		if strings.Contains(html, "Current stock per location") || strings.Contains(html, `<table class="placeheat">`) {
			t.Errorf("%s of a ledger kept in main only shows the stock per location", name)
		}
	}
}
