package projections_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
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
	id    string // the event that moved it, which a void takes out
	gone  bool   // voided: its date stays among the balances, moved by nothing
	// phantom: the last of its date to go, which leaves the date's lowest and highest
	// balance at the balance before it, as the model's void does (until a void there
	// recomputes them from the date's remaining operations).
	phantom bool
}

// placeOp is an operation of the reference, which a void or a correction may name.
type placeOp struct {
	kind     domain.EventType
	from, to string
	dir      int64 // +1 into from, -1 out of it (a transfer: out of from, into to)
	accepted bool
	voided   bool
}

// withoutMove returns moves with those of event id gone: their dates stay (the model
// keeps a date's balances once it had an operation), moved by nothing.
func withoutMove(moves []placeMove, id string) []placeMove {
	out := slices.Clone(moves)
	for i := range out {
		if out[i].id != id {
			continue
		}
		d, left := out[i].date, false
		out[i] = placeMove{date: d, id: id, gone: true}
		for j := range out {
			if out[j].date.Equal(d) {
				out[j].phantom = false
				left = left || !out[j].gone
			}
		}
		out[i].phantom = !left
	}
	return out
}

// outOfRange returns "insufficient_stock" or "stock_overflow" when a balance of moves
// after a movement dated from or later leaves 0…MaxQuantity, "" otherwise.
func outOfRange(moves []placeMove, from time.Time) string {
	var bal int64
	for _, m := range inDateOrder(moves) {
		bal += m.delta
		if m.gone || m.date.Before(from) {
			continue
		}
		if bal < 0 {
			return "insufficient_stock"
		}
		if bal > domain.MaxQuantity.Cents() {
			return "stock_overflow"
		}
	}
	return ""
}

// placesReference is the naive reference of a log of operations over several locations.
type placesReference struct {
	moves  map[string][]placeMove // "P1" for the product, "P1/north" for a place
	seq    map[string]int64       // accepted events per product
	spread map[string]bool        // products with an operation outside main
	open   map[string]bool        // declared and not closed locations (every partition agrees here)
	ops    map[string]*placeOp    // by event ID
	ids    map[string][]string    // each product's operations' event IDs, in log order
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
	for _, m := range inDateOrder(append(slices.Clone(moves), placeMove{date: d, delta: delta})) {
		bal += m.delta
		if !m.gone && !m.date.Before(d) && (bal < 0 || bal > domain.MaxQuantity.Cents()) {
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

// byDate is "date|end|net|low|high" for every date of moves.
func byDate(moves []placeMove) []string {
	var out []string
	var bal int64
	sorted := inDateOrder(moves)
	for i := 0; i < len(sorted); {
		d, net := sorted[i].date, int64(0)
		low, high, any := bal, bal, false
		for ; i < len(sorted) && sorted[i].date.Equal(d); i++ {
			net += sorted[i].delta
			if sorted[i].gone && !sorted[i].phantom {
				continue
			}
			if !any {
				low, high, any = bal+net, bal+net, true
			}
			low, high = min(low, bal+net), max(high, bal+net)
		}
		bal += net
		out = append(out, fmt.Sprintf("%s|%d|%d|%d|%d", domain.NewBusinessDate(d), bal, net, low, high))
	}
	return out
}

// runningTotals is "event|date running total" for every movement of moves: its place's
// balance change within its date, in log order, up to and including it.
func runningTotals(moves []placeMove) map[string]int64 {
	out := map[string]int64{}
	net := map[time.Time]int64{}
	for _, m := range moves {
		net[m.date] += m.delta
		if !m.gone {
			out[m.id] = net[m.date]
		}
	}
	return out
}

// TestPlacesThroughTheStoreMatchANaiveReference: random logs over four products in three
// partitions and locations main, north, south (declared on every partition), east
// (declared, then closed) and west (never declared): restocks, sales, counts, adjustments
// and transfers at random dates (a third of them on four busy dates), some with stale
// sequences, and voids and corrections of them (recent ones and standing transfers most
// often, so that many are accepted and some refused per location), projected live into
// a shared model in random batches and by a replay's bulk load. Both must give every
// event the reference's verdict, hold the reference's balances by date per location and
// per product (end, net, lowest and highest), each location's stock, and each ledger
// row's running total within its date in each location it moved; and the two files must
// not differ.
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
				open: map[string]bool{"main": true}, ops: map[string]*placeOp{}, ids: map[string][]string{}}
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
				if rng.IntN(3) == 0 {
					d = base.AddDate(0, 0, 7*rng.IntN(4)) // a busy date: many operations, repairs among them
				}
				q := int64(1+rng.IntN(15)) * 100
				kind := rng.IntN(13)
				if kind >= 10 && len(ref.ids[product]) > 0 {
					repairStep(t, rng, ref, product, part, step, d, q, kind == 12, at, &records, want, verdictsSeen)
					continue
				}
				kind %= 10
				var typ domain.EventType
				deltas := map[string]int64{}
				switch {
				case kind < 3:
					typ, deltas[from] = domain.TypeStockRestocked, q
				case kind < 6:
					if rng.IntN(2) == 0 {
						// Sell where a transfer brought goods, so that voiding it is refused.
						for _, id := range slices.Backward(ref.ids[product]) {
							if op := ref.ops[id]; op.kind == domain.TypeStockTransferred && op.accepted && !op.voided {
								from = op.to
								break
							}
						}
					}
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
				op := &placeOp{kind: typ, from: from, to: to, dir: 1, accepted: verdict == ""}
				if deltas[from] < 0 || typ == domain.TypeStockTransferred {
					op.dir = -1
				}
				ref.ops[e.ID] = op
				ref.ids[product] = append(ref.ids[product], e.ID)
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
						ref.moves[product+"/"+l] = append(ref.moves[product+"/"+l], placeMove{date: d, delta: delta, id: e.ID})
					}
					total += delta
				}
				ref.moves[product] = append(ref.moves[product], placeMove{date: d, delta: total, id: e.ID})
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
			var wantBalances, wantPlaces, wantStock, wantRunning []string
			for _, product := range products {
				if !ref.spread[product] {
					for id, n := range runningTotals(ref.moves[product]) {
						wantRunning = append(wantRunning, fmt.Sprintf("%s|main|%d", id, n))
					}
				}
				for _, l := range locs {
					if moves, ok := ref.moves[product+"/"+l]; ok {
						for id, n := range runningTotals(moves) {
							wantRunning = append(wantRunning, fmt.Sprintf("%s|%s|%d", id, l, n))
						}
					}
				}
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
					{"balances", `SELECT product_id, business_date, end_cents, net_cents, low_cents, high_cents FROM balances ORDER BY product_id, business_date`, wantBalances},
					{"place_balances", `SELECT product_id, location_id, business_date, end_cents, net_cents, low_cents, high_cents FROM place_balances ORDER BY product_id, location_id, business_date`, wantPlaces},
					{"location_stock", `SELECT product_id, location_id, stock_cents FROM location_stock ORDER BY product_id, location_id`, wantStock},
					{"ledger running totals per location", `SELECT event_id, location, coalesce(place_cents, date_cents) FROM ledger WHERE voided_by IS NULL
						UNION ALL SELECT event_id, to_location, to_cents FROM ledger WHERE voided_by IS NULL AND to_location IS NOT NULL`, wantRunning},
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
		"StockSold:unknown_location", "StockSold:location_closed", "StockCounted:", "StockRestocked:sequence_conflict",
		"OperationVoided:", "OperationVoided:insufficient_stock", "OperationCorrected:", "OperationCorrected:insufficient_stock",
		"OperationVoided:already_voided", "OperationVoided:not_accepted", "OperationCorrected:not_correctable",
		"void StockTransferred:", "void StockTransferred:insufficient_stock", "correct StockTransferred:",
		"void StockSold:", "void StockRestocked:insufficient_stock", "void StockCounted:", "correct StockSold:"} {
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

// repairStep adds a void (or, when correct, a correction of q dated d) of one of
// product's operations, recent ones most often, to records, with the reference's verdict.
func repairStep(t *testing.T, rng *rand.Rand, ref *placesReference, product string, part int32, step int, d time.Time, q int64, correct bool,
	at func(int32) domain.Position, records *[]domain.Record, want map[domain.Position]string, seen map[string]int) {
	t.Helper()
	ids := ref.ids[product]
	tid := ids[len(ids)-1-rng.IntN(min(len(ids), 4))]
	switch rng.IntN(4) {
	case 0:
		tid = ids[rng.IntN(len(ids))]
	case 1:
		// A standing transfer, whose destination may have sold the goods since.
		for _, id := range slices.Backward(ids) {
			if op := ref.ops[id]; op.kind == domain.TypeStockTransferred && op.accepted && !op.voided {
				tid = id
				break
			}
		}
	}
	op := ref.ops[tid]
	typ := domain.TypeOperationVoided
	if correct {
		typ = domain.TypeOperationCorrected
	}
	seq := ref.seq[product] + 1
	if rng.IntN(20) == 0 && seq > 1 {
		seq--
	}
	id := fmt.Sprintf("e%d", step)
	// The balances it changes: the product's and, once it is kept per location, the
	// target's places; each loses the target's movement, and a correction moves them
	// again as the target did, at d.
	keys := map[string]int64{product: op.dir}
	if op.kind == domain.TypeStockTransferred {
		keys[product] = 0
	}
	if ref.spread[product] {
		keys[product+"/"+op.from] = op.dir
		if op.kind == domain.TypeStockTransferred {
			keys[product+"/"+op.to] = 1
		}
	}
	var target placeMove
	for _, m := range ref.moves[product] {
		if m.id == tid {
			target = m
		}
	}
	verdict := ""
	after := map[string][]placeMove{}
	switch {
	case seq != ref.seq[product]+1:
		verdict = "sequence_conflict"
	case !op.accepted:
		verdict = "not_accepted"
	case op.voided:
		verdict = "already_voided"
	case correct && op.kind == domain.TypeStockCounted:
		verdict = "not_correctable"
	default:
		from := target.date
		if correct && d.Before(from) {
			from = d
		}
		// Places first, as the rule names a location's shortage before the product's.
		for _, k := range append(slices.Sorted(maps.Keys(keys)), product) {
			moves := withoutMove(ref.moves[k], tid)
			if correct {
				moves = append(moves, placeMove{date: d, delta: keys[k] * q, id: id})
			}
			after[k] = moves
			if verdict == "" {
				verdict = outOfRange(moves, from)
			}
		}
	}
	pid, _ := domain.ParseProductID(product)
	e := domain.Event{Type: typ, ID: id, CommandID: "c" + id[1:], Product: pid, ExpectedSeq: seq, BusinessDate: domain.NewBusinessDate(d),
		RecordedAt: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), RecordedBy: "t", Target: tid, Reason: "mistake"}
	if correct {
		e.Quantity, _ = domain.QuantityFromCents(q)
	}
	pos := at(part)
	*records = append(*records, testfix.Record(t, pos, e))
	want[pos] = verdict
	seen[string(typ)+":"+verdict]++
	seen[map[bool]string{true: "correct ", false: "void "}[correct]+string(op.kind)+":"+verdict]++
	if verdict != "" {
		return
	}
	ref.seq[product]++
	for k, moves := range after {
		ref.moves[k] = moves
	}
	op.voided = true
	if correct {
		ref.ops[id] = &placeOp{kind: op.kind, from: op.from, to: op.to, dir: op.dir, accepted: true}
		ref.ids[product] = append(ref.ids[product], id)
	}
}
