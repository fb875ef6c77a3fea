package main_test

import (
	"database/sql"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/readmodel"
)

// killWindow is where the next kill moment is drawn from: [lo, hi). A kill that found
// nothing recorded moves lo up to its moment, one that found everything (or came after
// the exit) moves hi down to it; either move drags the other bound along so that the
// window stays at least a quarter of its bound wide. The window therefore walks towards
// the moment the outcome changes and keeps straddling it: one early kill that was lucky
// (a process that ran fast) cannot pin hi below that moment for the rest of the test,
// which left CI's sells on Kafka with 73 kills before the append and 4 after it.
type killWindow struct{ lo, hi time.Duration }

func (k *killWindow) next(rng *rand.Rand) time.Duration {
	if k.hi <= k.lo {
		k.hi = k.lo + max(k.lo/4, time.Millisecond)
	}
	return k.lo + time.Duration(rng.Int64N(int64(k.hi-k.lo)))
}

// none: a kill at d found nothing recorded; all: it found everything, or came too late.
func (k *killWindow) none(d time.Duration) { k.lo, k.hi = d, max(k.hi, d+d/4) }
func (k *killWindow) all(d time.Duration)  { k.lo, k.hi = min(k.lo, d-d/4), d }

// replayKilledAfter starts `stockctl replay`, waits for its build file to appear, and
// sends SIGKILL d after that. It returns how long the replay ran after creating the
// file and whether it was still running when killed.
func replayKilledAfter(t *testing.T, dir string, d time.Duration) (time.Duration, bool) {
	t.Helper()
	build := readmodel.BuildPath(filepath.Join(dir, "operations.db"))
	cmd := exec.Command(binary, "--data-dir", dir, "replay", "--quiet")
	cmd.Env = append(cleanEnv(), realKafkaEnv(dir)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(invocationTimeout)
	for {
		if _, err := os.Stat(build); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("stockctl replay ended (%v) before its build file %s appeared", err, build)
		case <-deadline:
			cmd.Process.Kill()
			<-done
			t.Fatalf("stockctl replay did not create %s within %s", build, invocationTimeout)
		case <-time.After(2 * time.Millisecond):
		}
	}
	created := time.Now()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("stockctl replay failed before it was killed: %v", err)
		}
		return time.Since(created), false
	case <-time.After(d):
	}
	cmd.Process.Kill()
	<-done
	return time.Since(created), true
}

// vacuumInto copies the model at path into a new file at to.
func vacuumInto(t *testing.T, path, to string) {
	t.Helper()
	db := openReadOnly(t, path)
	defer db.Close()
	if _, err := db.Exec(`VACUUM INTO ?`, to); err != nil {
		t.Fatal(err)
	}
}

// offsetsOf is the read model's offsets, "partition:next,...", empty without a model
// or before its first batch.
func offsetsOf(t *testing.T, path string) string {
	t.Helper()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return ""
	}
	db := openReadOnly(t, path)
	defer db.Close()
	var s string
	err := db.QueryRow(`SELECT coalesce(group_concat(partition || ':' || next_offset, ','), '') FROM (SELECT * FROM offsets ORDER BY partition)`).Scan(&s)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return "" // killed while creating the model
	} else if err != nil {
		t.Fatal(err)
	}
	return s
}

// modelDigest summarises every row of every table of the model at path: per table, its
// row count and an order-independent sum of the rows' hashes.
func modelDigest(t *testing.T, path string) string {
	t.Helper()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return "no model"
	}
	db := openReadOnly(t, path)
	defer db.Close()
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals, ptrs := make([]any, len(cols)), make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var n int
		var sum uint64
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			h := fnv.New64a()
			for _, v := range vals {
				fmt.Fprintf(h, "%T:%v\x00", v, v)
			}
			n, sum = n+1, sum+h.Sum64()
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		fmt.Fprintf(&b, "%s=%d/%x ", table, n, sum)
	}
	return b.String()
}

// openReadOnly opens the read model at path for a test to read, never to write; the
// caller closes it.
func openReadOnly(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// commandCounts returns how often each command ID is in the ledger.
func commandCounts(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	rows, err := db.Query(`SELECT command_id, count(*) FROM ledger GROUP BY command_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		seen[id] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return seen
}
