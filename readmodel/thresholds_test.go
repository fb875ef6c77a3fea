package readmodel_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
)

// Thresholds lists each threshold with the stock its scope holds now: the total, main's
// (the total while the product is kept in main only, its own after), a location's, or
// zero where the product has none; ThresholdOf finds one by scope.
func TestThresholdsWithTheirStock(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	north, _ := domain.ParseLocationID("north")
	n := int64(0)
	rec := func(part int32, e domain.Event) domain.Record {
		n++
		e.ID, e.CommandID, e.BusinessDate, e.RecordedAt, e.RecordedBy = fmt.Sprint("e", n), fmt.Sprint("c", n), domain.NewBusinessDate(at), at, "ana"
		return testfix.Record(t, domain.Position{Partition: part, Offset: n}, e)
	}
	set := func(p string, perLoc bool, l domain.LocationID, min string) domain.Record {
		e, err := domain.SetThreshold(domain.Threshold{Product: testfix.Product(t, p), PerLocation: perLoc, Location: l, Min: testfix.Quantity(t, min), LeadDays: 3}, domain.Metadata{})
		if err != nil {
			t.Fatal(err)
		}
		return rec(0, e)
	}
	op := func(typ domain.EventType, p, qty string, seq int64, from, to domain.LocationID) domain.Record {
		return rec(0, domain.Event{Type: typ, Product: testfix.Product(t, p), Quantity: testfix.Quantity(t, qty), ExpectedSeq: seq, Location: from, To: to})
	}
	records := []domain.Record{
		rec(0, domain.Event{Type: domain.TypeLocationAdded, Location: north, Name: "North"}),
		op(domain.TypeStockRestocked, "A", "10", 1, domain.MainLocation, domain.MainLocation),
		op(domain.TypeStockRestocked, "B", "8", 1, domain.MainLocation, domain.MainLocation),
		op(domain.TypeStockTransferred, "B", "3", 2, domain.MainLocation, north),
		set("A", false, domain.LocationID{}, "4"),
		set("A", true, domain.MainLocation, "5"),
		set("A", true, north, "1"),
		set("B", true, domain.MainLocation, "2"),
		set("B", true, north, "6"),
		set("C", false, domain.LocationID{}, "7"),
	}
	db := testfix.MustOpenDB(t)
	testfix.Apply(t, db, records)
	list, err := db.Thresholds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range list {
		got = append(got, fmt.Sprintf("%s %q %s stock %d lead %d %s", st.Product, st.Scope(), st.Min, st.Stock, st.LeadDays, st.EventID))
	}
	want := []string{`A "" 4.00 stock 1000 lead 3 e5`, `A "main" 5.00 stock 1000 lead 3 e6`, `A "north" 1.00 stock 0 lead 3 e7`,
		`B "main" 2.00 stock 500 lead 3 e8`, `B "north" 6.00 stock 300 lead 3 e9`, `C "" 7.00 stock 0 lead 3 e10`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Thresholds =\n%q\nwant\n%q", got, want)
	}
	if st, ok, err := db.ThresholdOf(ctx, testfix.Product(t, "B"), "north"); err != nil || !ok || st.Min.String() != "6.00" || st.Stock != 300 {
		t.Errorf("ThresholdOf(B, north) = %+v, %v, %v", st, ok, err)
	}
	if _, ok, err := db.ThresholdOf(ctx, testfix.Product(t, "B"), ""); err != nil || ok {
		t.Errorf("ThresholdOf(B, total) = %v, %v, want none", ok, err)
	}
}
