package loadgen

import (
	"sort"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
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
