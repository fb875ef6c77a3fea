package loadgen

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/projections"
)

// TestBackdatedLogStaysValid: with Backdate, about the share asked of the events are
// dated before their product's latest operation, by no more than asked, and every
// product's balance, recomputed in (business date, log position) order, is never below
// zero: the rule in business-date order would accept every event.
func TestBackdatedLogStaysValid(t *testing.T) {
	const n, share, within = 50_000, 0.02, 90 * 24 * time.Hour
	g := New(50, 7)
	g.Backdate(share, within)
	evs := g.Next(n)
	type op struct {
		date  time.Time
		pos   int
		delta int64
	}
	ops := map[domain.ProductID][]op{}
	latest := map[domain.ProductID]time.Time{}
	backdated := 0
	for pos, e := range evs {
		d := e.BusinessDate.Time()
		if last, ok := latest[e.Product]; ok && d.Before(last) {
			backdated++
			if last.Sub(d) > within {
				t.Fatalf("event %d dated %s, %s before its product's latest", pos, d, last.Sub(d))
			}
		} else {
			latest[e.Product] = d
		}
		delta := e.Quantity.Cents()
		if e.Type == domain.TypeStockSold {
			delta = -delta
		}
		ops[e.Product] = append(ops[e.Product], op{d, pos, delta})
	}
	if lo, hi := int(n*share*0.8), int(n*share*1.2); backdated < lo || backdated > hi {
		t.Errorf("%d of %d events backdated, want %d to %d", backdated, n, lo, hi)
	}
	for p, list := range ops {
		sort.SliceStable(list, func(i, j int) bool { return list[i].date.Before(list[j].date) })
		bal := int64(0)
		for _, o := range list {
			if bal += o.delta; bal < 0 {
				t.Fatalf("%s: balance %d after the operation at log position %d dated %s", p, bal, o.pos, o.date)
			}
		}
	}
	t.Logf("%d backdated, %d backdated sales turned into restocks", backdated, g.Converted)
}

// TestWithoutBackdateDatesIncrease: the default log is in business-date order, and
// Backdate does not change what a generator without it makes.
func TestWithoutBackdateDatesIncrease(t *testing.T) {
	a, b := New(20, 3).Next(5000), New(20, 3).Next(5000)
	for i := range a {
		if i > 0 && !a[i-1].BusinessDate.Before(a[i].BusinessDate) {
			t.Fatalf("event %d dated %s after %s", i, a[i].BusinessDate, a[i-1].BusinessDate)
		}
		if a[i] != b[i] {
			t.Fatalf("event %d differs between two runs: %+v, %+v", i, a[i], b[i])
		}
	}
	if a[4999].ID != "ev-5000" || a[4999].Product.String() != "P0008" {
		t.Errorf("the default log changed: its last event is %s of %s", a[4999].ID, a[4999].Product)
	}
}

// TestLocationsLogIsAccepted: with Locations, the ledger accepts every event, declared
// locations first; about half of the operations are in main, every location sells and
// receives transfers (none oversold: the ledger would refuse it).
func TestLocationsLogIsAccepted(t *testing.T) {
	const n, locations = 20_000, 10
	g := New(30, 7)
	g.Locations(locations)
	var records []domain.Record
	offsets := map[int32]int64{}
	for _, e := range g.Declarations() {
		for p := range int32(3) {
			records = append(records, testfix.Record(t, domain.Position{Partition: p, Offset: offsets[p]}, e))
			offsets[p]++
		}
	}
	evs := g.Next(n)
	inMain, sold, fed := 0, map[domain.LocationID]int{}, map[domain.LocationID]int{}
	for _, e := range evs {
		if e.Location.IsMain() {
			inMain++
		}
		switch e.Type {
		case domain.TypeStockSold:
			sold[e.Location]++
		case domain.TypeStockTransferred:
			fed[e.To]++
		}
	}
	// A product's events stay in one partition, in log order.
	part := map[domain.ProductID]int32{}
	for _, e := range evs {
		p, ok := part[e.Product]
		if !ok {
			p = int32(len(part) % 3)
			part[e.Product] = p
		}
		records = append(records, testfix.Record(t, domain.Position{Partition: p, Offset: offsets[p]}, e))
		offsets[p]++
	}
	db := testfix.MustOpenDB(t)
	stats, err := projections.NewLedger(db).Apply(context.Background(), records)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Accepted != len(records) {
		t.Fatalf("%d of %d events accepted: %+v", stats.Accepted, len(records), stats)
	}
	if inMain < n*4/10 || inMain > n*6/10 {
		t.Errorf("%d of %d operations in main, want about half", inMain, n)
	}
	if len(sold) != locations || len(fed) != locations-1 || g.Transfers() < n/20 {
		t.Errorf("sales in %d locations, transfers into %d, %d transfers: want sales everywhere and transfers feeding the other %d",
			len(sold), len(fed), g.Transfers(), locations-1)
	}
}
