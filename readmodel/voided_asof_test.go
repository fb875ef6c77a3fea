package readmodel_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/reports"
)

// TestStockAtKnownAtWithRepairs: as known at T, a void or a correction recorded after T
// does not apply yet and one recorded at or before T does; counts and adjustments
// recorded after T do not apply; an operation dated before a void's target, recorded
// after it, counts; and as of a business date alone every repair known now applies.
func TestStockAtKnownAtWithRepairs(t *testing.T) {
	ctx := context.Background()
	db := repairLedger(t,
		"restock 2024-05-01 P 10",        // 0
		"sell 2024-05-02 P 4",            // 1
		"void 1 mistake",                 // 2
		"restock 2024-04-30 P 5",         // 3: dated before the void's target
		"count 2024-05-03 P 12",          // 4: 3 short
		"adjust 2024-05-04 P -2 expired", // 5
		"correct 0 11 2024-05-01",        // 6: the first restock was of 11
	)
	at := func(m asof.Moment) string {
		levels, err := db.StockAt(ctx, m, "P")
		if err != nil {
			t.Fatal(err)
		}
		if len(levels) == 0 {
			return "none"
		}
		return levels[0].Stock
	}
	may := func(d string) domain.BusinessDate { return domain.NewBusinessDate(day(t, d)) }
	for _, c := range []struct {
		m    asof.Moment
		want string
	}{
		{asof.Moment{KnownAt: knownAfter(1)}, "6.00"},  // the sale, not yet voided
		{asof.Moment{KnownAt: knownAfter(2)}, "10.00"}, // voided
		{asof.Moment{KnownAt: knownAfter(3)}, "15.00"}, // the backdated restock
		{asof.Moment{KnownAt: knownAfter(4)}, "12.00"}, // the count
		{asof.Moment{KnownAt: knownAfter(5)}, "10.00"}, // the adjustment
		{asof.Moment{KnownAt: knownAfter(6)}, "11.00"}, // the correction: 10 out, 11 in
		{asof.Moment{}, "11.00"},                       // now
		{asof.Moment{KnownAt: knownAfter(1), Date: may("2024-05-01")}, "10.00"},
		{asof.Moment{KnownAt: knownAfter(3), Date: may("2024-04-30")}, "5.00"},
		{asof.Moment{KnownAt: knownAfter(5), Date: may("2024-05-02")}, "15.00"},
		{asof.Moment{KnownAt: knownAfter(6), Date: may("2024-05-03")}, "13.00"}, // 5 + 11 - 3
		{asof.Moment{Date: may("2024-05-02")}, "16.00"},                         // every repair known now: 5 + 11
		{asof.Moment{Date: may("2024-05-04")}, "11.00"},
	} {
		if got := at(c.m); got != c.want {
			t.Errorf("stock of P at %s = %s, want %s", c.m, got, c.want)
		}
	}
}

// TestListsOfRepairedLedger: the operations list and its count leave out voided and
// corrected rows, filter adjustments and counts by type, and sign their movement; the
// report's totals count adjustments; status counts every accepted event.
func TestListsOfRepairedLedger(t *testing.T) {
	ctx := context.Background()
	db := repairLedger(t, repaired...)
	list := func(q readmodel.OperationQuery) string {
		page, err := db.OperationsPage(ctx, q, "", "", 50)
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.CountOperations(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		for _, r := range page.Rows {
			rows = append(rows, fmt.Sprintf("%s %s %s %d %d %d %s", r.Date[:10], r.Product, r.Type, r.QtyCents, r.DeltaCents, r.StockCents, r.Reason))
		}
		return fmt.Sprintf("%d/%d/%d: %s", n, page.Total, len(page.Rows), strings.Join(rows, "; "))
	}
	for _, c := range []struct {
		q    readmodel.OperationQuery
		want string
	}{
		{readmodel.OperationQuery{Type: "adjustment", Sort: "date"}, "2/2/2: 2024-05-04 P2 adjustment 100 -100 600 damaged; 2024-05-04 P2 adjustment 200 200 800 found"},
		{readmodel.OperationQuery{Type: "count", Sort: "date"}, "3/3/3: 2024-05-03 P2 count 300 -300 700 ; 2024-05-05 P3 count 0 0 100 ; 2024-05-06 P3 count 200 200 300 "},
		{readmodel.OperationQuery{Type: "sale", Sort: "date"}, "2/2/2: 2024-05-02 P1 sale 300 -300 4000 ; 2024-05-03 P3 sale 400 -400 100 typo"},
		{readmodel.OperationQuery{Product: "P3", Sort: "date"}, "4/4/4: 2024-05-01 P3 restock 500 500 500 ; 2024-05-03 P3 sale 400 -400 100 typo; " +
			"2024-05-05 P3 count 0 0 100 ; 2024-05-06 P3 count 200 200 300 "},
		{readmodel.OperationQuery{Product: "P1", From: day(t, "2024-05-02"), Sort: "date"}, "1/1/1: 2024-05-02 P1 sale 300 -300 4000 "},
		{readmodel.OperationQuery{From: day(t, "2024-05-04"), Sort: "date"}, "4/4/4: 2024-05-04 P2 adjustment 100 -100 600 damaged; " +
			"2024-05-04 P2 adjustment 200 200 800 found; 2024-05-05 P3 count 0 0 100 ; 2024-05-06 P3 count 200 200 300 "},
		{readmodel.OperationQuery{Type: "adjustment", Sort: "-quantity"}, "2/2/2: 2024-05-04 P2 adjustment 200 200 800 found; 2024-05-04 P2 adjustment 100 -100 600 damaged"},
	} {
		if got := list(c.q); got != c.want {
			t.Errorf("list %+v:\n got %s\nwant %s", c.q, got, c.want)
		}
	}
	var qe *readmodel.QueryError
	if _, err := db.CountOperations(ctx, readmodel.OperationQuery{Type: "void"}); !errors.As(err, &qe) ||
		!strings.Contains(err.Error(), "use one of sale, restock, adjustment, count") {
		t.Errorf("type void: %v, want a QueryError naming the types", err)
	}
	totals, err := db.ProductTotals(ctx, reports.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	period, err := db.ProductTotals(ctx, reports.Filter{From: day(t, "2024-05-01")})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := fmt.Sprintf("%+v", totals), fmt.Sprintf("%+v", period); a != b ||
		!strings.Contains(a, "{Product:P2 Sales:0 Restocks:1 SoldCents:0 RestockedCents:1000 Adjustments:3 AdjustedCents:-200}") ||
		!strings.Contains(a, "{Product:P3 Sales:1 Restocks:1 SoldCents:400 RestockedCents:500 Adjustments:2 AdjustedCents:200}") {
		t.Errorf("product totals, all time:\n%s\nfrom the first day:\n%s", a, b)
	}
	for _, f := range []reports.Filter{{}, {Products: []string{"P2", "P3"}}} {
		p, err := db.PeriodTotals(ctx, f, reports.Month)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%d %d %d %d %d", len(p), p[0].SoldCents, p[0].RestockedCents, p[0].AdjustedInCents, p[0].AdjustedOutCents); got != map[bool]string{true: "1 700 5800 400 400", false: "1 400 1500 400 400"}[len(f.Products) == 0] {
			t.Errorf("period totals of %v: %s", f.Products, got)
		}
	}
	days, err := db.PeriodTotals(ctx, reports.Filter{From: day(t, "2024-05-04")}, reports.Day)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%+v", days); !strings.Contains(got, "SoldCents:0 RestockedCents:0 AdjustedInCents:200 AdjustedOutCents:100}") || len(days) != 3 {
		t.Errorf("days from 2024-05-04: %s", got)
	}
	s, err := db.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Accepted != len(repaired) {
		t.Errorf("status accepted = %d, want every event, %d", s.Accepted, len(repaired))
	}
}

// TestRepairsTable: who, when, why, and what each repair changed, newest first.
func TestRepairsTable(t *testing.T) {
	ctx := context.Background()
	db := repairLedger(t, repaired...)
	got, total, err := db.Repairs(ctx, reports.Filter{}, 4)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range got {
		lines = append(lines, fmt.Sprintf("%s %s %s %s %s %d %s | %s %s %s %d | %d %d", r.RecordedAt, r.RecordedBy, r.Kind, r.Date[:10], r.Product,
			r.DeltaCents, r.Reason, r.TargetID, r.TargetType, r.TargetDate, r.TargetCents, r.NewCents, r.CountedCents))
	}
	want := []string{
		"2024-06-01T12:00:00Z clerk count 2024-05-06 P3 200  |    0 | 200 300",
		"2024-06-01T11:00:00Z clerk count 2024-05-05 P3 0  |    0 | 0 100",
		"2024-06-01T10:00:00Z clerk correction 2024-05-03 P3 -200 typo | e9 sale 2024-05-02 00:00:00 -200 | -400 0",
		"2024-06-01T07:00:00Z clerk adjustment 2024-05-04 P2 200 found |    0 | 200 0",
	}
	if total != 7 || strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("repairs (%d):\n%s\nwant (7):\n%s", total, strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	p1, total, err := db.Repairs(ctx, reports.Filter{Products: []string{"P1"}, From: day(t, "2024-05-02"), To: day(t, "2024-05-02")}, 10)
	if err != nil || total != 1 || len(p1) != 1 || p1[0].Kind != "void" || p1[0].Reason != "typed-30-for-3" || p1[0].TargetCents != -3000 ||
		p1[0].TargetType != "sale" || p1[0].DeltaCents != 3000 {
		t.Errorf("P1's repairs on 2024-05-02: %+v, %d, %v", p1, total, err)
	}
}

// TestVoidedAdjustmentsLeaveTheTotals: an adjustment or a count voided counts nowhere:
// not in the units adjusted per period, the products' totals, the lists or the view.
func TestVoidedAdjustmentsLeaveTheTotals(t *testing.T) {
	ctx := context.Background()
	db := repairLedger(t, "restock 2024-05-01 P 10", "adjust 2024-05-02 P -2 damaged", "void 1 wrong-product",
		"count 2024-05-03 P 9", "void 3 miscounted")
	for _, f := range []reports.Filter{{}, {Products: []string{"P"}}, {From: day(t, "2024-05-02")}} {
		p, err := db.PeriodTotals(ctx, f, reports.Month)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range p {
			if b.AdjustedInCents != 0 || b.AdjustedOutCents != 0 {
				t.Errorf("period totals of %+v: %+v, want nothing adjusted", f, b)
			}
		}
		totals, err := db.ProductTotals(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, pt := range totals {
			if pt.Adjustments != 0 || pt.AdjustedCents != 0 {
				t.Errorf("product totals of %+v: %+v, want no adjustment", f, pt)
			}
		}
	}
	for _, typ := range []string{"adjustment", "count"} {
		if n, err := db.CountOperations(ctx, readmodel.OperationQuery{Type: typ}); err != nil || n != 0 {
			t.Errorf("%ss: %d, %v; want none", typ, n, err)
		}
	}
	if got := queryLines(t, rawDB(t, db), `SELECT * FROM operations`); len(got) != 1 {
		t.Errorf("operations: %q, want the restock alone", got)
	}
}

// TestRejectedRepairsNamed: the report's rejected operations name a refused void or
// correction as such, not as a restock.
func TestRejectedRepairsNamed(t *testing.T) {
	ctx := context.Background()
	db := repairLedger(t, "restock 2024-05-01 P 10", "sell 2024-05-02 P 4", "void 1 mistake")
	p := testfix.Product(t, "P")
	var records []domain.Record
	for i, typ := range []domain.EventType{domain.TypeOperationVoided, domain.TypeOperationCorrected} {
		e := domain.Event{Type: typ, ID: fmt.Sprint("r", i), CommandID: fmt.Sprint("rc", i), Product: p, Target: "e1", Reason: "again",
			ExpectedSeq: 4, BusinessDate: domain.NewBusinessDate(day(t, "2024-05-02")), RecordedAt: knownAfter(3 + i), RecordedBy: "clerk"}
		if typ == domain.TypeOperationCorrected {
			e.Quantity = testfix.Quantity(t, "2")
		}
		records = append(records, testfix.Record(t, domain.Position{Offset: int64(10 + i)}, e))
	}
	testfix.Apply(t, db, records)
	rejected, n, err := db.Rejected(ctx, reports.Filter{}, 10)
	if err != nil || n != 2 {
		t.Fatalf("rejected: %+v, %d, %v", rejected, n, err)
	}
	var got []string
	for _, r := range rejected {
		got = append(got, r.Type+" "+r.Reason)
	}
	slices.Sort(got)
	if want := []string{"correction already_voided", "void already_voided"}; !slices.Equal(got, want) {
		t.Errorf("rejected repairs: %q, want %q", got, want)
	}
}
