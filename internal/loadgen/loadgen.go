// Package loadgen makes synthetic event logs for benchmarks and crash tests: valid
// restocks and sales over many products, in the order a correct writer would append them.
package loadgen

import (
	"fmt"
	"math/rand/v2"
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

// Next returns count more events: sales when there is stock, restocks otherwise.
func (g *Generator) Next(count int) []domain.Event {
	out := make([]domain.Event, 0, count)
	for range count {
		i := g.rng.IntN(len(g.products))
		g.n++
		typ := domain.TypeStockSold
		qty := int64(g.rng.IntN(500)+1) * 10 // 0.10 to 50.00
		if g.stock[i] < qty {
			typ, qty = domain.TypeStockRestocked, int64(g.rng.IntN(200)+50)*100
		}
		q, err := domain.QuantityFromCents(qty)
		if err != nil {
			panic(err)
		}
		if typ == domain.TypeStockSold {
			g.stock[i] -= qty
		} else {
			g.stock[i] += qty
		}
		g.seq[i]++
		out = append(out, domain.Event{
			Type:         typ,
			ID:           fmt.Sprintf("ev-%d", g.n),
			CommandID:    fmt.Sprintf("cmd-%d", g.n),
			Product:      g.products[i],
			Quantity:     q,
			ExpectedSeq:  g.seq[i],
			BusinessDate: domain.NewBusinessDate(g.start.Add(time.Duration(g.n) * 30 * time.Second)),
			RecordedAt:   g.start.Add(time.Duration(g.n) * 30 * time.Second),
			RecordedBy:   "loadgen",
		})
	}
	return out
}
