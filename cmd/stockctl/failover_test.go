package main_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// Leader loss under load: how many writers, how many times the leader is killed, and the
// stock the hot product starts with (sales of 1 never exhaust it within the test).
const (
	failoverWriters = 8
	failoverKills   = 2
	failoverStock   = 5000
	failoverTries   = 10 // attempts of one sale, under one key, before it counts as lost
)

// saleAttempt is one run of `stockctl sell` in TestClusterLeaderLoss.
type saleAttempt struct {
	key        string
	try        int
	start, end time.Time
	code       int
	stdout     string
	stderr     string
}

// TestClusterLeaderLoss: 8 writers, each with a data directory of its own, sell one hot
// product (each sale under an idempotency key of its own, retried under the same key
// after exit 3 or 4) while the leader of its partition is SIGKILLed, then restarted,
// twice. Every sale answered exit 0 is in the ledger exactly once; every other is in it
// at most once; no balance is ever negative; the final stock is the restock less the
// sales the ledger accepted; `verify` passes. It logs the figures docs/reliability.md
// quotes: sales attempted, acknowledged and lost, sell latency p50/p99 during the
// failovers, and the time from each kill until writes succeed again.
// Needs the cluster of three nodes of testkafka.NewCluster; skipped without one.
func TestClusterLeaderLoss(t *testing.T) {
	cluster := testkafka.NewCluster(t) // skips without one; restarts a node killed at the end
	topic := testkafka.Topic(t)
	env := []string{"STOCKCTL_BROKERS=" + strings.Join(cluster.Brokers, ","), "STOCKCTL_TOPIC=" + topic}
	// The writers' --timeout: the default unless STOCKCTL_TEST_SELL_TIMEOUT says otherwise
	// (docs/reliability.md compares 10s and 30s).
	sellEnv := env
	if v := os.Getenv("STOCKCTL_TEST_SELL_TIMEOUT"); v != "" {
		sellEnv = append(slices.Clone(env), "STOCKCTL_TIMEOUT="+v)
	}
	mustRunEnv(t, t.TempDir(), env, "--replication-factor", "3", "restock", "HOT", strconv.Itoa(failoverStock), "--idempotency-key", "restock")
	hot := eventlog.PartitionFor([]byte("HOT"), 3)
	var (
		mu       sync.Mutex
		attempts []saleAttempt
		wg       sync.WaitGroup
	)
	stop := make(chan struct{})
	for w := range failoverWriters {
		dir := t.TempDir()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("w%d-%d", w, n)
				for try := 1; try <= failoverTries; try++ {
					start := time.Now()
					r, err := invoke(dir, sellEnv, "sell", "HOT", "1", "--idempotency-key", key)
					a := saleAttempt{key: key, try: try, start: start, end: time.Now(), code: r.code, stdout: r.stdout, stderr: r.stderr}
					if err != nil {
						a.code, a.stderr = -1, err.Error()
					}
					mu.Lock()
					attempts = append(attempts, a)
					mu.Unlock()
					if a.code != 3 && a.code != 4 {
						break
					}
				}
			}
		}()
	}
	// acksSince counts the sales answered exit 0 that started at or after t0.
	acksSince := func(t0 time.Time) (n int, first time.Time) {
		mu.Lock()
		defer mu.Unlock()
		for _, a := range attempts {
			if a.code == 0 && !a.start.Before(t0) {
				if n++; first.IsZero() || a.end.Before(first) {
					first = a.end
				}
			}
		}
		return n, first
	}
	waitAcks := func(what string, t0 time.Time, n int) time.Time {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			got, first := acksSince(t0)
			if got >= n {
				return first
			}
			if time.Now().After(deadline) {
				close(stop)
				wg.Wait()
				t.Fatalf("%s: %d sales answered exit 0 within 90 s, want %d; last attempts: %v", what, got, n, lastAttempts(&mu, &attempts, 5))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitAcks("before any kill", time.Time{}, 2*failoverWriters)
	type window struct {
		node                 int
		kill, back, restored time.Time
	}
	var windows []window
	for range failoverKills {
		id := cluster.Leader(topic, hot)
		if id < 0 {
			t.Fatalf("no leader of HOT's partition %d to kill", hot)
		}
		w := window{node: id, kill: time.Now()}
		cluster.Kill(id)
		w.back = waitAcks(fmt.Sprintf("after killing node %d", id), w.kill, 1)
		cluster.Restart(id)
		w.restored = time.Now()
		windows = append(windows, w)
		waitAcks(fmt.Sprintf("after restarting node %d", id), w.restored, failoverWriters)
	}
	close(stop)
	wg.Wait()

	// What the writers were told.
	final := map[string]saleAttempt{}
	byCode := map[int]int{}
	var during, overall []time.Duration
	for _, a := range attempts {
		final[a.key] = a // attempts of one key are in order
		byCode[a.code]++
		overall = append(overall, a.end.Sub(a.start))
		for _, w := range windows {
			if a.end.After(w.kill) && a.start.Before(w.back) {
				during = append(during, a.end.Sub(a.start))
				break
			}
		}
		if a.code != 0 && a.code != 3 && a.code != 4 {
			t.Errorf("sale %s try %d: exit %d, want 0, 3 or 4: %s", a.key, a.try, a.code, a.stderr)
		}
	}
	acked, retried, already, lost := 0, 0, 0, 0
	for _, a := range final {
		if a.code == 0 {
			acked++
		}
		if a.try > 1 {
			retried++
			// A retry finding its sale recorded: the try that failed had appended it.
			if a.code == 0 && strings.Contains(a.stdout, "already recorded") {
				already++
			}
		}
	}
	example := map[int]string{}
	for _, a := range attempts {
		if _, ok := example[a.code]; !ok && a.code != 0 {
			example[a.code] = strings.TrimSpace(a.stderr)
		}
	}
	for code, msg := range example {
		t.Logf("exit %d, for example: %s", code, msg)
	}

	// What the ledger holds, read by a new host from the log.
	check := t.TempDir()
	if r := runEnv(t, check, env, "verify"); r.code != 0 {
		t.Fatalf("verify: %v", r)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(check, "operations.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seen := commandCounts(t, db)
	sold := 0
	for id, n := range seen {
		key, isSale := strings.CutPrefix(id, "key:")
		if !isSale || key == "restock" {
			continue
		}
		sold += n
		a, asked := final[key]
		switch {
		case n != 1:
			t.Errorf("sale %s is in the ledger %d times", key, n)
		case !asked:
			t.Errorf("the ledger holds sale %s that no writer made", key)
		case a.code != 0 && a.try == failoverTries:
			t.Logf("sale %s, given up on after %d tries (last exit %d), is in the ledger once", key, a.try, a.code)
		}
	}
	for key, a := range final {
		if a.code == 0 && seen["key:"+key] != 1 {
			lost++
			t.Errorf("sale %s answered exit 0 (try %d) is in the ledger %d times", key, a.try, seen["key:"+key])
		}
	}
	var negative int
	if err := db.QueryRow(`SELECT count(*) FROM operations WHERE stock < 0`).Scan(&negative); err != nil || negative != 0 {
		t.Errorf("%d operations leave a negative balance (%v)", negative, err)
	}
	got := stockLevelsEnv(t, check, env, "HOT")
	if want := fmt.Sprintf("%d.00", failoverStock-sold); len(got) != 1 || got[0].Stock != want {
		t.Errorf("stock of HOT = %+v, want %s (%d restocked less the %d sales in the ledger)", got, want, failoverStock, sold)
	}

	t.Logf("sales attempted %d (runs of sell %d: exit 0 %d, exit 3 %d, exit 4 %d), acknowledged %d, retried under their key %d "+
		"(%d of them found already recorded), lost %d, in the ledger %d",
		len(final), len(attempts), byCode[0], byCode[3], byCode[4], acked, retried, already, lost, sold)
	t.Logf("sell latency over the whole run: p50 %s, p99 %s (%d runs); during the failovers (kill until the first sale after it): p50 %s, p99 %s (%d runs)",
		quantile(overall, 0.50), quantile(overall, 0.99), len(overall), quantile(during, 0.50), quantile(during, 0.99), len(during))
	for i, w := range windows {
		t.Logf("kill %d: node %d (leader of HOT's partition) SIGKILLed; writes succeeded again %s later; restarted %s after the kill",
			i+1, w.node, w.back.Sub(w.kill).Round(time.Millisecond), w.restored.Sub(w.kill).Round(time.Millisecond))
	}
}

// quantile returns the q-quantile of ds (0 if empty), rounded to the millisecond.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))].Round(time.Millisecond)
}

// lastAttempts returns the last n attempts, for a failure message.
func lastAttempts(mu *sync.Mutex, attempts *[]saleAttempt, n int) []string {
	mu.Lock()
	defer mu.Unlock()
	var out []string
	for _, a := range (*attempts)[max(0, len(*attempts)-n):] {
		out = append(out, fmt.Sprintf("%s try %d exit %d %s", a.key, a.try, a.code, strings.TrimSpace(a.stderr)))
	}
	return out
}
