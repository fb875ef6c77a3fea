package main_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// retryKey finds the automatic idempotency key an "outcome unknown" message offers.
var retryKey = regexp.MustCompile(`--idempotency-key ([0-9a-f-]{36})\b`)

// immutable sets or clears the immutable attribute of path; it needs root and a file
// system with attributes (ext4, xfs, btrfs).
func immutable(path string, on bool) error {
	flag := "-i"
	if on {
		flag = "+i"
	}
	if out, err := exec.Command("chattr", flag, path).CombinedOutput(); err != nil {
		return fmt.Errorf("chattr %s: %v: %s", flag, err, bytes.TrimSpace(out))
	}
	return nil
}

// requireImmutable skips the test unless chattr +i works in dir (fails it in CI).
func requireImmutable(t *testing.T, dir string) {
	t.Helper()
	probe := filepath.Join(dir, "chattr-probe")
	if err := os.WriteFile(probe, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(probe)
	if err := immutable(probe, true); err != nil {
		t.Skipf("chattr +i does not work here (needs CAP_LINUX_IMMUTABLE and ext4, xfs or btrfs): %v", err)
	}
	immutable(probe, false)
}

// TestAcknowledgedSaleWithUnwritableModelExitsFour: with the read model immutable (as a
// full disk or an I/O error would leave it), a sale is appended and acknowledged but
// cannot be projected. It must not exit 3 as if nothing happened: exit 4, saying where
// the log acknowledged it and which key to retry with; the retry with that key records
// nothing new, so the stock moves exactly once.
func TestAcknowledgedSaleWithUnwritableModelExitsFour(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	requireImmutable(t, dir)
	mustRun(t, dir, "restock", "P1", "10")
	db := filepath.Join(dir, "operations.db")
	if err := immutable(db, true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { immutable(db, false) })

	// The model is up to date, so the sale's catch-up writes nothing: it appends, and
	// fails only when projecting its own event.
	r := run(t, dir, "sell", "P1", "3")
	m := retryKey.FindStringSubmatch(r.stderr)
	if r.code != 4 || m == nil || !strings.Contains(r.stderr, "outcome unknown") ||
		!strings.Contains(r.stderr, "log acknowledged") || !strings.Contains(r.stderr, "stockctl history P1") {
		t.Fatalf("want exit 4 saying the log acknowledged the sale, with stockctl history P1 and a key to retry with; got %v", r)
	}
	if err := immutable(db, false); err != nil {
		t.Fatal(err)
	}
	retry := mustRun(t, dir, "sell", "P1", "3", "--idempotency-key", m[1])
	if !strings.Contains(retry.stdout, "already recorded") {
		t.Errorf("the retry with key %s should find the sale already recorded, got %v", m[1], retry)
	}
	if got := stockLevels(t, dir, "P1"); len(got) != 1 || got[0].Stock != "7.00" || got[0].Operations != 2 {
		t.Errorf("the stock should have moved exactly once (10 → 7 in 2 operations), got %+v", got)
	}
}
