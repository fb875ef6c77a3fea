package main_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stockctl/stockctl/internal/testkafka"
)

// sharedLog returns the environment for writer processes sharing one log: a topic of
// the real cluster, or the data directory's embedded log served by `stockctl broker`.
func sharedLog(t *testing.T, dir string) []string {
	t.Helper()
	if testkafka.Real() {
		return []string{"STOCKCTL_BROKERS=" + strings.Join(testkafka.Brokers(t), ","), "STOCKCTL_TOPIC=" + testkafka.Topic(t)}
	}
	startBroker(t, dir)
	return embeddedEnv
}

// writerBinary is the executable writer w of a concurrent-writers test runs: writer 0's
// processes run raceBinary, so that a data race in a writer's own goroutines fails the
// test, without making every process pay for the race detector.
func writerBinary(t *testing.T, w int) string {
	if w == 0 {
		return raceBinary(t)
	}
	return binary
}

// checkRunningStock recomputes each product's stock after every ledger row from the
// rows' quantities alone, in the ledger's order, and fails if it goes below zero or
// differs from the stock the row records: the schema's CHECK keeps stock_cents itself
// from going below zero, so only a recomputation can show an oversale.
func checkRunningStock(t *testing.T, db *sql.DB) {
	t.Helper()
	// In business-date order, then log order: writers' default dates come from their own
	// clocks, so one appended later may be dated a second earlier; the balance after each
	// row (balances.end - net + the row's date_cents) must be the running sum in that order.
	rows, err := db.Query(`SELECT l.product_id, l.product_seq, l.event_type, l.qty_cents, b.end_cents - b.net_cents + l.date_cents
		FROM ledger l JOIN balances b ON b.product_id = l.product_id AND b.business_date = l.business_date
		ORDER BY l.product_id, l.business_date, l.partition, l."offset"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	running := map[string]int64{}
	n := 0
	for rows.Next() {
		var product, typ string
		var seq, qty, recorded int64
		if err := rows.Scan(&product, &seq, &typ, &qty, &recorded); err != nil {
			t.Fatal(err)
		}
		if typ == "StockSold" {
			qty = -qty
		}
		running[product] += qty
		if got := running[product]; got < 0 || got != recorded {
			t.Fatalf("%s operation %d: the ledger's quantities give stock %d hundredths, the row says %d; want the same, never below 0",
				product, seq, got, recorded)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("the ledger is empty")
	}
}

// TestConcurrentSellProcesses runs 8 writers, each issuing 200 `stockctl sell` processes
// of 1 unit, against one product with 1,000 in stock: demand exceeds stock, exactly 1,000
// units are sold, and what every process reported (exit 0 or 1) is what the ledger holds.
// On the embedded broker, the `stockctl broker` serving them is race-built; so are
// writer 0's processes.
func TestConcurrentSellProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("long: 1,600 processes")
	}
	const writers, sales, stock = 8, 200, 1000
	dir := t.TempDir()
	env := sharedLog(t, dir)
	mustRunEnv(t, dir, env, "restock", "HOT", fmt.Sprint(stock))
	bins := make([]string, writers)
	for w := range writers {
		bins[w] = writerBinary(t, w)
	}

	type outcome struct {
		key  string
		code int
	}
	results := make([][]outcome, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range sales {
				key := fmt.Sprintf("w%d-%d", w, i)
				r, err := invokeBinary(bins[w], dir, env, nil, "sell", "HOT", "1", "--idempotency-key", key)
				if err != nil {
					t.Errorf("sell %s: %v", key, err)
					return
				}
				results[w] = append(results[w], outcome{key, r.code})
				if r.code != 0 && r.code != 1 {
					t.Errorf("sell %s: %v", key, r)
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	mustRunEnv(t, dir, env, "project", "--quiet")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "operations.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recorded := map[string]bool{}
	rows, err := db.Query(`SELECT command_id FROM ledger WHERE event_type = 'StockSold'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		recorded[strings.TrimPrefix(id, "key:")] = true
	}
	rows.Close()
	sold := 0
	for _, rs := range results {
		for _, r := range rs {
			if (r.code == 0) != recorded[r.key] {
				t.Errorf("sale %s: exit %d, but recorded in the ledger: %v", r.key, r.code, recorded[r.key])
			}
			if r.code == 0 {
				sold++
			}
		}
	}
	var final int64
	db.QueryRow(`SELECT stock_cents FROM stock WHERE product_id = 'HOT'`).Scan(&final)
	if sold != stock || len(recorded) != stock || final != 0 {
		t.Fatalf("sold %d (ledger %d), final stock %d; want exactly %d sold, 0 left",
			sold, len(recorded), final/100, stock)
	}
	checkRunningStock(t, db)
	mustRunEnv(t, dir, env, "verify", "--quiet")
}

// TestConcurrentMixedProcesses: 6 writers issue sells and restocks at random over 3
// products; every process's exit code matches the ledger, and each product's stock is
// its opening stock plus the accepted restocks minus the accepted sales. Race-built as
// TestConcurrentSellProcesses is.
func TestConcurrentMixedProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("long: 360 processes")
	}
	const writers, ops = 6, 60
	products := []string{"A", "B", "C"}
	dir := t.TempDir()
	env := sharedLog(t, dir)
	for _, p := range products {
		mustRunEnv(t, dir, env, "restock", p, "20", "--idempotency-key", "open-"+p)
	}
	type outcome struct {
		key, product string
		units        int64
		sale         bool
		code         int
	}
	results := make([][]outcome, writers)
	bins := make([]string, writers)
	for w := range writers {
		bins[w] = writerBinary(t, w)
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 99))
			for i := range ops {
				o := outcome{key: fmt.Sprintf("m%d-%d", w, i), product: products[rng.IntN(3)], units: int64(1 + rng.IntN(3)), sale: rng.IntN(5) != 0}
				verb := "sell"
				if !o.sale {
					verb, o.units = "restock", 5
				}
				r, err := invokeBinary(bins[w], dir, env, nil, verb, o.product, fmt.Sprint(o.units), "--idempotency-key", o.key)
				if err != nil {
					t.Errorf("%s %s: %v", verb, o.key, err)
					return
				}
				o.code = r.code
				if r.code != 0 && r.code != 1 {
					t.Errorf("%s %s: %v", verb, o.key, r)
				}
				results[w] = append(results[w], o)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	mustRunEnv(t, dir, env, "project", "--quiet")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "operations.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := map[string]int64{"A": 2000, "B": 2000, "C": 2000}
	for _, rs := range results {
		for _, o := range rs {
			var n int
			db.QueryRow(`SELECT count(*) FROM ledger WHERE command_id = ?`, "key:"+o.key).Scan(&n)
			if (o.code == 0) != (n == 1) || n > 1 {
				t.Errorf("%+v: exit %d but %d ledger rows", o, o.code, n)
			}
			if o.code == 0 {
				if o.sale {
					want[o.product] -= o.units * 100
				} else {
					want[o.product] += o.units * 100
				}
			}
		}
	}
	for _, p := range products {
		var got int64
		db.QueryRow(`SELECT stock_cents FROM stock WHERE product_id = ?`, p).Scan(&got)
		if got != want[p] {
			t.Errorf("%s: stock %d; want %d from the outcomes", p, got, want[p])
		}
	}
	checkRunningStock(t, db)
	mustRunEnv(t, dir, env, "verify", "--quiet")
}
