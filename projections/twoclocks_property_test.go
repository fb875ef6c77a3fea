package projections_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// refOp is an operation the reference accepted: its business date, log position and
// signed movement.
type refOp struct {
	date  time.Time
	pos   domain.Position
	delta int64
}

// reference is the rule written naively, apart from the domain: a product's accepted
// operations sorted by (business date, log position), every prefix recomputed from zero.
type reference struct {
	ops map[domain.ProductID][]refOp
	// counts tallies the verdicts, "backdated" for accepted operations dated before
	// their product's latest, so the test can tell it exercised each case.
	counts map[string]int
}

func sortOps(ops []refOp) {
	sort.SliceStable(ops, func(i, j int) bool {
		if !ops[i].date.Equal(ops[j].date) {
			return ops[i].date.Before(ops[j].date)
		}
		if ops[i].pos.Partition != ops[j].pos.Partition {
			return ops[i].pos.Partition < ops[j].pos.Partition
		}
		return ops[i].pos.Offset < ops[j].pos.Offset
	})
}

// decide returns "" when e, at pos, keeps every balance of its product between 0 and the
// maximum, in (date, log position) order, and records it; otherwise the reason.
func (r *reference) decide(pos domain.Position, e domain.Event) string {
	ops := r.ops[e.Product]
	if e.ExpectedSeq != int64(len(ops))+1 {
		return "sequence_conflict"
	}
	delta := e.Quantity.Cents()
	if e.Type == domain.TypeStockSold {
		delta = -delta
	}
	trial := append(append([]refOp(nil), ops...), refOp{e.BusinessDate.Time(), pos, delta})
	sortOps(trial)
	bal := int64(0)
	for _, o := range trial {
		bal += o.delta
		if bal < 0 {
			return "insufficient_stock"
		}
		if bal > domain.MaxQuantity.Cents() {
			return "stock_overflow"
		}
	}
	if len(ops) > 0 && e.BusinessDate.Time().Before(ops[len(ops)-1].date) {
		r.counts["backdated"]++
	}
	r.ops[e.Product] = trial
	return ""
}

// balanceRow is a row of the balances table.
type balanceRow struct {
	Product, Date       string
	End, Net, Low, High int64
}

// balances recomputes the balances table: per product and business date, what the date
// moved, the balance once it is applied, and the lowest and highest balance after any of
// its operations.
func (r *reference) balances() []balanceRow {
	var out []balanceRow
	for p, ops := range r.ops {
		bal := int64(0)
		for _, o := range ops {
			bal += o.delta
			d := domain.NewBusinessDate(o.date).String()
			if n := len(out); n > 0 && out[n-1].Product == p.String() && out[n-1].Date == d {
				row := &out[n-1]
				row.End, row.Net, row.Low, row.High = bal, row.Net+o.delta, min(row.Low, bal), max(row.High, bal)
				continue
			}
			out = append(out, balanceRow{p.String(), d, bal, o.delta, bal, bal})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Product < out[j].Product || out[i].Product == out[j].Product && out[i].Date < out[j].Date
	})
	return out
}

// operations recomputes the original operations table: rows in (date, log position)
// order, positive quantities, the balance after each row in that order.
func (r *reference) operations() []string {
	type row struct {
		o     refOp
		p     domain.ProductID
		stock int64
	}
	var all []row
	for p, ops := range r.ops {
		bal := int64(0)
		for _, o := range ops {
			bal += o.delta
			all = append(all, row{o, p, bal})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		b := all[j].o
		if !all[i].o.date.Equal(b.date) {
			return all[i].o.date.Before(b.date)
		}
		if all[i].o.pos.Partition != b.pos.Partition {
			return all[i].o.pos.Partition < b.pos.Partition
		}
		return all[i].o.pos.Offset < b.pos.Offset
	})
	out := make([]string, len(all))
	for i, x := range all {
		typ, qty := "replenishment", x.o.delta
		if qty < 0 {
			typ, qty = "sales", -qty
		}
		out[i] = fmt.Sprintf("%s|%s|%d|%d|%s", domain.NewBusinessDate(x.o.date), x.p, qty, x.stock, typ)
	}
	return out
}

// randomLog makes n operations over a few products in three partitions, dated at random
// over three weeks (so about half are backdated, and same-date ties are common), with
// the expected sequence the reference says each writer would have seen (now and then a
// stale one), and a few restocks big enough to pass the maximum. It returns the records
// and, per record, the reference's verdict.
//
// With wide, it makes two products over 400 days instead, so that a product has
// hundreds of business dates: a replay's timeline then spans several chunks.
func randomLog(t *testing.T, rng *rand.Rand, n int, wide bool) ([]domain.Record, *reference, map[domain.Position]string) {
	ref := &reference{ops: map[domain.ProductID][]refOp{}, counts: map[string]int{}}
	verdict := map[domain.Position]string{}
	products := []domain.ProductID{testfix.Product(t, "A"), testfix.Product(t, "B"), testfix.Product(t, "C"), testfix.Product(t, "D")}
	days := 21
	if wide {
		products, days = products[:2], 400
	}
	offsets := map[int32]int64{}
	var records []domain.Record
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		k := rng.IntN(len(products))
		p, part := products[k], int32(k%3)
		typ, cents := domain.TypeStockSold, int64(rng.IntN(8)+1)*100
		switch x := rng.IntN(100); {
		case x < 40:
			typ = domain.TypeStockRestocked
		case x < 43:
			typ, cents = domain.TypeStockRestocked, domain.MaxQuantity.Cents()/2+int64(rng.IntN(100))
		case x < 46:
			cents = domain.MaxQuantity.Cents() / 2
		}
		q, err := domain.QuantityFromCents(cents)
		if err != nil {
			t.Fatal(err)
		}
		seq := int64(len(ref.ops[p])) + 1
		if seq > 1 && rng.IntN(30) == 0 {
			seq--
		}
		date := base.AddDate(0, 0, rng.IntN(days)).Add(time.Duration(rng.IntN(2)) * 12 * time.Hour)
		e := domain.Event{Type: typ, ID: fmt.Sprintf("e%d", i), CommandID: fmt.Sprintf("c%d", i), Product: p, Quantity: q,
			ExpectedSeq: seq, BusinessDate: domain.NewBusinessDate(date), RecordedAt: base.Add(time.Duration(i) * time.Second), RecordedBy: "prop"}
		pos := domain.Position{Partition: part, Offset: offsets[part]}
		offsets[part]++
		verdict[pos] = ref.decide(pos, e)
		ref.counts[verdict[pos]]++
		records = append(records, testfix.Record(t, pos, e))
	}
	return records, ref, verdict
}

// modelState is what the property compares of a read model.
type modelState struct {
	verdicts   map[domain.Position]string
	details    map[domain.Position]string
	balances   []balanceRow
	operations []string
}

func readState(t *testing.T, path string) modelState {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := modelState{verdicts: map[domain.Position]string{}, details: map[domain.Position]string{}}
	query := func(q string, scan func(*sql.Rows) error) {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				t.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	query(`SELECT partition, "offset" FROM ledger`, func(r *sql.Rows) error {
		var p domain.Position
		err := r.Scan(&p.Partition, &p.Offset)
		st.verdicts[p] = ""
		return err
	})
	query(`SELECT partition, "offset", reason, detail FROM rejected_events`, func(r *sql.Rows) error {
		var p domain.Position
		var reason, detail string
		err := r.Scan(&p.Partition, &p.Offset, &reason, &detail)
		st.verdicts[p], st.details[p] = reason, detail
		return err
	})
	query(`SELECT product_id, business_date, end_cents, net_cents, low_cents, high_cents FROM balances ORDER BY product_id, business_date`,
		func(r *sql.Rows) error {
			var b balanceRow
			err := r.Scan(&b.Product, &b.Date, &b.End, &b.Net, &b.Low, &b.High)
			st.balances = append(st.balances, b)
			return err
		})
	// SELECT * as a user would; the view's own ORDER BY gives the order.
	query(`SELECT * FROM operations`, func(r *sql.Rows) error {
		var date, p, typ string
		var qty, stock float64
		err := r.Scan(&date, &p, &qty, &stock, &typ)
		st.operations = append(st.operations, fmt.Sprintf("%s|%s|%.0f|%.0f|%s", date, p, qty*100, stock*100, typ))
		return err
	})
	return st
}

// TestRuleThroughTheStoreMatchesANaiveReference: random operations with random dates
// (about half backdated, many same-date ties, some stale sequences and some restocks
// past the maximum), delivered in random batch splits, through the real Ledger into a
// shared model (readmodel.Open) and into an exclusive replay (readmodel.Create,
// NewExclusiveLedger, Finish). Both models must accept exactly what the reference
// accepts, reject the rest for the reference's reason with the same details, and hold
// the reference's balances table and operations view; and the two files must not differ
// in any table.
func TestRuleThroughTheStoreMatchesANaiveReference(t *testing.T) {
	ctx := context.Background()
	total := map[string]int{}
	defer func() {
		t.Logf("verdicts over every seed (\"\" accepted): %v", total)
		for _, c := range []string{"", "backdated", "insufficient_stock", "stock_overflow", "sequence_conflict"} {
			if total[c] < 20 {
				t.Errorf("the random logs gave %d operations of the kind %q, too few to test it: %v", total[c], c, total)
			}
		}
	}()
	for seed := range uint64(46) {
		wide := seed >= 40
		t.Run(fmt.Sprintf("seed=%d,wide=%v", seed, wide), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 17))
			n := 60 + rng.IntN(120)
			if wide {
				n = 600 + rng.IntN(300)
			}
			records, ref, verdicts := randomLog(t, rng, n, wide)
			for k, n := range ref.counts {
				total[k] += n
			}
			shared := testfix.MustOpenDB(t)
			sharedLog := chunkLog{sliceLog{records}, 1 + rng.IntN(len(records))}
			if _, err := projections.NewLedger(shared).CatchUp(ctx, sharedLog); err != nil {
				t.Fatal(err)
			}
			replayLog := chunkLog{sliceLog{records}, 1 + rng.IntN(len(records))}
			replayPath, _ := exclusiveModel(t, replayLog)
			wantBalances, wantOps := ref.balances(), ref.operations()
			states := map[string]modelState{}
			for name, path := range map[string]string{"shared": shared.Path(), "replay": replayPath} {
				st := readState(t, path)
				states[name] = st
				for pos, want := range verdicts {
					got, ok := st.verdicts[pos]
					if !ok || got != want {
						t.Errorf("%s (batches of %d/%d): record %v: verdict %q (recorded %v), the reference says %q",
							name, sharedLog.size, replayLog.size, pos, got, ok, want)
					}
				}
				if !reflect.DeepEqual(st.balances, wantBalances) {
					t.Errorf("%s: balances\n%v\nwant\n%v", name, st.balances, wantBalances)
				}
				if !reflect.DeepEqual(st.operations, wantOps) {
					t.Errorf("%s: SELECT * FROM operations\n%s\nwant\n%s", name, strings.Join(st.operations, "\n"), strings.Join(wantOps, "\n"))
				}
			}
			if !reflect.DeepEqual(states["shared"].details, states["replay"].details) {
				t.Errorf("rejection details differ:\nshared %v\nreplay %v", states["shared"].details, states["replay"].details)
			}
			diffs, err := readmodel.DiffFiles(ctx, replayPath, "replay", shared.Path(), 10)
			if err != nil || len(diffs) != 0 {
				t.Errorf("the replay's model differs from the shared one's: %v\n%s", err, strings.Join(diffs, "\n"))
			}
			if t.Failed() {
				t.Logf("model files: %s, %s", filepath.Base(shared.Path()), filepath.Base(replayPath))
			}
		})
	}
}
