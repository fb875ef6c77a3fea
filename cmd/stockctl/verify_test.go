package main_test

import (
	"cmp"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/internal/testkafka"
)

// TestVerifyFailsOnOneChangedRowOfEachTable changes one row of one table that verify
// compares, in a copy of a model that verifies, and expects `stockctl verify` to exit 1
// naming that table in each of its differences. A table dropped from the comparison, or
// a verify that never compares, fails its case. Runs on both brokers.
func TestVerifyFailsOnOneChangedRowOfEachTable(t *testing.T) {
	dir := t.TempDir()
	// Accepted events of 100 products in 3 partitions, a rejected retry, skipped records.
	writeLog(t, dir, 300, testkafka.Real())
	mustRun(t, dir, "project", "--quiet")
	clean := filepath.Join(dir, "operations.db")
	if _, err := os.Stat(clean + "-wal"); err == nil {
		t.Fatalf("%s-wal left after project exited: the copies below would miss rows", clean)
	}

	tests := []struct {
		table  string // "" : verify passes
		change string
	}{
		{"", ""},
		{"ledger", `UPDATE ledger SET qty_cents = qty_cents + 1 WHERE id = 7`},
		{"stock", `UPDATE stock SET stock_cents = stock_cents + 100 WHERE rowid = (SELECT min(rowid) FROM stock)`},
		{"product_totals", `UPDATE product_totals SET sales = sales + 1 WHERE product_id = (SELECT min(product_id) FROM product_totals)`},
		{"day_totals", `UPDATE day_totals SET sold_cents = sold_cents + 1 WHERE day = (SELECT min(day) FROM day_totals)`},
		{"rejected_events", `UPDATE rejected_events SET detail = 'tampered' WHERE position = (SELECT min(position) FROM rejected_events)`},
		{"skipped_records", `UPDATE skipped_records SET reason = 'unknown_type' WHERE position = (SELECT min(position) FROM skipped_records)`},
		// Offsets below the log's end would be caught up, and above it refused; a row for
		// a partition the log does not have is a changed row verify must see.
		{"offsets", `INSERT INTO offsets (partition, next_offset, updated_at) VALUES (7, 0, '')`},
		{"log_gaps", `INSERT INTO log_gaps VALUES (0, 1, 1, 'missing', 'partition 0: offset 1 missing')`},
		// The topic, partition count and cluster ID are checked before verify compares.
		{"meta", `INSERT INTO meta (key, value) VALUES ('tampered', 'x')`},
		{"thresholds", `INSERT INTO thresholds VALUES ('P1', '', 500, 0, 0, 'e-x', '2024-05-01T00:00:00Z', 'x')`},
		{"crossings", `INSERT INTO crossings VALUES (0, 0, '', 'P1', 'zero', 0, NULL, 'e-x', 'StockSold', '2024-05-01 00:00:00', '2024-05-01T00:00:00Z')`},
		// What the notifier sent is a side effect, not a fact of the log: not compared.
		{"", `INSERT INTO notified VALUES (0, 5, '2024-05-01T00:00:00Z')`},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%d-%s", i, cmp.Or(tt.table, "unchanged")), func(t *testing.T) {
			db := filepath.Join(dir, fmt.Sprintf("case%d.db", i))
			copyFile(t, clean, db)
			if tt.change != "" {
				changeOneRow(t, db, tt.change)
			}
			r := run(t, dir, "--db", db, "verify")
			if tt.table == "" {
				if r.code != 0 || !strings.Contains(r.stdout, "verified: ") {
					t.Fatalf("verify of an unchanged copy: want exit 0, got %v", r)
				}
				return
			}
			if r.code != 1 || !strings.Contains(r.stderr, "stockctl: verify: the read model differs from a replay of the log:") {
				t.Fatalf("verify after one changed row of %s: want exit 1 and the differences, got %v", tt.table, r)
			}
			diffs := 0
			for _, line := range strings.Split(r.stderr, "\n") {
				if rest, ok := strings.CutPrefix(line, "  "); ok {
					diffs++
					if !strings.HasPrefix(rest, tt.table+": only in ") {
						t.Errorf("verify after one changed row of %s names another table: %q", tt.table, line)
					}
				}
			}
			if want := map[bool]int{true: 2, false: 1}[strings.HasPrefix(tt.change, "UPDATE")]; diffs != want {
				t.Errorf("verify after one changed row of %s: %d difference(s), want %d:\n%s", tt.table, diffs, want, r.stderr)
			}
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// changeOneRow runs stmt on the model at path and fails unless it changed one row.
func changeOneRow(t *testing.T, path, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(stmt)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("%s changed %d rows (%v), want 1", stmt, n, err)
	}
}

// TestReplayWaitsForAFollowerHoldingTheModel: while `stockctl project --follow` has the
// read model open, `stockctl replay` builds its file but may not swap it in under the
// follower: it waits its 10 s, exits 3 saying which process to stop, and leaves the live
// model and the follower as they were; once the follower stops, replay swaps and verify
// passes. Embedded broker only: the wait is on the read model's lock, the same whichever broker.
func TestReplayWaitsForAFollowerHoldingTheModel(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out replay's 10 s for the model's holders")
	}
	skipOnRealKafka(t)
	t.Parallel()
	dir := t.TempDir()
	live := filepath.Join(dir, "operations.db")
	startBroker(t, dir)
	mustRunEnv(t, dir, embeddedEnv, "restock", "P1", "10")
	f := startFollow(t, dir)
	waitForAccepted(t, live, 1)

	// A rebuild of the same log has the same counts: the digest (offsets' updated_at
	// included) and the file's identity tell a swapped model from the one left alone.
	before, beforeDigest := tableCounts(t, live), modelDigest(t, live)
	beforeFile, err := os.Stat(live)
	if err != nil {
		t.Fatal(err)
	}
	r := runEnv(t, dir, embeddedEnv, "replay")
	if r.code != 3 || !strings.Contains(r.stderr, "is open in another stockctl process") || !strings.Contains(r.stderr, "stop it and retry") {
		t.Fatalf("replay while project --follow holds the model: want exit 3 naming the holder, got %v", r)
	}
	if r.elapsed < 10*time.Second {
		t.Errorf("replay gave up after %s, before its 10 s wait for the holders", r.elapsed)
	}
	t.Logf("replay gave up after %s", r.elapsed.Round(time.Millisecond))
	if after := tableCounts(t, live); after != before {
		t.Errorf("a refused replay changed the live model: %s before, %s after", before, after)
	}
	if after := modelDigest(t, live); after != beforeDigest {
		t.Errorf("a refused replay changed the live model's rows: %s before, %s after", beforeDigest, after)
	}
	if afterFile, err := os.Stat(live); err != nil || !os.SameFile(beforeFile, afterFile) {
		t.Errorf("a refused replay replaced the live model's file (%v)", err)
	}
	if _, err := os.Stat(live + ".replay"); !os.IsNotExist(err) {
		t.Errorf("a refused replay left its build file: %v", err)
	}
	// The follower still projects into the file it holds.
	f.running(t)
	mustRunEnv(t, dir, embeddedEnv, "restock", "P1", "5")
	waitForAccepted(t, live, 2)
	f.stop(t)

	if r := runEnv(t, dir, embeddedEnv, "replay", "--quiet"); r.code != 0 {
		t.Fatalf("replay once the follower stopped: %v", r)
	}
	if r := runEnv(t, dir, embeddedEnv, "verify"); r.code != 0 {
		t.Errorf("verify after the replay: %v", r)
	}
}
