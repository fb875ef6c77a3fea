package reports_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/reports"
)

// ledger builds a read model from operations given as "date product ±qty" (negative for
// a sale), applied in order as one writer would append them.
func ledger(tb testing.TB, ops ...string) *readmodel.DB {
	tb.Helper()
	db := testfix.MustOpenDB(tb)
	seq := map[string]int64{}
	var records []domain.Record
	for i, op := range ops {
		var date, clock, product, qty string
		if _, err := fmt.Sscan(op, &date, &clock, &product, &qty); err != nil {
			tb.Fatalf("%q: %v", op, err)
		}
		typ := domain.TypeStockRestocked
		if strings.HasPrefix(qty, "-") {
			typ, qty = domain.TypeStockSold, qty[1:]
		}
		d, err := domain.ParseBusinessDate(date + " " + clock)
		if err != nil {
			tb.Fatal(err)
		}
		seq[product]++
		records = append(records, testfix.Record(tb, domain.Position{Offset: int64(i)}, domain.Event{Type: typ,
			ID: fmt.Sprint("e", i), CommandID: fmt.Sprint("c", i), Product: testfix.Product(tb, product), Quantity: testfix.Quantity(tb, qty),
			ExpectedSeq: seq[product], BusinessDate: d, RecordedAt: time.Now(), RecordedBy: "test", Note: "note " + product}))
	}
	testfix.Apply(tb, db, records)
	return db
}

func render(tb testing.TB, db *readmodel.DB, f reports.Filter) (string, reports.Result) {
	tb.Helper()
	out := tb.TempDir()
	res, err := reports.Render(context.Background(), db, reports.Options{
		Out: out, Filter: f, PNG: true, SVG: true, HTML: true, Now: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC), LowCents: 500,
	})
	if err != nil {
		tb.Fatal(err)
	}
	page, err := os.ReadFile(res.Index)
	if err != nil {
		tb.Fatal(err)
	}
	return string(page), res
}

var sample = []string{
	"2024-01-05 09:00:00 P1 100", "2024-01-06 10:00:00 P2 40", "2024-01-20 11:00:00 P1 -30",
	"2024-02-03 12:00:00 P1 -25.5", "2024-02-10 13:00:00 P2 -40", "2024-03-01 14:00:00 P3 10",
	"2024-03-02 15:00:00 P3 -7", "2024-03-03 16:00:00 P1 -1", "2024-03-04 17:00:00 P1 -200",
}

// TestReportFiguresMatchSQL checks the summary against the same figures computed with
// SQL straight on the operations table.
func TestReportFiguresMatchSQL(t *testing.T) {
	db := ledger(t, sample...)
	for _, tc := range []struct {
		name   string
		filter reports.Filter
		where  string
	}{
		{"whole ledger", reports.Filter{}, "1 = 1"},
		{"February and March", reports.Filter{From: day("2024-02-01"), To: day("2024-03-03")},
			"operation_date >= '2024-02-01' AND operation_date < '2024-03-04'"},
		{"two products", reports.Filter{Products: []string{"P1", "P3"}}, "product_ID IN ('P1', 'P3')"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, _ := render(t, db, tc.filter)
			raw, err := sql.Open("sqlite", db.Path())
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			var ops, products int
			var sold, restocked float64
			err = raw.QueryRow(`SELECT count(*), count(DISTINCT product_ID),
				coalesce(sum(operation_qt) FILTER (WHERE operation_type = 'sales'), 0), -- positive since migration 007
				coalesce(sum(operation_qt) FILTER (WHERE operation_type = 'replenishment'), 0)
				FROM operations WHERE `+tc.where).Scan(&ops, &products, &sold, &restocked)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{
				fmt.Sprintf(`<div class="n">%d</div><div class="l">operations</div>`, ops),
				fmt.Sprintf(`<div class="n">%d</div><div class="l">products with operations</div>`, products),
				fmt.Sprintf(`<div class="n sold">%s</div>`, strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.2f", sold), "00"), ".")),
				fmt.Sprintf(`<div class="n restocked">%s</div>`, strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.2f", restocked), "00"), ".")),
			} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %s", want)
				}
			}
		})
	}
}

func TestReportCurrentStockAndZeroCount(t *testing.T) {
	db := ledger(t, sample...)
	page, _ := render(t, db, reports.Filter{})
	// P1: 100 - 30 - 25.5 - 1 = 43.50 (the sale of 200 is refused); P2: 0; P3: 3.
	raw, _ := sql.Open("sqlite", db.Path())
	defer raw.Close()
	var zero, low int
	raw.QueryRow(`SELECT count(*) FILTER (WHERE stock_cents = 0), count(*) FILTER (WHERE stock_cents <= 500) FROM stock`).Scan(&zero, &low)
	if zero != 1 || low != 2 {
		t.Fatalf("fixture: zero %d, low %d", zero, low)
	}
	for _, want := range []string{
		`<div class="n zero">1</div>`, `<div class="n">2</div><div class="l">at or below 5 units</div>`,
		"<td>insufficient_stock</td>", // the refused sale of 200 is listed
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

// TestReportImages: every PNG decodes, has the chart's size and is not blank.
func TestReportImages(t *testing.T) {
	_, res := render(t, ledger(t, sample...), reports.Filter{})
	pngs := 0
	for _, f := range res.Files {
		if !strings.HasSuffix(f, ".png") {
			continue
		}
		pngs++
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		b := img.Bounds()
		if b.Dx() < 400 || b.Dy() < 100 {
			t.Errorf("%s is %dx%d", f, b.Dx(), b.Dy())
		}
		colors := map[[3]uint32]bool{}
		for y := b.Min.Y; y < b.Max.Y; y += 3 {
			for x := b.Min.X; x < b.Max.X; x += 3 {
				r, g, bl, _ := img.At(x, y).RGBA()
				colors[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			}
		}
		if len(colors) < 5 {
			t.Errorf("%s looks blank: %d colours", f, len(colors))
		}
	}
	if pngs < 5 {
		t.Errorf("%d PNG files written, want at least 5 (stock, quantities, operations, periods, current stock)", pngs)
	}
}

func TestReportEscapesUserInput(t *testing.T) {
	db := ledger(t, "2024-01-01 00:00:00 <script>alert(1)</script> 5")
	page, _ := render(t, db, reports.Filter{})
	if strings.Contains(page, "<script>alert(1)</script>") {
		t.Fatal("a product ID reached the page unescaped")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatal("the product ID is not shown as text")
	}
}

func TestReportEmptyAndUnknown(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ops    []string
		filter reports.Filter
		want   []string
	}{
		{"empty ledger", nil, reports.Filter{}, []string{"No operations yet: record one with <code>stockctl restock PRODUCT QUANTITY</code> or import a file with <code>stockctl import FILE</code>."}},
		{"empty period", sample, reports.Filter{From: day("2030-01-01")}, []string{"No operations in this period", "Current stock"}},
		{"unknown product", sample, reports.Filter{Products: []string{"NOPE"}}, []string{"No operation was ever recorded for: <strong>NOPE</strong>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, res := render(t, ledger(t, tc.ops...), tc.filter)
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if strings.Contains(page, "Stock over time") || res.Operations != 0 {
				t.Errorf("an empty report drew charts of operations (%d operations)", res.Operations)
			}
		})
	}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}
