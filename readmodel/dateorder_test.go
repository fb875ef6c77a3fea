package readmodel_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/reports"
)

// datedLedger builds a read model through the ledger projection from operations given as
// "date clock product ±qty" (negative for a sale), appended in the order given.
func datedLedger(tb testing.TB, ops ...string) *readmodel.DB {
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
			ExpectedSeq: seq[product], BusinessDate: d, RecordedAt: time.Now(), RecordedBy: "test"}))
	}
	testfix.Apply(tb, db, records)
	return db
}

// backdated is the example: restock P 10 on May 1st, sell 4 on May 2nd, then a
// sale of 3 dated May 1st at noon. In business-date order the stock is 10, 7, 3; in the
// order the ledger accepted them 10, 6, 3 (what ledger.stock_cents keeps).
var backdated = []string{"2024-05-01 00:00:00 P 10", "2024-05-02 00:00:00 P -4", "2024-05-01 12:00:00 P -3"}

// dateOrder is what every view must show of backdated, in business-date order:
// "date qty stock".
var dateOrder = []string{"2024-05-01 00:00:00 1000 1000", "2024-05-01 12:00:00 -300 700", "2024-05-02 00:00:00 -400 300"}

// TestStockColumnsInBusinessDateOrder: after a backdated sale, the operations list (every
// sort, and its download), the report's operation lists, the export rows and the live
// changes show each operation's stock after it in business-date order, so the later-dated
// sale recorded earlier drops from 6 to 3.
func TestStockColumnsInBusinessDateOrder(t *testing.T) {
	ctx := context.Background()
	db := datedLedger(t, backdated...)
	signed := func(typ string, q int64) int64 {
		if typ == "sale" {
			return -q
		}
		return q
	}
	for _, sort := range readmodel.OperationSorts {
		page, err := db.OperationsPage(ctx, readmodel.OperationQuery{Sort: sort}, "", "", 50)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range page.Rows {
			got = append(got, fmt.Sprint(r.Date, " ", signed(r.Type, r.QtyCents), " ", r.StockCents))
		}
		slices.Sort(got)
		if !slices.Equal(got, dateOrder) {
			t.Errorf("operations page sorted %s:\n got %q\nwant %q", sort, got, dateOrder)
		}
	}
	var listed []string
	if err := db.EachListedOperation(ctx, readmodel.OperationQuery{Sort: "date", Product: "P"}, func(r readmodel.ListedOperation) error {
		listed = append(listed, fmt.Sprint(r.Date, " ", signed(r.Type, r.QtyCents), " ", r.StockCents))
		return nil
	}); err != nil || !slices.Equal(listed, dateOrder) {
		t.Errorf("operations download by date: %q, %v\nwant %q", listed, err, dateOrder)
	}
	for name, list := range map[string]func(context.Context, reports.Filter, int) ([]reports.Operation, error){
		"Operations": db.Operations, "RecentOperations": db.RecentOperations,
	} {
		ops, err := list(ctx, reports.Filter{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range ops {
			got = append(got, fmt.Sprint(r.Date, " ", signed(r.Type, r.QtyCents), " ", r.StockCents))
		}
		slices.Sort(got)
		if !slices.Equal(got, dateOrder) {
			t.Errorf("%s:\n got %q\nwant %q", name, got, dateOrder)
		}
	}
	for name, each := range map[string]func(context.Context, reports.Filter, func(readmodel.ExportRow) error) error{
		"EachOperation":       db.EachOperation,
		"EachOperationDetail": db.EachOperationDetail, "EachOperationWithVoided": db.EachOperationWithVoided,
	} {
		var got []string
		if err := each(ctx, reports.Filter{}, func(r readmodel.ExportRow) error {
			got = append(got, fmt.Sprint(r.Date.Format(domain.BusinessDateLayout), " ", r.SignedCents, " ", r.StockCents))
			return nil
		}); err != nil || !slices.Equal(got, dateOrder) {
			t.Errorf("%s, in this order: %q, %v\nwant %q", name, got, err, dateOrder)
		}
	}
	// Live changes, told in log order: the May 2nd sale, then the backdated one, each
	// with its stock in business-date order as the model has it when they are read.
	live := datedLedger(t, backdated[0])
	_, mark, _, err := live.ChangesSince(ctx, readmodel.Mark{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	applyMore(t, live, backdated[1:], 1)
	changes, _, _, err := live.ChangesSince(ctx, mark, 10)
	if err != nil || len(changes) != 2 {
		t.Fatalf("changes: %+v, %v", changes, err)
	}
	if changes[0].Stock != "3.00" || changes[1].Stock != "7.00" {
		t.Errorf("live changes' stock after: %s then %s, want 3.00 (May 2nd) then 7.00 (May 1st noon)", changes[0].Stock, changes[1].Stock)
	}
}

// TestStockSeriesByBusinessDate: stock over time is the balance at each business date,
// the backdated sale in its place; a period starts at the balance of the last date
// before it.
func TestStockSeriesByBusinessDate(t *testing.T) {
	ctx := context.Background()
	db := datedLedger(t, backdated...)
	series := func(f reports.Filter) []string {
		points, err := db.StockSeries(ctx, f, "P")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range points {
			out = append(out, fmt.Sprint(p.Date.Format(domain.BusinessDateLayout), " ", p.Cents))
		}
		return out
	}
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, c := range []struct {
		f    reports.Filter
		want []string
	}{
		{reports.Filter{}, []string{"2024-05-01 00:00:00 1000", "2024-05-01 12:00:00 700", "2024-05-02 00:00:00 300"}},
		{reports.Filter{From: day("2024-05-02")}, []string{"2024-05-02 00:00:00 700", "2024-05-02 00:00:00 300"}},
		{reports.Filter{To: day("2024-05-01")}, []string{"2024-05-01 00:00:00 1000", "2024-05-01 12:00:00 700"}},
	} {
		if got := series(c.f); !slices.Equal(got, c.want) {
			t.Errorf("stock series %+v:\n got %q\nwant %q", c.f, got, c.want)
		}
	}
}

// TestStockLevelsAsOf: the report's stock levels at the end of a day count only the
// operations dated up to it, whenever recorded; a product with none by then is left out.
func TestStockLevelsAsOf(t *testing.T) {
	ctx := context.Background()
	db := datedLedger(t, append(slices.Clone(backdated), "2024-05-03 09:00:00 Q 2", "2024-05-03 10:00:00 P -3")...)
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, c := range []struct {
		asOf       string
		want       string
		zero, low  int
		lowAtCents int64
	}{
		{"", "P 0 2024-05-03 10:00:00, Q 200 2024-05-03 09:00:00 of 2", 1, 2, 200},
		{"2024-05-03", "P 0 2024-05-03 10:00:00, Q 200 2024-05-03 09:00:00 of 2", 1, 2, 200},
		{"2024-05-02", "P 300 2024-05-02 00:00:00 of 1", 0, 0, 200},
		{"2024-05-01", "P 700 2024-05-01 12:00:00 of 1", 0, 1, 700},
		{"2024-04-30", " of 0", 0, 0, 700},
	} {
		f := reports.Filter{}
		if c.asOf != "" {
			f.AsOf = day(c.asOf)
		}
		levels, total, err := db.CurrentStock(ctx, f, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range levels {
			got = append(got, fmt.Sprint(l.Product, " ", l.Cents, " ", l.LastDate))
		}
		if s := strings.Join(got, ", ") + fmt.Sprint(" of ", total); s != c.want {
			t.Errorf("stock as of %q: %s, want %s", c.asOf, s, c.want)
		}
		zero, low, err := db.StockCounts(ctx, f, c.lowAtCents)
		if err != nil || zero != c.zero || low != c.low {
			t.Errorf("counts as of %q: %d at zero, %d at or below %d (%v), want %d and %d", c.asOf, zero, low, c.lowAtCents, err, c.zero, c.low)
		}
	}
	one, _, err := db.CurrentStock(ctx, reports.Filter{Products: []string{"Q"}, AsOf: day("2024-05-03")}, 10)
	if err != nil || len(one) != 1 || one[0].Product != "Q" {
		t.Errorf("stock of Q as of May 3rd: %+v, %v", one, err)
	}
}

// TestOperationsViewInBusinessDateOrder: SELECT * FROM operations on the file, as the
// original dashboard read it, gives the rows in business-date order with positive
// quantities, and a stock column each row of which follows from the one before; the
// original dashboard's queries (one product's stock over time, totals by type) still run.
func TestOperationsViewInBusinessDateOrder(t *testing.T) {
	db := datedLedger(t, append(slices.Clone(backdated), "2024-04-30 08:00:00 Q 5", "2024-05-01 06:00:00 Q -1")...)
	raw, err := sql.Open("sqlite", db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT * FROM operations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	stock := map[string]float64{}
	for rows.Next() {
		var date, product, typ string
		var qty, after float64
		if err := rows.Scan(&date, &product, &qty, &after, &typ); err != nil {
			t.Fatal(err)
		}
		if qty <= 0 {
			t.Errorf("%s %s: operation_qt %v, want positive", date, product, qty)
		}
		move := qty
		if typ == "sales" {
			move = -qty
		}
		if stock[product]+move != after {
			t.Errorf("%s %s %s %v: stock %v, but %v before it", date, product, typ, qty, after, stock[product])
		}
		stock[product] = after
		got = append(got, fmt.Sprint(date, " ", product, " ", qty, " ", after, " ", typ))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"2024-04-30 08:00:00 Q 5 5 replenishment", "2024-05-01 00:00:00 P 10 10 replenishment",
		"2024-05-01 06:00:00 Q 1 4 sales", "2024-05-01 12:00:00 P 3 7 sales", "2024-05-02 00:00:00 P 4 3 sales"}
	if !slices.Equal(got, want) {
		t.Errorf("SELECT * FROM operations:\n got %q\nwant %q", got, want)
	}
	// The original dashboard: one product's line, and the totals by type.
	var line []float64
	prows, err := raw.Query(`SELECT operation_date, stock FROM operations WHERE product_ID = ? ORDER BY operation_date`, "P")
	if err != nil {
		t.Fatal(err)
	}
	for prows.Next() {
		var d string
		var s float64
		if err := prows.Scan(&d, &s); err != nil {
			t.Fatal(err)
		}
		line = append(line, s)
	}
	prows.Close()
	if !slices.Equal(line, []float64{10, 7, 3}) {
		t.Errorf("stock line of P: %v, want [10 7 3]", line)
	}
	var sold, restocked float64
	if err := raw.QueryRow(`SELECT sum(operation_qt) FILTER (WHERE operation_type = 'sales'),
		sum(operation_qt) FILTER (WHERE operation_type = 'replenishment') FROM operations`).Scan(&sold, &restocked); err != nil || sold != 8 || restocked != 15 {
		t.Errorf("totals by type: sold %v restocked %v (%v), want 8 and 15", sold, restocked, err)
	}
}

// applyMore appends ops to a model that has applied n records of product P: offsets and
// sequence numbers go on from n.
func applyMore(t *testing.T, db *readmodel.DB, ops []string, n int) {
	t.Helper()
	var records []domain.Record
	for i, op := range ops {
		var date, clock, product, qty string
		fmt.Sscan(op, &date, &clock, &product, &qty)
		typ := domain.TypeStockRestocked
		if strings.HasPrefix(qty, "-") {
			typ, qty = domain.TypeStockSold, qty[1:]
		}
		d, err := domain.ParseBusinessDate(date + " " + clock)
		if err != nil {
			t.Fatal(err)
		}
		k := n + i
		records = append(records, testfix.Record(t, domain.Position{Offset: int64(k)}, domain.Event{Type: typ,
			ID: fmt.Sprint("e", k), CommandID: fmt.Sprint("c", k), Product: testfix.Product(t, product), Quantity: testfix.Quantity(t, qty),
			ExpectedSeq: int64(k + 1), BusinessDate: d, RecordedAt: time.Now(), RecordedBy: "test"}))
	}
	testfix.Apply(t, db, records)
}
