package main_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stockctl/stockctl/internal/testkafka"
)

// TestConcurrentSellProcesses runs 8 writers, each issuing 200 `stockctl sell` processes
// of 1 unit, against one product with 1,000 in stock: demand exceeds stock, exactly 1,000
// units are sold, and what every process reported (exit 0 or 1) is what the ledger holds.
func TestConcurrentSellProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("long: 1,600 processes")
	}
	const writers, sales, stock = 8, 200, 1000
	dir := t.TempDir()
	env := []string{}
	if testkafka.Real() {
		env = []string{"STOCKCTL_BROKERS=" + strings.Join(testkafka.Brokers(t), ","), "STOCKCTL_TOPIC=" + testkafka.Topic(t)}
	} else {
		startBroker(t, dir) // the writers share the data directory through it
		env = embeddedEnv
	}
	mustRunEnv(t, dir, env, "restock", "HOT", fmt.Sprint(stock))

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
				r := runEnv(t, dir, env, "sell", "HOT", "1", "--idempotency-key", key)
				results[w] = append(results[w], outcome{key, r.code})
				if r.code != 0 && r.code != 1 {
					t.Errorf("sell %s: %v", key, r)
				}
			}
		}()
	}
	wg.Wait()

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
	var minStock, final int64
	db.QueryRow(`SELECT min(stock_cents) FROM ledger WHERE product_id = 'HOT'`).Scan(&minStock)
	db.QueryRow(`SELECT stock_cents FROM stock WHERE product_id = 'HOT'`).Scan(&final)
	if sold != stock || len(recorded) != stock || final != 0 || minStock < 0 {
		t.Fatalf("sold %d (ledger %d), final stock %d, lowest %d; want exactly %d sold, 0 left, never below 0",
			sold, len(recorded), final/100, minStock, stock)
	}
	mustRunEnv(t, dir, env, "verify", "--quiet")
}
