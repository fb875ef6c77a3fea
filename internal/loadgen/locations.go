package loadgen

import (
	"fmt"

	"github.com/stockctl/stockctl/domain"
)

// Locations spreads the events that follow over main and n-1 more locations (loc01…),
// as a wholesaler with a main warehouse and shops would: about half of the operations
// happen in main, which is restocked from suppliers and feeds the others by transfers;
// the others sell, are fed from main when short (restocked directly only when main is
// short too) and now and then pass goods to one another. Every sale and transfer takes
// no more than its source holds, so the rule accepts every event. It must be called
// before the first Next, and not with Backdate. Declarations returns the LocationAdded
// events to append (to every partition) before the log.
func (g *Generator) Locations(n int) {
	if g.timelines != nil {
		panic("loadgen: Locations with Backdate")
	}
	g.locations = []domain.LocationID{domain.MainLocation}
	for i := 1; i < n; i++ {
		l, err := domain.ParseLocationID(fmt.Sprintf("loc%02d", i))
		if err != nil {
			panic(err)
		}
		g.locations = append(g.locations, l)
	}
	g.placed = make([][]int64, len(g.products))
	for i := range g.placed {
		g.placed[i] = make([]int64, n)
		g.placed[i][0] = g.stock[i]
	}
}

// Declarations returns one LocationAdded event per location besides main, dated at the
// log's start.
func (g *Generator) Declarations() []domain.Event {
	var out []domain.Event
	for _, l := range g.locations[1:] {
		out = append(out, domain.Event{Type: domain.TypeLocationAdded, ID: "loc-" + l.String(), CommandID: "loc-" + l.String(),
			Location: l, Name: "Location " + l.String(), BusinessDate: domain.NewBusinessDate(g.start), RecordedAt: g.start, RecordedBy: "loadgen"})
	}
	return out
}

// Transfers counts the transfers made so far.
func (g *Generator) Transfers() int { return g.transfers }

// placedOp decides product i's next operation among locations: its type, quantity in
// hundredths, location and (for a transfer) destination.
func (g *Generator) placedOp(i int) (domain.EventType, int64, int, int) {
	level := g.placed[i]
	restock := int64(g.rng.IntN(200)+50) * 100
	sale := int64(g.rng.IntN(500)+1) * 10
	at := 0
	if g.rng.IntN(2) == 1 {
		at = 1 + g.rng.IntN(len(level)-1)
	}
	if at == 0 {
		// Main: one operation in eight feeds another location.
		if to := 1 + g.rng.IntN(len(level)-1); g.rng.IntN(8) == 0 && level[0] >= restock/4 {
			return domain.TypeStockTransferred, restock / 4, 0, to
		}
		if level[0] >= sale {
			return domain.TypeStockSold, sale, 0, -1
		}
		return domain.TypeStockRestocked, restock, 0, -1
	}
	if to := 1 + g.rng.IntN(len(level)-1); to != at && g.rng.IntN(40) == 0 && level[at] >= sale {
		return domain.TypeStockTransferred, sale, at, to
	}
	if level[at] >= sale {
		return domain.TypeStockSold, sale, at, -1
	}
	if level[0] >= restock/4 {
		return domain.TypeStockTransferred, restock / 4, 0, at
	}
	return domain.TypeStockRestocked, restock, at, -1
}
