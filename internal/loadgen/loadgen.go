// Package loadgen makes synthetic event logs for benchmarks and crash tests: valid
// restocks and sales over many products, in the order a correct writer would append them.
package loadgen

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// Generator produces events for a fixed set of products, tracking each product's sequence
// and stock so that every event it makes would be accepted.
type Generator struct {
	rng      *rand.Rand
	products []domain.ProductID
	seq      []int64
	stock    []int64 // hundredths
	n        int64
	start    time.Time
	// Set by Backdate: the share of events dated before their product's latest
	// operation, by up to within, and each product's balances in business-date order.
	backdated float64
	within    time.Duration
	timelines [][]point
	// Set by Locations: the locations (main first) and each product's stock in each.
	locations []domain.LocationID
	placed    [][]int64
	transfers int
	// Converted counts backdated sales turned into restocks because no quantity of a
	// sale would have been accepted at the date drawn.
	Converted int
}

// point is a product's balance right after one of its operations, in business-date order.
type point struct {
	date    time.Time
	balance int64
}

// New returns a generator over products P0000…, seeded for reproducible logs.
func New(products int, seed uint64) *Generator {
	g := &Generator{
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		seq:   make([]int64, products),
		stock: make([]int64, products),
		start: time.Date(2023, 1, 1, 8, 0, 0, 0, time.UTC),
	}
	for i := range products {
		p, err := domain.ParseProductID(fmt.Sprintf("P%04d", i))
		if err != nil {
			panic(err)
		}
		g.products = append(g.products, p)
	}
	return g
}

// Backdate makes share (0 to 1) of the events that follow dated before their product's
// latest operation, by up to within, as a clerk entering late paperwork would: each is
// still accepted by the rule in business-date order (a sale takes no more than the
// least balance from its date on). Without it, every event is dated after the previous.
// It must be called before the first Next.
func (g *Generator) Backdate(share float64, within time.Duration) {
	g.backdated, g.within = share, within
	g.timelines = make([][]point, len(g.products))
}

// Next returns count more events: sales when there is stock, restocks otherwise.
func (g *Generator) Next(count int) []domain.Event {
	out := make([]domain.Event, 0, count)
	for range count {
		i := g.rng.IntN(len(g.products))
		g.n++
		date := g.start.Add(time.Duration(g.n) * 30 * time.Second)
		typ := domain.TypeStockSold
		qty := int64(g.rng.IntN(500)+1) * 10 // 0.10 to 50.00
		avail, at := g.stock[i], -1
		var from, to domain.LocationID
		if g.placed != nil {
			var src, dst int
			typ, qty, src, dst = g.placedOp(i)
			from = g.locations[src]
			switch typ {
			case domain.TypeStockTransferred:
				to = g.locations[dst]
				g.placed[i][src] -= qty
				g.placed[i][dst] += qty
				g.transfers++
			case domain.TypeStockSold:
				g.placed[i][src] -= qty
			default:
				g.placed[i][src] += qty
			}
			avail = qty
		}
		if g.timelines != nil {
			tl := g.timelines[i]
			if len(tl) > 0 && g.rng.Float64() < g.backdated {
				date = tl[len(tl)-1].date.Add(-time.Duration(1+g.rng.Int64N(int64(g.within/time.Second))) * time.Second)
				date = date.Truncate(time.Second)
				// After every operation dated at or before date: ties go by log order.
				at = sort.Search(len(tl), func(k int) bool { return tl[k].date.After(date) })
				avail = 0
				if at > 0 {
					avail = tl[at-1].balance
				}
				for _, p := range tl[at:] {
					avail = min(avail, p.balance)
				}
			}
		}
		if avail < qty {
			if at >= 0 && avail >= 10 {
				qty = avail / 10 * 10
			} else {
				if at >= 0 {
					g.Converted++
				}
				typ, qty = domain.TypeStockRestocked, int64(g.rng.IntN(200)+50)*100
			}
		}
		q, err := domain.QuantityFromCents(qty)
		if err != nil {
			panic(err)
		}
		delta := qty
		switch typ {
		case domain.TypeStockSold:
			delta = -qty
		case domain.TypeStockTransferred:
			delta = 0
		}
		g.stock[i] += delta
		if g.timelines != nil {
			g.record(i, at, date, delta)
		}
		g.seq[i]++
		out = append(out, domain.Event{
			Type:         typ,
			ID:           fmt.Sprintf("ev-%d", g.n),
			CommandID:    fmt.Sprintf("cmd-%d", g.n),
			Product:      g.products[i],
			Quantity:     q,
			Location:     from,
			To:           to,
			ExpectedSeq:  g.seq[i],
			BusinessDate: domain.NewBusinessDate(date),
			RecordedAt:   g.start.Add(time.Duration(g.n) * 30 * time.Second),
			RecordedBy:   "loadgen",
		})
	}
	return out
}

// record adds an operation of product i to its balances: at its date's place (at) when
// backdated, which moves every later balance by delta, at the end otherwise.
func (g *Generator) record(i, at int, date time.Time, delta int64) {
	tl := g.timelines[i]
	if at < 0 {
		g.timelines[i] = append(tl, point{date: date, balance: g.stock[i]})
		return
	}
	before := int64(0)
	if at > 0 {
		before = tl[at-1].balance
	}
	tl = append(tl, point{})
	copy(tl[at+1:], tl[at:])
	tl[at] = point{date: date, balance: before + delta}
	for k := at + 1; k < len(tl); k++ {
		tl[k].balance += delta
	}
	g.timelines[i] = tl
}
