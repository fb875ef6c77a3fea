package projections_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/projections"
)

// TestLocationOperationsView: the view location_operations (012) lists every operation
// once in its location and a transfer twice, out of its source and into its destination,
// each with the location's balance after it; operations (the original five columns) stays
// product-level: transfers absent, stock the product's total.
func TestLocationOperationsView(t *testing.T) {
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	day := func(n int) domain.BusinessDate {
		return domain.NewBusinessDate(base.Add(time.Duration(n) * 24 * time.Hour))
	}
	north, _ := domain.ParseLocationID("north")
	p1, _ := domain.ParseProductID("P1")
	var records []domain.Record
	offset := map[int32]int64{}
	add := func(part int32, e domain.Event) {
		records = append(records, testfix.Record(t, domain.Position{Partition: part, Offset: offset[part]}, e))
		offset[part]++
	}
	for p := range int32(3) {
		add(p, domain.Event{Type: domain.TypeLocationAdded, ID: "loc-north", CommandID: "c-north", Location: north,
			Name: "North", BusinessDate: day(0), RecordedAt: base, RecordedBy: "t"})
	}
	op := func(n int, typ domain.EventType, cents int64, d int, from, to domain.LocationID) {
		q, _ := domain.QuantityFromCents(cents)
		add(0, domain.Event{Type: typ, ID: fmt.Sprint("e", n), CommandID: fmt.Sprint("c", n), Product: p1, Quantity: q,
			ExpectedSeq: int64(n), BusinessDate: day(d), RecordedAt: base, RecordedBy: "t", Location: from, To: to})
	}
	op(1, domain.TypeStockRestocked, 1000, 1, domain.MainLocation, domain.LocationID{})
	op(2, domain.TypeStockTransferred, 400, 2, domain.MainLocation, north)
	op(3, domain.TypeStockSold, 300, 3, north, domain.LocationID{})
	op(4, domain.TypeStockSold, 200, 3, domain.MainLocation, domain.LocationID{})

	db := testfix.MustOpenDB(t)
	if _, err := projections.NewLedger(db).Apply(context.Background(), records); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	got := queryRows(t, raw, `SELECT * FROM location_operations`)
	want := []string{
		"2024-05-02 00:00:00|P1|10|10|replenishment|main",
		"2024-05-03 00:00:00|P1|4|6|transfer_out|main",
		"2024-05-03 00:00:00|P1|4|4|transfer_in|north",
		"2024-05-04 00:00:00|P1|3|1|sales|north",
		"2024-05-04 00:00:00|P1|2|4|sales|main",
	}
	if !slices.Equal(got, want) {
		t.Errorf("location_operations =\n%q\nwant\n%q", got, want)
	}
	gotOps := queryRows(t, raw, `SELECT * FROM operations`)
	wantOps := []string{
		"2024-05-02 00:00:00|P1|10|10|replenishment",
		"2024-05-04 00:00:00|P1|3|7|sales",
		"2024-05-04 00:00:00|P1|2|5|sales",
	}
	if !slices.Equal(gotOps, wantOps) {
		t.Errorf("operations =\n%q\nwant\n%q", gotOps, wantOps)
	}
}
