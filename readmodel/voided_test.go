package readmodel_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/reports"
)

// repaired has a void, a correction, counts (short, over and confirmed) and adjustments
// both ways, over three products.
var repaired = []string{
	"restock 2024-05-01 P1 43",        // 0
	"sell 2024-05-02 P1 30",           // 1: the mistake
	"void 1 typed-30-for-3",           // 2
	"sell 2024-05-02 P1 3",            // 3
	"restock 2024-05-01 P2 10",        // 4
	"count 2024-05-03 P2 7",           // 5: 3 short
	"adjust 2024-05-04 P2 -1 damaged", // 6
	"adjust 2024-05-04 P2 +2 found",   // 7
	"restock 2024-05-01 P3 5",         // 8
	"sell 2024-05-02 P3 2",            // 9
	"correct 9 4 2024-05-03",          // 10: the sale was of 4, a day later
	"count 2024-05-05 P3 1",           // 11: as expected
	"count 2024-05-06 P3 3",           // 12: 2 over
}

// TestOperationsViewShowsOperationsInEffect: SELECT * FROM operations lists no voided
// row nor the row a correction replaced, lists the correction's operation, counts and
// adjustments with their operation_type, and each product's last stock is its stock.
func TestOperationsViewShowsOperationsInEffect(t *testing.T) {
	ctx := context.Background()
	db := repairLedger(t, repaired...)
	raw := rawDB(t, db)
	got := queryLines(t, raw, `SELECT * FROM operations`)
	want := []string{
		"2024-05-01 00:00:00 P1 43 43 replenishment",
		"2024-05-01 00:00:00 P2 10 10 replenishment",
		"2024-05-01 00:00:00 P3 5 5 replenishment",
		"2024-05-02 00:00:00 P1 3 40 sales",
		"2024-05-03 00:00:00 P2 3 7 count_out",
		"2024-05-03 00:00:00 P3 4 1 sales",
		"2024-05-04 00:00:00 P2 1 6 adjustment_out",
		"2024-05-04 00:00:00 P2 2 8 adjustment_in",
		"2024-05-05 00:00:00 P3 0 1 count",
		"2024-05-06 00:00:00 P3 2 3 count_in",
	}
	if !slices.Equal(got, want) {
		t.Errorf("SELECT * FROM operations:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	levels, err := db.StockLevels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lastStock := map[string]string{}
	for _, l := range queryLines(t, raw, `SELECT product_ID, printf('%.2f', stock) FROM operations`) {
		f := strings.Fields(l)
		lastStock[f[0]] = f[1] // the view is in business-date order: the last row wins
	}
	if len(levels) != 3 {
		t.Fatalf("stock levels: %+v", levels)
	}
	for _, l := range levels {
		if lastStock[l.Product] != l.Stock {
			t.Errorf("%s: last stock in operations %s, stockctl stock %s", l.Product, lastStock[l.Product], l.Stock)
		}
	}
}

// TestMistakeVoidedIsAsIfNeverMade is the "done when": sell 30 by mistake, void
// it, sell 3 gives the operations view, the per-type sums, the lists, the totals and the
// report's numbers of a ledger with just the sale of 3.
func TestMistakeVoidedIsAsIfNeverMade(t *testing.T) {
	ctx := context.Background()
	withMistake := repairLedger(t, "restock 2024-05-01 P1 43", "restock 2024-05-01 P2 5", "sell 2024-05-02 P1 30",
		"void 2 typed-30-for-3", "sell 2024-05-02 P1 3", "sell 2024-05-03 P2 1")
	without := repairLedger(t, "restock 2024-05-01 P1 43", "restock 2024-05-01 P2 5", "sell 2024-05-02 P1 3", "sell 2024-05-03 P2 1")
	views := func(db *readmodel.DB) map[string]string {
		raw := rawDB(t, db)
		v := map[string]string{
			"operations":    strings.Join(queryLines(t, raw, `SELECT * FROM operations`), "\n"),
			"per-type sums": strings.Join(queryLines(t, raw, `SELECT operation_type, sum(operation_qt), count(*) FROM operations GROUP BY 1 ORDER BY 1`), "\n"),
		}
		add := func(name string, x any, err error) {
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			v[name] = fmt.Sprintf("%+v", x)
		}
		periods := []reports.Filter{{}, {From: day(t, "2024-05-02"), To: day(t, "2024-05-02")}, {Products: []string{"P1"}},
			{From: day(t, "2024-05-01"), Products: []string{"P1"}}}
		for i, f := range periods {
			pt, err := db.ProductTotals(ctx, f)
			add(fmt.Sprint("ProductTotals ", i), pt, err)
			for _, b := range []reports.Bucket{reports.Day, reports.Week, reports.Month} {
				p, err := db.PeriodTotals(ctx, f, b)
				add(fmt.Sprint("PeriodTotals ", i, b), p, err)
			}
			ops, err := db.Operations(ctx, f, 50)
			add(fmt.Sprint("Operations ", i), ops, err)
			ops, err = db.RecentOperations(ctx, f, 50)
			add(fmt.Sprint("RecentOperations ", i), ops, err)
			levels, n, err := db.CurrentStock(ctx, f, 50)
			add(fmt.Sprint("CurrentStock ", i), fmt.Sprint(levels, n), err)
			var exported []string
			err = db.EachOperation(ctx, f, func(r readmodel.ExportRow) error {
				exported = append(exported, fmt.Sprint(r.Date, r.Product, r.SignedCents, r.StockCents))
				return nil
			})
			add(fmt.Sprint("EachOperation ", i), exported, err)
		}
		for _, q := range []readmodel.OperationQuery{{}, {Type: "sale"}, {Product: "P1"}, {Product: "P1", From: day(t, "2024-05-02")},
			{From: day(t, "2024-05-02")}, {Sort: "quantity"}} {
			n, err := db.CountOperations(ctx, q)
			add(fmt.Sprintf("CountOperations %+v", q), n, err)
			page, err := db.OperationsPage(ctx, q, "", "", 50)
			var rows []string
			for _, r := range page.Rows {
				rows = append(rows, fmt.Sprint(r.Date, r.Product, r.Type, r.QtyCents, r.StockCents, r.DeltaCents))
			}
			add(fmt.Sprintf("OperationsPage %+v", q), fmt.Sprint(rows, page.Total, page.Start), err)
		}
		for _, m := range []asof.Moment{{}, {Date: domain.NewBusinessDate(day(t, "2024-05-02"))}} {
			levels, err := db.StockAt(ctx, m)
			add(fmt.Sprint("StockAt ", m), levels, err)
		}
		products, err := db.ProductRows(ctx)
		add("ProductRows", products, err)
		return v
	}
	a, b := views(withMistake), views(without)
	for k := range b {
		if a[k] != b[k] {
			t.Errorf("%s with the mistake voided:\n%s\nwithout it:\n%s", k, a[k], b[k])
		}
	}
	// The sums themselves: 3 sold of P1, 1 of P2; 48 restocked.
	if want := "replenishment 48 2\nsales 4 2"; a["per-type sums"] != want {
		t.Errorf("per-type sums:\n%s\nwant\n%s", a["per-type sums"], want)
	}
}

func day(tb testing.TB, s string) time.Time {
	tb.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
