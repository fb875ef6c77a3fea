package main_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// holdLogLock takes the embedded log's locks of dataDir in the test process, as another
// stockctl process using the log without serving it would, until the test ends or the
// returned function is called.
func holdLogLock(t *testing.T, dataDir string) (release func()) {
	t.Helper()
	var held []*os.File
	release = func() {
		for _, f := range held {
			f.Close() // closing the descriptor drops its flock
		}
		held = nil
	}
	t.Cleanup(release)
	for _, p := range []struct {
		path string
		flag int
	}{{filepath.Join(dataDir, "log"), os.O_RDONLY}, {filepath.Join(dataDir, "log.lock"), os.O_RDWR | os.O_CREATE}} {
		f, err := os.OpenFile(p.path, p.flag, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, f)
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			t.Fatalf("lock %s: %v", p.path, err)
		}
	}
	return release
}

// TestStaleBrokerAddrNeverReachesAnotherLedger: D1's broker is SIGKILLed, leaving
// D1/broker.addr; D2's broker takes the same port. A D1 sale made while D1's log is locked
// by another process finds the address answering, but it is D2's log: the sale must not
// be appended there, and D1 keeps working once its lock is free.
// Embedded broker only: broker.addr and the log's lock are `stockctl broker`'s.
func TestStaleBrokerAddrNeverReachesAnotherLedger(t *testing.T) {
	skipOnRealKafka(t)
	t.Parallel()
	d1, d2 := t.TempDir(), t.TempDir()
	mustRunEnv(t, d1, embeddedEnv, "restock", "P1", "10")
	mustRunEnv(t, d2, embeddedEnv, "restock", "P1", "400")
	addr := freeAddr(t)
	b1 := restartBroker(t, d1, addr)
	b1.stop(t, syscall.SIGKILL)
	if _, err := os.Stat(filepath.Join(d1, "broker.addr")); err != nil {
		t.Fatalf("the killed broker should leave broker.addr behind: %v", err)
	}
	restartBroker(t, d2, addr)

	release := holdLogLock(t, d1)
	r := runEnv(t, d1, embeddedEnv, "sell", "P1", "2")
	if r.code != 3 || !strings.Contains(r.stderr, "broker.addr is stale or foreign") ||
		!strings.Contains(r.stderr, "serves another log") || strings.Contains(r.stderr, "ahead of the log") {
		t.Errorf("D1 sell with D1 locked and D2's broker at D1's old address: want exit 3 saying broker.addr is stale or foreign, got %v", r)
	}
	t.Logf("the D1 sale was refused after %s", r.elapsed.Round(time.Millisecond))
	if h := history(t, d2, "P1"); len(h) != 1 || h[0].Stock != "400.00" {
		t.Errorf("D2's ledger changed: %+v", h)
	}
	release()
	if h := history(t, d1, "P1"); len(h) != 1 || h[0].Stock != "10.00" {
		t.Errorf("D1's ledger after its lock was released: want the one restock of 10, got %+v", h)
	}
	mustRunEnv(t, d1, embeddedEnv, "sell", "P1", "2")
	if got := stockLevels(t, d1, "P1"); len(got) != 1 || got[0].Stock != "8.00" {
		t.Errorf("D1 stock after a sale: %+v", got)
	}
}

// TestModelOfAnotherLogIsRefused: a read model built from one data directory's log is
// refused against another's (exit 3, pointing to replay), and replay rebinds it. A model
// and a log from before logs had IDs are given one and adopt it.
// Embedded broker only: the IDs are those of data directories' embedded logs.
func TestModelOfAnotherLogIsRefused(t *testing.T) {
	skipOnRealKafka(t)
	t.Parallel()
	d1, d2 := t.TempDir(), t.TempDir()
	mustRunEnv(t, d1, embeddedEnv, "restock", "P1", "10")
	mustRunEnv(t, d2, embeddedEnv, "restock", "P2", "3")
	model := filepath.Join(d1, "operations.db")
	r := runEnv(t, d2, embeddedEnv, "--db", model, "stock")
	if r.code != 3 || !strings.Contains(r.stderr, "cluster ID") || !strings.Contains(r.stderr, "stockctl replay") {
		t.Fatalf("D1's model on D2's log: want exit 3 advising replay, got %v", r)
	}
	// Replaying it would drop D1's history, perhaps its only copy: refused unless asked.
	if r := runEnv(t, d2, embeddedEnv, "--db", model, "replay", "--quiet"); r.code != 1 ||
		!strings.Contains(r.stderr, "built from another log") || !strings.Contains(r.stderr, `"P1": 1 accepted event(s) lost`) {
		t.Fatalf("replay of D1's model from D2's log: want exit 1 naming P1's loss, got %v", r)
	}
	mustRunEnv(t, d2, embeddedEnv, "--db", model, "replay", "--quiet", "--allow-loss")
	if r := mustRunEnv(t, d2, embeddedEnv, "--db", model, "stock", "--output", "csv"); !strings.Contains(r.stdout, "P2,3.00,") || strings.Contains(r.stdout, "P1") {
		t.Fatalf("the model replayed from D2's log: %v", r)
	}

	t.Run("a log and a model from before IDs", func(t *testing.T) {
		legacy := t.TempDir()
		mustRunEnv(t, legacy, embeddedEnv, "restock", "P1", "7")
		os.Remove(filepath.Join(legacy, "log", "stockctl.id"))
		meta := filepath.Join(legacy, "log", "meta.json")
		setJSONField(t, meta, "cluster_id", "stockctl-embedded")
		db, err := sql.Open("sqlite", "file:"+filepath.Join(legacy, "operations.db"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`DELETE FROM meta WHERE key = 'cluster_id'`); err != nil {
			t.Fatal(err)
		}
		db.Close()

		if got := stockLevels(t, legacy, "P1"); len(got) != 1 || got[0].Stock != "7.00" {
			t.Fatalf("legacy data directory: %+v", got)
		}
		id, err := os.ReadFile(filepath.Join(legacy, "log", "stockctl.id"))
		if err != nil || !strings.HasPrefix(string(id), "stockctl-") || strings.TrimSpace(string(id)) == "stockctl-embedded" {
			t.Fatalf("the legacy log should get an ID of its own: %q, %v", id, err)
		}
		var m map[string]any
		b, _ := os.ReadFile(meta)
		if json.Unmarshal(b, &m); m["cluster_id"] != strings.TrimSpace(string(id)) {
			t.Errorf("kfake's meta.json should carry the log's ID %q: %s", id, b)
		}
		mustRunEnv(t, legacy, embeddedEnv, "sell", "P1", "1")
	})
}

func setJSONField(t *testing.T, path, key, value string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m[key] = value
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDeletedLockFileStillGuardsTheLog: deleting log.lock under a running broker does
// not let a second embedded broker open the same log.
// Embedded broker only: log.lock guards the embedded log.
func TestDeletedLockFileStillGuardsTheLog(t *testing.T) {
	skipOnRealKafka(t)
	t.Parallel()
	dir := t.TempDir()
	b := startBroker(t, dir)
	mustRunEnv(t, dir, embeddedEnv, "restock", "P1", "5")
	if err := os.Remove(filepath.Join(dir, "log.lock")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	second := exec.CommandContext(ctx, binary, "--data-dir", dir, "broker", "--listen", freeAddr(t))
	second.Env = append(cleanEnv(), embeddedEnv...)
	out, err := second.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("a second broker opened the log after log.lock was deleted (still running after 15 s):\n%s", out)
	}
	if code := second.ProcessState.ExitCode(); code != 3 || !strings.Contains(string(out), "data directory locked") {
		t.Fatalf("second broker: want exit 3, data directory locked; got exit %d, %v:\n%s", code, err, out)
	}
	if got := stockLevels(t, dir, "P1"); len(got) != 1 || got[0].Stock != "5.00" {
		t.Errorf("through the first broker: %+v", got)
	}
	if code := b.stop(t, os.Interrupt); code != 0 {
		t.Errorf("first broker: exit %d\n%s", code, b.log(t))
	}
}

// TestEmptySeqWindowsIsRepaired: an empty log/seq_windows.json (kfake's file of
// producer sequences) no longer stops every command.
// Embedded broker only: seq_windows.json is the embedded broker's file.
func TestEmptySeqWindowsIsRepaired(t *testing.T) {
	skipOnRealKafka(t)
	t.Parallel()
	dir := t.TempDir()
	mustRunEnv(t, dir, embeddedEnv, "restock", "P1", "5")
	if err := os.Truncate(filepath.Join(dir, "log", "seq_windows.json"), 0); err != nil {
		t.Fatal(err)
	}
	if r := runEnv(t, dir, embeddedEnv, "stock", "--output", "csv", "P1"); r.code != 0 || !strings.Contains(r.stdout, "P1,5.00,") {
		t.Fatalf("stock with an empty seq_windows.json: want exit 0 and P1 at 5.00, got %v", r)
	}
	mustRunEnv(t, dir, embeddedEnv, "sell", "P1", "2")
	if got := stockLevels(t, dir, "P1"); len(got) != 1 || got[0].Stock != "3.00" {
		t.Errorf("after a sale: %+v", got)
	}
}
