package projections_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// placeMove is one accepted movement of a place (or of a product as a whole) in the
// reference: date and signed hundredths, in log order.
type placeMove struct {
	date  time.Time
	delta int64
}

// placesReference is the naive reference of a log of operations over several locations.
type placesReference struct {
	moves  map[string][]placeMove // "P1" for the product, "P1/north" for a place
	seq    map[string]int64       // accepted events per product
	spread map[string]bool        // products with an operation outside main
	open   map[string]bool        // declared and not closed locations (every partition agrees here)
}

// inDateOrder returns moves in business-date order, log order within a date.
func inDateOrder(moves []placeMove) []placeMove {
	out := slices.Clone(moves)
	slices.SortStableFunc(out, func(a, b placeMove) int { return a.date.Compare(b.date) })
	return out
}

// fitsAt reports whether delta dated d keeps every balance of moves from d on within
// 0…MaxQuantity.
func fitsAt(moves []placeMove, d time.Time, delta int64) bool {
	var bal int64
	for _, m := range inDateOrder(append(slices.Clone(moves), placeMove{d, delta})) {
		bal += m.delta
		if !m.date.Before(d) && (bal < 0 || bal > domain.MaxQuantity.Cents()) {
			return false
		}
	}
	return true
}

// balanceOn is the balance of moves once every movement dated at or before d is applied.
func balanceOn(moves []placeMove, d time.Time) (n int64) {
	for _, m := range moves {
		if !m.date.After(d) {
			n += m.delta
		}
	}
	return n
}

// byDate is "date|end|net" for every date of moves.
func byDate(moves []placeMove) []string {
	var out []string
	var bal int64
	sorted := inDateOrder(moves)
	for i := 0; i < len(sorted); {
		d, net := sorted[i].date, int64(0)
		for ; i < len(sorted) && sorted[i].date.Equal(d); i++ {
			net += sorted[i].delta
		}
		bal += net
		out = append(out, fmt.Sprintf("%s|%d|%d", domain.NewBusinessDate(d), bal, net))
	}
	return out
}

// TestPlacesThroughTheStoreMatchANaiveReference: random logs over four products in three
// partitions and locations main, north, south (declared on every partition), east
// (declared, then closed) and west (never declared): restocks, sales, counts, adjustments
// and transfers at random dates, some with stale sequences, projected live into a shared
// model in random batches and by a replay's bulk load. Both must give every event the
// reference's verdict, hold the reference's balances by date per location and per
// product, and each location's stock; and the two files must not differ.
func TestPlacesThroughTheStoreMatchANaiveReference(t *testing.T) {
	ctx := context.Background()
	verdictsSeen := map[string]int{}
	for seed := range uint64(10) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 19))
			products := []string{"P1", "P2", "P3", "P4"}
			locs := []string{"main", "north", "south", "east", "west"}
			base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
			ref := &placesReference{moves: map[string][]placeMove{}, seq: map[string]int64{}, spread: map[string]bool{},
				open: map[string]bool{"main": true}}
			offsets := map[int32]int64{}
			var records []domain.Record
			want := map[domain.Position]string{}
			at := func(p int32) domain.Position {
				pos := domain.Position{Partition: p, Offset: offsets[p]}
				offsets[p]++
				return pos
			}
			everywhere := func(e domain.Event) {
				for p := range int32(3) {
					records = append(records, testfix.Record(t, at(p), e))
				}
			}
			locEvent := func(typ domain.EventType, id, name string) {
				l, _ := domain.ParseLocationID(id)
				everywhere(domain.Event{Type: typ, ID: "loc-" + string(typ) + "-" + id, CommandID: "c-" + string(typ) + "-" + id,
					Location: l, Name: name, BusinessDate: domain.NewBusinessDate(base), RecordedAt: base, RecordedBy: "t"})
			}
			for _, id := range []string{"north", "south", "east"} {
				locEvent(domain.TypeLocationAdded, id, id+" warehouse")
				ref.open[id] = true
			}
			n := 250 + rng.IntN(150)
			for step := range n {
				if step == n/3 {
					// east was never used: its close is accepted in every partition.
					locEvent(domain.TypeLocationClosed, "east", "")
					ref.open["east"] = false
				}
				pi := rng.IntN(len(products))
				product := products[pi]
				part := int32(pi % 3)
				from, to := locs[rng.IntN(3)], locs[rng.IntN(3)]
				if rng.IntN(12) == 0 {
					from = "west" // never declared
					if step > n/3 && rng.IntN(2) == 0 {
						from = "east" // closed
					}
				}
				d := base.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
				q := int64(1+rng.IntN(15)) * 100
				kind := rng.IntN(10)
				var typ domain.EventType
				deltas := map[string]int64{}
				switch {
				case kind < 3:
					typ, deltas[from] = domain.TypeStockRestocked, q
				case kind < 6:
					typ, deltas[from] = domain.TypeStockSold, -q
				case kind < 7:
					place := product + "/" + from
					if !ref.spread[product] && from == "main" {
						place = product
					}
					typ, deltas[from] = domain.TypeStockCounted, q-balanceOn(ref.moves[place], d)
				case kind < 8:
					typ, deltas[from] = domain.TypeStockAdjusted, -q
				default:
					typ = domain.TypeStockTransferred
					if to == from {
						to = locs[(slices.Index(locs, from)+1)%3]
					}
					deltas[from], deltas[to] = -q, q
				}
				seq := ref.seq[product] + 1
				if rng.IntN(15) == 0 && seq > 1 {
					seq-- // a stale writer
				}
				verdict := ""
				switch {
				case seq != ref.seq[product]+1:
					verdict = "sequence_conflict"
				case !ref.open[from] || typ == domain.TypeStockTransferred && !ref.open[to]:
					if _, declared := ref.open[from]; !declared {
						verdict = "unknown_location"
					} else {
						verdict = "location_closed"
					}
				default:
					for l, delta := range deltas {
						key := product + "/" + l
						if !ref.spread[product] && l == "main" {
							key = product
						}
						if !fitsAt(ref.moves[key], d, delta) {
							verdict = map[bool]string{true: "insufficient_stock", false: "stock_overflow"}[delta < 0]
						}
					}
				}
				pid, _ := domain.ParseProductID(product)
				fromID, _ := domain.ParseLocationID(from)
				toID, _ := domain.ParseLocationID(to)
				qty, _ := domain.QuantityFromCents(q)
				e := domain.Event{Type: typ, ID: fmt.Sprintf("e%d", step), CommandID: fmt.Sprintf("c%d", step), Product: pid, Quantity: qty,
					ExpectedSeq: seq, BusinessDate: domain.NewBusinessDate(d), RecordedAt: base, RecordedBy: "t", Location: fromID}
				switch typ {
				case domain.TypeStockTransferred:
					e.To = toID
				case domain.TypeStockAdjusted:
					e.Reason, e.Out = "damaged", true
				}
				pos := at(part)
				records = append(records, testfix.Record(t, pos, e))
				want[pos] = verdict
				verdictsSeen[string(typ)+":"+verdict]++
				if verdict != "" {
					continue
				}
				ref.seq[product]++
				if !ref.spread[product] && (from != "main" || typ == domain.TypeStockTransferred) {
					ref.spread[product] = true
					ref.moves[product+"/main"] = slices.Clone(ref.moves[product])
				}
				var total int64
				for l, delta := range deltas {
					if ref.spread[product] {
						ref.moves[product+"/"+l] = append(ref.moves[product+"/"+l], placeMove{d, delta})
					}
					total += delta
				}
				ref.moves[product] = append(ref.moves[product], placeMove{d, total})
			}

			shared := testfix.MustOpenDB(t)
			applyInBatches(t, rng, projections.NewLedger(shared), records, 40)
			replayPath := filepath.Join(t.TempDir(), "operations.db.replay")
			replay, err := readmodel.Create(ctx, replayPath)
			if err != nil {
				t.Fatal(err)
			}
			applyInBatches(t, rng, projections.NewExclusiveLedger(replay), records, 40)
			if err := replay.Finish(ctx); err != nil {
				t.Fatal(err)
			}
			replay.Close()

			// The reference's tables.
			var wantBalances, wantPlaces, wantStock []string
			for _, product := range products {
				for _, row := range byDate(ref.moves[product]) {
					wantBalances = append(wantBalances, product+"|"+row)
				}
				if !ref.spread[product] {
					if ref.seq[product] > 0 {
						wantStock = append(wantStock, fmt.Sprintf("%s|main|%d", product, balanceOn(ref.moves[product], base.AddDate(1, 0, 0))))
					}
					continue
				}
				for _, l := range locs {
					moves, ok := ref.moves[product+"/"+l]
					if !ok {
						continue
					}
					for _, row := range byDate(moves) {
						wantPlaces = append(wantPlaces, product+"|"+l+"|"+row)
					}
					wantStock = append(wantStock, fmt.Sprintf("%s|%s|%d", product, l, balanceOn(moves, base.AddDate(1, 0, 0))))
				}
			}
			for name, path := range map[string]string{"shared": shared.Path(), "replay": replayPath} {
				db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
				if err != nil {
					t.Fatal(err)
				}
				rows := func(q string) []string { return queryRows(t, db, q) }
				got := map[domain.Position]string{}
				for _, r := range rows(`SELECT partition, "offset", reason FROM rejected_events`) {
					f := strings.Split(r, "|")
					var pos domain.Position
					fmt.Sscan(f[0], &pos.Partition)
					fmt.Sscan(f[1], &pos.Offset)
					got[pos] = f[2]
				}
				for pos, v := range want {
					if got[pos] != v {
						t.Errorf("%s: record %v: verdict %q, the reference says %q", name, pos, got[pos], v)
					}
				}
				for _, c := range []struct {
					what  string
					query string
					want  []string
				}{
					{"balances", `SELECT product_id, business_date, end_cents, net_cents FROM balances ORDER BY product_id, business_date`, wantBalances},
					{"place_balances", `SELECT product_id, location_id, business_date, end_cents, net_cents FROM place_balances ORDER BY product_id, location_id, business_date`, wantPlaces},
					{"location_stock", `SELECT product_id, location_id, stock_cents FROM location_stock ORDER BY product_id, location_id`, wantStock},
				} {
					g := rows(c.query)
					sortedWant := slices.Clone(c.want)
					slices.Sort(sortedWant)
					slices.Sort(g)
					if !slices.Equal(g, sortedWant) {
						var only []string
						for _, r := range g {
							if !slices.Contains(sortedWant, r) {
								only = append(only, "model only: "+r)
							}
						}
						for _, r := range sortedWant {
							if !slices.Contains(g, r) {
								only = append(only, "reference only: "+r)
							}
						}
						t.Errorf("%s: %s differs:\n%s", name, c.what, strings.Join(only[:min(len(only), 12)], "\n"))
					}
				}
				db.Close()
			}
			diffs, err := readmodel.DiffFiles(ctx, replayPath, "replay", shared.Path(), 10)
			if err != nil || len(diffs) != 0 {
				t.Errorf("the replay's model differs from the shared one's: %v\n%s", err, strings.Join(diffs, "\n"))
			}
		})
	}
	t.Logf("verdicts (type:code): %v", verdictsSeen)
	for _, k := range []string{"StockTransferred:", "StockTransferred:insufficient_stock", "StockSold:", "StockSold:insufficient_stock",
		"StockSold:unknown_location", "StockSold:location_closed", "StockCounted:", "StockRestocked:sequence_conflict"} {
		if verdictsSeen[k] < 3 {
			t.Errorf("the random logs gave %d of %s, too few to test it", verdictsSeen[k], k)
		}
	}
}

// queryRows returns each row of q as "a|b|c".
func queryRows(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals, ptrs := make([]any, len(cols)), make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		s := make([]string, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			s[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(s, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
