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

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// tables returns what the reference says each compared query of a read model returns
// (see modelTables), rows as "a|b|c" in the query's order.
func (r *repairReference) tables() map[string][]string {
	out := map[string][]string{}
	add := func(table string, vals ...any) {
		s := make([]string, len(vals))
		for i, v := range vals {
			s[i] = fmt.Sprint(v)
		}
		out[table] = append(out[table], strings.Join(s, "|"))
	}
	type totals struct{ sales, restocks, sold, restocked, adjustments, adjusted int64 }
	products, days := map[string]*totals{}, map[string]*totals{}
	var ops []*rRow
	for p, b := range r.books {
		eff := b.effective("")
		for _, x := range b.rows {
			dc, voided := x.frozen, x.voided
			if voided == "" {
				dc = dateCents(eff, x.id)
			}
			counted := int64(-1)
			if x.counted != nil {
				counted = *x.counted
			}
			add("ledger", x.id, x.kind, p, x.seq, x.pos.Partition, x.pos.Offset, x.delta, abs(x.delta), x.stock, dc, voided, x.corrects, counted, x.reason)
		}
		// Balances: every date any row ever had; one emptied by voids keeps the balance
		// before it among its extremes (see the domain's property test).
		dates := map[string]domain.BusinessDate{}
		for _, x := range b.rows {
			dates[x.date.String()] = x.date
		}
		keys := make([]string, 0, len(dates))
		for k := range dates {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		bal, k := int64(0), 0
		var last domain.BusinessDate
		var lastNet int64
		for _, key := range keys {
			d := dates[key]
			net, low, high, first := int64(0), bal, bal, !b.emptied[d.Time().Unix()]
			for ; k < len(eff) && eff[k].date.Equal(d); k++ {
				bal += eff[k].delta
				net += eff[k].delta
				if first || bal < low {
					low = bal
				}
				if first || bal > high {
					high = bal
				}
				first = false
			}
			add("balances", p, key, bal, net, low, high)
			last, lastNet = d, net
		}
		if b.seq > 0 {
			add("stock", p, b.seq, bal, last, lastNet)
		}
		for _, x := range eff {
			ops = append(ops, x)
			for key, m := range map[string]map[string]*totals{p.String(): products, x.date.Day(): days} {
				t := m[key]
				if t == nil {
					t = &totals{}
					m[key] = t
				}
				switch x.kind {
				case domain.TypeStockSold:
					t.sales, t.sold = t.sales+1, t.sold-x.delta
				case domain.TypeStockRestocked:
					t.restocks, t.restocked = t.restocks+1, t.restocked+x.delta
				default:
					t.adjustments, t.adjusted = t.adjustments+1, t.adjusted+x.delta
				}
			}
		}
	}
	for name, m := range map[string]map[string]*totals{"product_totals": products, "day_totals": days} {
		for k, t := range m {
			add(name, k, t.sales, t.restocks, t.sold, t.restocked, t.adjustments, t.adjusted)
		}
	}
	sort.SliceStable(ops, func(i, j int) bool {
		a, b := ops[i], ops[j]
		if !a.date.Equal(b.date) {
			return a.date.Before(b.date)
		}
		if a.pos.Partition != b.pos.Partition {
			return a.pos.Partition < b.pos.Partition
		}
		return a.pos.Offset < b.pos.Offset
	})
	for _, x := range ops {
		b := r.books[x.product]
		stock := b.balanceAt(x.date) - sumOn(b.effective(""), x.date) + dateCents(b.effective(""), x.id)
		typ := map[domain.EventType]string{domain.TypeStockSold: "sales", domain.TypeStockRestocked: "replenishment"}[x.kind]
		switch {
		case x.kind == domain.TypeStockAdjusted && x.delta < 0:
			typ = "adjustment_out"
		case x.kind == domain.TypeStockAdjusted:
			typ = "adjustment_in"
		case x.kind == domain.TypeStockCounted && x.delta < 0:
			typ = "count_out"
		case x.kind == domain.TypeStockCounted && x.delta > 0:
			typ = "count_in"
		case x.kind == domain.TypeStockCounted:
			typ = "count"
		}
		add("operations", x.date, x.product, abs(x.delta), stock, typ)
	}
	for _, x := range r.repairs {
		add("repairs", x.id, x.typ, x.product, x.seq, x.target, x.delta, x.stock)
	}
	for _, t := range []string{"ledger", "balances", "stock", "product_totals", "day_totals", "repairs"} {
		sort.Strings(out[t])
	}
	return out
}

func sumOn(rows []*rRow, d domain.BusinessDate) int64 {
	var n int64
	for _, x := range rows {
		if x.date.Equal(d) {
			n += x.delta
		}
	}
	return n
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// modelTables reads the compared tables of the model file at path, as tables gives them.
func modelTables(t *testing.T, path string) (map[string][]string, map[domain.Position]string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	query := func(q string) [][]string {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out [][]string
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
				if f, ok := v.(float64); ok {
					v = int64(f*100 + 0.5)
				}
				s[i] = fmt.Sprint(v)
			}
			out = append(out, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	got := map[string][]string{}
	for table, q := range map[string]string{
		"ledger": `SELECT event_id, event_type, product_id, product_seq, partition, "offset", delta_cents, qty_cents, stock_cents, date_cents,
			coalesce(voided_by, ''), coalesce(corrects, ''), coalesce(counted_cents, -1), reason FROM ledger`,
		"balances":       `SELECT product_id, business_date, end_cents, net_cents, low_cents, high_cents FROM balances`,
		"stock":          `SELECT product_id, seq, stock_cents, last_date, date_net_cents FROM stock`,
		"product_totals": `SELECT * FROM product_totals WHERE sales + restocks + adjustments > 0`,
		"day_totals":     `SELECT * FROM day_totals WHERE sales + restocks + adjustments > 0`,
		"repairs":        `SELECT event_id, event_type, product_id, product_seq, coalesce(target_event_id, ''), delta_cents, stock_cents FROM repairs`,
		// SELECT * as a user would; the view's own ORDER BY gives the order.
		"operations": `SELECT * FROM operations`,
	} {
		for _, r := range query(q) {
			got[table] = append(got[table], strings.Join(r, "|"))
		}
		if table != "operations" {
			sort.Strings(got[table])
		}
	}
	verdicts := map[domain.Position]string{}
	for _, q := range []string{`SELECT partition, "offset", '' FROM ledger UNION ALL SELECT partition, "offset", '' FROM repairs`,
		`SELECT partition, "offset", reason FROM rejected_events`} {
		for _, r := range query(q) {
			var p domain.Position
			fmt.Sscan(r[0], &p.Partition)
			fmt.Sscan(r[1], &p.Offset)
			verdicts[p] = r[2]
		}
	}
	return got, verdicts
}

// applyInBatches applies records through l in batches of random sizes.
func applyInBatches(t *testing.T, rng *rand.Rand, l *projections.Ledger, records []domain.Record, most int) {
	t.Helper()
	for len(records) > 0 {
		n := min(len(records), 1+rng.IntN(most))
		if _, err := l.Apply(context.Background(), records[:n]); err != nil {
			t.Fatal(err)
		}
		records = records[n:]
	}
}

// TestRepairsThroughTheStoreMatchANaiveReference: random logs of sales, restocks,
// adjustments, counts, voids and corrections over six products in three partitions, with
// stale sequences and two period closes, projected live into a shared model
// (readmodel.Open, batches of random sizes) and by a replay's bulk load (readmodel.Create,
// NewExclusiveLedger, Finish, other random batches). Both must give every event the
// reference's verdict and hold the reference's ledger (voided_by, date_cents, stock then,
// corrects, counted), balances by date, stock, totals, repairs and operations view; and
// the two files must not differ.
func TestRepairsThroughTheStoreMatchANaiveReference(t *testing.T) {
	ctx := context.Background()
	total := map[string]int{}
	for seed := range uint64(16) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 18))
			n, days, products := 150+rng.IntN(150), 20, 6
			if seed >= 12 {
				// Two products of hundreds of dates: a timeline of several chunks.
				n, days, products = 800, 300, 2
			}
			records, ref, verdicts := randomRepairLog(t, rng, n, days, products)
			for k, c := range ref.counts {
				total[k] += c
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
			want := ref.tables()
			for name, path := range map[string]string{"shared": shared.Path(), "replay": replayPath} {
				got, gotVerdicts := modelTables(t, path)
				for pos, v := range verdicts {
					if g, ok := gotVerdicts[pos]; (ok || v != "") && g != v {
						t.Errorf("%s: record %v: verdict %q, the reference says %q", name, pos, g, v)
					}
				}
				for table, rows := range want {
					if !reflect.DeepEqual(got[table], rows) {
						t.Errorf("%s: %s\n%s\nwant\n%s", name, table, strings.Join(got[table], "\n"), strings.Join(rows, "\n"))
					}
				}
			}
			diffs, err := readmodel.DiffFiles(ctx, replayPath, "replay", shared.Path(), 10)
			if err != nil || len(diffs) != 0 {
				t.Errorf("the replay's model differs from the shared one's: %v\n%s", err, strings.Join(diffs, "\n"))
			}
		})
	}
	t.Logf("verdicts (type:code): %v", total)
	for _, k := range []string{"OperationVoided:", "OperationVoided:insufficient_stock", "OperationVoided:already_voided",
		"OperationVoided:invalid", "OperationVoided:not_accepted", "OperationVoided:no_such_operation", "OperationVoided:period_closed",
		"OperationCorrected:", "OperationCorrected:insufficient_stock", "OperationCorrected:not_correctable", "OperationCorrected:sequence_conflict",
		"StockCounted:", "StockAdjusted:", "StockAdjusted:insufficient_stock", "StockRestocked:stock_overflow"} {
		if total[k] < 5 {
			t.Errorf("the random logs gave %d of %s, too few to test it", total[k], k)
		}
	}
}
