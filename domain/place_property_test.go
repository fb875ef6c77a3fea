package domain_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// placeRow is one accepted movement of a place in the naive reference: its date, its
// place in log order, and what it moved.
type placeRow struct {
	date  time.Time
	seq   int
	delta int64
}

// placesRef is the naive reference for one product kept in several locations: every
// accepted movement of each place, and of the product as a whole (a transfer moves it by
// 0), in log order.
type placesRef struct {
	rows map[string][]placeRow // by location; "" is the product
	seq  int
}

// sorted returns rows in business-date order, log order within a date.
func sorted(rows []placeRow) []placeRow {
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b placeRow) int { return a.date.Compare(b.date) })
	return out
}

// fits reports whether a movement of delta dated d keeps every balance of rows from d on
// within 0…MaxQuantity, inserted after the rows of its date.
func fits(rows []placeRow, d time.Time, delta int64) bool {
	all := sorted(append(slices.Clone(rows), placeRow{date: d, seq: 1 << 30, delta: delta}))
	var bal int64
	for _, r := range all {
		bal += r.delta
		if !r.date.Before(d) && (bal < 0 || bal > domain.MaxQuantity.Cents()) {
			return false
		}
	}
	return true
}

// span computes what Stock needs of rows around d, the slow way.
func refSpan(rows []placeRow, d time.Time) domain.Span {
	sp := domain.Span{Date: domain.NewBusinessDate(d)}
	var bal int64
	for _, r := range sorted(rows) {
		bal += r.delta
		switch {
		case !r.date.After(d):
			sp.At = bal
			if r.date.Equal(d) {
				sp.Net += r.delta
			}
		case !sp.Later:
			sp.Later, sp.Low, sp.High = true, bal, bal
			sp.LowDate, sp.HighDate, sp.Next = domain.NewBusinessDate(r.date), domain.NewBusinessDate(r.date), domain.NewBusinessDate(r.date)
		default:
			if bal < sp.Low {
				sp.Low, sp.LowDate = bal, domain.NewBusinessDate(r.date)
			}
			if bal > sp.High {
				sp.High, sp.HighDate = bal, domain.NewBusinessDate(r.date)
			}
		}
	}
	return sp
}

func total(rows []placeRow) (n int64) {
	for _, r := range rows {
		n += r.delta
	}
	return n
}

// TestPlacesMatchANaiveReference: random sales, restocks, counts, adjustments and
// transfers over main, north and south, at random dates: every verdict is the
// reference's, each location holds what the reference says, a transfer leaves the
// product's total as it was, and the total is the sum of the locations.
func TestPlacesMatchANaiveReference(t *testing.T) {
	locs := []string{"main", "north", "south"}
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 19))
		c := domain.Conditions{Locations: withLocations(t)}
		s := domain.NewStock(mustProduct(t, "P1"))
		ref := &placesRef{rows: map[string][]placeRow{}}
		for step := range 300 {
			d := base.Add(time.Duration(r.IntN(40*24)) * time.Hour)
			from, to := locs[r.IntN(3)], locs[r.IntN(3)]
			q := int64(1+r.IntN(20)) * 100
			if r.IntN(4) == 0 {
				q = int64(1 + r.IntN(2000))
			}
			m := in(t, fmt.Sprintf("e%d", step), from, d.Format("2006-01-02 15:04:05"))
			kind := r.IntN(10)
			// What the reference expects.
			var deltas map[string]int64
			var want bool
			switch {
			case kind < 3: // restock
				deltas = map[string]int64{from: q}
			case kind < 6: // sale
				deltas = map[string]int64{from: -q}
			case kind < 7: // count: counted less the balance then
				deltas = map[string]int64{from: q - refSpan(ref.rows[from], d).At}
			case kind < 8: // adjustment out
				deltas = map[string]int64{from: -q}
			default: // transfer
				deltas = map[string]int64{from: -q, to: q}
			}
			want = true
			for l, delta := range deltas {
				want = want && fits(ref.rows[l], d, delta)
			}
			if kind >= 8 && from == to {
				want = false
			}
			// What the aggregate decides, given the balances it asks for.
			cc := c
			if s.Backdated(m.BusinessDate) {
				cc.Span = refSpan(ref.rows[""], d)
			}
			if s.BackdatedIn(loc(t, from), m.BusinessDate) {
				cc.Place = refSpan(ref.rows[from], d)
			}
			if kind >= 8 && s.BackdatedIn(loc(t, to), m.BusinessDate) {
				cc.To = refSpan(ref.rows[to], d)
			}
			var e domain.Event
			var err error
			qty := domain.Quantity{}
			if err := qty.UnmarshalText(fmt.Appendf(nil, "%d.%02d", q/100, q%100)); err != nil {
				t.Fatal(err)
			}
			switch {
			case kind < 3:
				e, err = s.Restock(qty, m, cc)
			case kind < 6:
				e, err = s.Sell(qty, m, cc)
			case kind < 7:
				e, err = s.Count(qty, m, cc)
			case kind < 8:
				m.Reason = "damaged"
				e, err = s.Adjust(qty, true, m, cc)
			default:
				e, err = s.Transfer(qty, loc(t, to), m, cc)
			}
			if err != nil && !errors.Is(err, domain.ErrInsufficientStock) && !errors.Is(err, domain.ErrStockOverflow) && !errors.Is(err, domain.ErrSameLocation) {
				t.Fatalf("seed %d step %d (%d %s→%s %d on %s): %v", seed, step, kind, from, to, q, d, err)
			}
			if (err == nil) != want {
				t.Fatalf("seed %d step %d (kind %d, %s→%s, %d on %s): accepted %v (%v), the reference says %v", seed, step, kind, from, to, q, d, err == nil, err, want)
			}
			if err != nil {
				continue
			}
			totalBefore := s.Level().Cents()
			eff, err := s.Apply(e, cc)
			if err != nil {
				t.Fatalf("seed %d step %d: Apply refused what Decide accepted: %v", seed, step, err)
			}
			if want := refSpan(ref.rows[from], d).At; eff.Place.Before != want {
				t.Fatalf("seed %d step %d: the place's balance before it is %d, the reference's %d", seed, step, eff.Place.Before, want)
			}
			ref.seq++
			var product int64
			for l, delta := range deltas {
				ref.rows[l] = append(ref.rows[l], placeRow{date: d, seq: ref.seq, delta: delta})
				product += delta
			}
			ref.rows[""] = append(ref.rows[""], placeRow{date: d, seq: ref.seq, delta: product})
			if kind >= 8 && s.Level().Cents() != totalBefore {
				t.Fatalf("seed %d step %d: a transfer moved the total from %d to %d", seed, step, totalBefore, s.Level().Cents())
			}
			var sum int64
			for _, p := range s.Places() {
				sum += p.Level.Cents()
				if want := total(ref.rows[p.Location.String()]); p.Level.Cents() != want {
					t.Fatalf("seed %d step %d: %s holds %d, the reference %d", seed, step, p.Location, p.Level.Cents(), want)
				}
			}
			if sum != s.Level().Cents() || sum != total(ref.rows[""]) {
				t.Fatalf("seed %d step %d: the places sum to %d, the total is %d, the reference's %d", seed, step, sum, s.Level().Cents(), total(ref.rows[""]))
			}
		}
	}
}
