package main_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// holdWriteLock takes SQLite's write lock on the database at path, as a sqlite3 shell in
// BEGIN IMMEDIATE does, until the returned transaction ends (or the test does).
func holdWriteLock(t *testing.T, path string) *sql.Tx {
	t.Helper()
	shell, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shell.Close() })
	tx, err := shell.Begin() // BEGIN IMMEDIATE: the write lock, held
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// TestReadModelLockedByAnotherProgram: a sqlite3 shell holding a write transaction makes
// stockctl wait a bounded time, then exit 3 saying what to do; nothing is appended.
// Embedded broker only: the lock is on the SQLite read model, the same whichever
// broker serves the log.
func TestReadModelLockedByAnotherProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the 10 s busy timeout")
	}
	dir := t.TempDir()
	mustRunEnv(t, dir, embeddedEnv, "restock", "P1", "5")
	tx := holdWriteLock(t, filepath.Join(dir, "operations.db"))
	start := time.Now()
	r := runEnv(t, dir, embeddedEnv, "restock", "P1", "1")
	took := time.Since(start)
	tx.Rollback()
	if r.code != 3 || !strings.Contains(r.stderr, "locked by another program") || took > 30*time.Second {
		t.Fatalf("want exit 3 within 30 s naming the lock; got %v after %s", r, took)
	}
	// The command stopped while catching up, before deciding: nothing was appended.
	if r := mustRunEnv(t, dir, embeddedEnv, "stock", "--output", "csv", "P1"); !strings.Contains(r.stdout, "P1,5.00,") {
		t.Fatalf("stock after the refused command: %v", r)
	}
	// It waited out the read model's 10 s busy timeout first (SQLite's busy handler may
	// stop up to 100 ms short of it), as docs/reliability.md says.
	if took < 9*time.Second {
		t.Fatalf("exit 3 after %s: the 10 s busy timeout was not waited out", took.Round(time.Millisecond))
	}
}

// TestCorruptedReadModel: a read model that is not a database is reported with the
// advice to rebuild it, and `stockctl replay` does.
// Embedded broker only: the damage is to the SQLite read model, the same whichever
// broker serves the log.
func TestCorruptedReadModel(t *testing.T) {
	dir := t.TempDir()
	mustRunEnv(t, dir, embeddedEnv, "restock", "P1", "5")
	db := filepath.Join(dir, "operations.db")
	for _, p := range []string{db + "-wal", db + "-shm"} {
		os.Remove(p)
	}
	if err := os.WriteFile(db, []byte(strings.Repeat("not a database. ", 512)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runEnv(t, dir, embeddedEnv, "stock")
	if r.code != 3 || !strings.Contains(r.stderr, "stockctl replay") {
		t.Fatalf("want exit 3 advising stockctl replay; got %v", r)
	}
	mustRunEnv(t, dir, embeddedEnv, "replay", "--quiet")
	if r := mustRunEnv(t, dir, embeddedEnv, "stock", "--output", "csv", "P1"); !strings.Contains(r.stdout, "P1,5.00,") {
		t.Fatalf("stock after the rebuild: %v", r)
	}
}
