package main_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSIGKILLDuringWrites kills `stockctl sell`, `stockctl import` and `stockctl broker`
// itself at random moments on the embedded broker. Afterwards every operation a command
// reported as done is in the ledger exactly once, a killed command re-run with its
// idempotency key applies at most once, and verify passes.
func TestSIGKILLDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("long: many processes")
	}
	dir := t.TempDir()
	b := startBroker(t, dir)
	mustRunEnv(t, dir, embeddedEnv, "restock", "K", "1000000")
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 11))
	t.Logf("random seed %d", seed)

	killed := map[string]bool{} // idempotency keys of sells killed before they answered
	done := map[string]bool{}   // keys of sells that reported success
	kills := 0
	start := func(args ...string) *exec.Cmd {
		cmd := exec.Command(binary, append([]string{"--data-dir", dir}, args...)...)
		cmd.Env = append(cleanEnv(), embeddedEnv...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	killAfter := func(cmd *exec.Cmd, d time.Duration) bool {
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			return err != nil && strings.Contains(err.Error(), "killed")
		case <-time.After(d):
			cmd.Process.Kill()
			<-exited
			return true
		}
	}

	// Sells killed mid-way, and sells left to finish.
	for i := 0; i < 60; i++ {
		key := fmt.Sprintf("s%d", i)
		cmd := start("sell", "K", "1", "--idempotency-key", key)
		if i%3 != 0 && killAfter(cmd, time.Duration(rng.IntN(12_000))*time.Microsecond) {
			killed[key] = true
			kills++
			continue
		}
		if i%3 != 0 {
			done[key] = true // finished before the kill
			continue
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("sell %s: %v", key, err)
		}
		done[key] = true
	}

	// The broker itself, killed while sells run, then restarted on the same address.
	for i := 0; i < 5; i++ {
		var sellers []*exec.Cmd
		for j := 0; j < 4; j++ {
			key := fmt.Sprintf("b%d-%d", i, j)
			cmd := start("sell", "K", "1", "--idempotency-key", key)
			sellers = append(sellers, cmd)
		}
		time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond) // a random moment, not a synchronisation
		b.cmd.Process.Kill()
		<-b.exited
		kills++
		for j, cmd := range sellers {
			key := fmt.Sprintf("b%d-%d", i, j)
			if err := cmd.Wait(); err == nil {
				done[key] = true // it reported success: it must be in the ledger
			} else {
				killed[key] = true // it failed with the broker: it may or may not be recorded
			}
		}
		b = restartBroker(t, dir, b.addr)
	}

	// An import killed at random moments, then run to the end.
	file := filepath.Join(t.TempDir(), "ops.csv")
	mustRunEnv(t, dir, embeddedEnv, "generate", "--products", "30", "--days", "120", "--seed", "5", "--out", file)
	for i := 0; i < 12; i++ {
		if killAfter(start("import", "--quiet", file), time.Duration(10+rng.IntN(150))*time.Millisecond) {
			kills++
		}
	}
	r := runEnv(t, dir, embeddedEnv, "import", file)
	if r.code != 0 {
		t.Fatalf("import after the kills: %v", r)
	}

	// Killed sells re-run with their keys: each applies at most once.
	for key := range killed {
		if r := runEnv(t, dir, embeddedEnv, "sell", "K", "1", "--idempotency-key", key); r.code != 0 {
			t.Fatalf("re-run of killed sell %s: %v", key, r)
		}
		done[key] = true
	}
	mustRunEnv(t, dir, embeddedEnv, "verify", "--quiet")

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "operations.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for key := range done {
		var n int
		db.QueryRow(`SELECT count(*) FROM ledger WHERE command_id = ?`, "key:"+key).Scan(&n)
		if n != 1 {
			t.Errorf("sale %s reported done is in the ledger %d times", key, n)
		}
	}
	var sold, rows, imported int
	db.QueryRow(`SELECT count(*) FROM ledger WHERE product_id = 'K' AND event_type = 'StockSold'`).Scan(&sold)
	db.QueryRow(`SELECT count(*) FROM ledger WHERE command_id LIKE 'import:%'`).Scan(&imported)
	raw, _ := os.ReadFile(file)
	rows = strings.Count(string(raw), "\n") - 1
	if sold != len(done) || imported != rows {
		t.Fatalf("ledger holds %d sales of K for %d keys, and %d imported rows for a file of %d", sold, len(done), imported, rows)
	}
	t.Logf("%d kills (sell, broker, import); %d sales and %d imported rows, each once", kills, sold, imported)
}
