package main_test

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fillDisk writes a file in dir until its file system is full, and returns its path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return path
		}
	}
}

// TestFullLogDisk: the embedded broker's log on a small tmpfs that fills up. A sale that
// cannot be written says the disk of the log directory is full (not "unknown server
// error") and exits 3, having recorded nothing; an import says its rows may be partly
// recorded and that importing again is safe (exit 4). With space freed, the import run
// again records every row exactly once.
// Embedded broker only: the full disk is the embedded log's directory, on a tmpfs.
func TestFullLogDisk(t *testing.T) {
	skipOnRealKafka(t)
	t.Parallel()
	dir := t.TempDir()
	logDir := filepath.Join(dir, "log")
	if err := os.Mkdir(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", logDir, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a tmpfs for the log (needs root and CAP_SYS_ADMIN): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(logDir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", logDir, err)
		}
	})
	mustRunEnv(t, dir, embeddedEnv, "restock", "P1", "10")
	filler := fillDisk(t, logDir)

	// A small batch fits in a segment's last page already allocated: sell until one
	// needs a new page.
	sold := 0
	var failed result
	for ; sold < 100; sold++ {
		if failed = runEnv(t, dir, embeddedEnv, "sell", "P1", "0.01"); failed.code != 0 {
			break
		}
	}
	if failed.code != 3 || !strings.Contains(failed.stderr, "disk is full") || !strings.Contains(failed.stderr, logDir) ||
		!strings.Contains(failed.stderr, "nothing was recorded") {
		t.Fatalf("want exit 3 saying the disk of %s is full and nothing was recorded, got %v", logDir, failed)
	}
	want := fmt.Sprintf("%.2f", 10-0.01*float64(sold))
	if got := stockLevels(t, dir, "P1"); len(got) != 1 || got[0].Stock != want {
		t.Fatalf("after %d sales of 0.01 and one refused for the full disk, want stock %s, got %+v", sold, want, got)
	}

	file := filepath.Join(t.TempDir(), "ops.csv")
	mustRunEnv(t, dir, embeddedEnv, "generate", "--products", "3", "--days", "20", "--seed", "3", "--out", file)
	r := runEnv(t, dir, embeddedEnv, "import", "--quiet", file)
	if r.code != 4 || !strings.Contains(r.stderr, "may be partly recorded") || !strings.Contains(r.stderr, "same import again is safe") ||
		!strings.Contains(r.stderr, "disk is full") {
		t.Fatalf("import on a full log disk: want exit 4 saying rows may be partly recorded and importing again is safe, got %v", r)
	}
	t.Logf("sell %d: %s\nimport: %s", sold, failed.stderr, r.stderr)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	mustRunEnv(t, dir, embeddedEnv, "import", "--quiet", file)

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "operations.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var imported, distinct int
	db.QueryRow(`SELECT count(*), count(DISTINCT command_id) FROM ledger WHERE command_id LIKE 'import:%'`).Scan(&imported, &distinct)
	if rows := strings.Count(string(raw), "\n") - 1; imported != rows || distinct != rows {
		t.Errorf("the file's %d rows should each be in the ledger once, got %d (%d distinct)", rows, imported, distinct)
	}
	mustRunEnv(t, dir, embeddedEnv, "verify", "--quiet")
}
