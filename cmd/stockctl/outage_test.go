package main_test

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// followProcess is a running `stockctl project --follow`.
type followProcess struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer
	exited chan struct{}
	err    error
}

func startFollow(t *testing.T, dir string, args ...string) *followProcess {
	t.Helper()
	p := &followProcess{exited: make(chan struct{})}
	p.cmd = exec.Command(binary, append([]string{"--data-dir", dir}, append(args, "project", "--follow", "--quiet")...)...)
	p.cmd.Env = append(cleanEnv(), embeddedEnv...)
	p.cmd.Stdout = writerFunc(p.write)
	p.cmd.Stderr = writerFunc(p.write)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

func (p *followProcess) write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *followProcess) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// running fails the test if the process has exited.
func (p *followProcess) running(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
		t.Fatalf("project --follow exited: %v\n%s", p.err, p.output())
	default:
	}
}

// stop interrupts the process and fails the test unless it exits 0.
func (p *followProcess) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
		if p.err != nil {
			t.Fatalf("project --follow did not stop cleanly: %v\n%s", p.err, p.output())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("project --follow did not stop within 20s\n%s", p.output())
	}
}

// TestFollowAndServeReconnectToABrokerOnANewPort: `stockctl broker --listen 127.0.0.1:0`
// is SIGKILLed and restarted on another port; `project --follow` and `serve`, which
// reached it through broker.addr, find it again: a sale through the new broker is
// projected, and the API records a sale.
// Embedded broker only: the broker killed and moved is `stockctl broker`, found
// through broker.addr.
func TestFollowAndServeReconnectToABrokerOnANewPort(t *testing.T) {
	skipOnRealKafka(t)
	t.Parallel()
	dir := t.TempDir()
	b := startBroker(t, dir)
	mustRunEnv(t, dir, embeddedEnv, "restock", "P1", "10")
	followDB := filepath.Join(t.TempDir(), "follow.db")
	f := startFollow(t, dir, "--db", followDB)
	s := startServe(t, dir, embeddedEnv)
	waitForAccepted(t, followDB, 1)

	b.cmd.Process.Kill()
	<-b.exited
	b = restartBroker(t, dir, freeAddr(t))
	mustRunEnv(t, dir, embeddedEnv, "--db", filepath.Join(t.TempDir(), "writer.db"), "sell", "P1", "4")
	waitForAccepted(t, followDB, 2)

	start := time.Now()
	var r response
	for {
		r = s.post(`{"product":"P1","type":"sale","quantity":"1"}`)
		if r.status == 201 || time.Since(start) > 40*time.Second {
			break
		}
		time.Sleep(200 * time.Millisecond) // a 503 while serve finds the broker again
	}
	if r.status != 201 || decodeOperation(t, r).Stock != "5.00" {
		t.Fatalf("POST /api/operations after the broker moved: want 201 with stock 5.00 within 40 s, got %d after %s: %s\n%s",
			r.status, time.Since(start).Round(time.Millisecond), r.body, s.output())
	}
	t.Logf("serve answered 201 %s after the follower caught up", time.Since(start).Round(time.Millisecond))
	waitForAccepted(t, followDB, 3)
	f.running(t)
	f.stop(t)
	t.Logf("project --follow said:\n%s", f.output())
	if out := f.output(); strings.Count(out, "Kafka unavailable") != 1 || strings.Count(out, "Kafka is back") != 1 {
		t.Errorf("project --follow should say once that Kafka was unavailable and once that it is back:\n%s", out)
	}
	if code := s.stop(os.Interrupt); code != 0 {
		t.Errorf("serve: exit %d\n%s", code, s.output())
	}
	if r := runEnv(t, dir, embeddedEnv, "verify"); r.code != 0 {
		t.Errorf("verify after the broker moved: %v", r)
	}
}

// TestFollowAndServeWaitOutABusyReadModel: another program holds the read models' write
// lock (BEGIN IMMEDIATE) for 15 s, longer than SQLite's busy timeout, while events are
// appended; `project --follow` and `serve` wait instead of exiting, and project the events
// once the lock is released.
// Embedded broker only: the lock is the read models', the same whichever broker serves
// the log, and the 15 s hold is run once.
func TestFollowAndServeWaitOutABusyReadModel(t *testing.T) {
	if testing.Short() {
		t.Skip("holds the read model's lock for 15 s")
	}
	skipOnRealKafka(t)
	t.Parallel()
	dir := t.TempDir()
	startBroker(t, dir)
	mustRunEnv(t, dir, embeddedEnv, "restock", "P1", "10")
	followDB := filepath.Join(t.TempDir(), "follow.db")
	f := startFollow(t, dir, "--db", followDB)
	s := startServe(t, dir, embeddedEnv)
	waitForAccepted(t, followDB, 1)
	waitForAccepted(t, filepath.Join(dir, "operations.db"), 1)

	var txs []*sql.Tx
	for _, path := range []string{followDB, filepath.Join(dir, "operations.db")} {
		txs = append(txs, holdWriteLock(t, path))
	}
	held := time.Now()
	writer := filepath.Join(t.TempDir(), "writer.db")
	for _, q := range []string{"1", "2", "3"} {
		mustRunEnv(t, dir, embeddedEnv, "--db", writer, "sell", "P1", q)
	}
	time.Sleep(15*time.Second - time.Since(held)) // the fault itself: a lock held 15 s
	f.running(t)
	select {
	case <-s.exited:
		t.Fatalf("serve exited while the read model was locked: %v\n%s", s.waitErr, s.output())
	default:
	}
	for _, tx := range txs {
		tx.Rollback()
	}
	released := time.Now()
	waitForAccepted(t, followDB, 4)
	waitForAccepted(t, filepath.Join(dir, "operations.db"), 4)
	t.Logf("both models held the 3 sales %s after the lock was released", time.Since(released).Round(time.Millisecond))
	f.stop(t)
	t.Logf("project --follow said:\n%s", f.output())
	if out := f.output(); strings.Count(out, "waiting until it is free") != 1 || strings.Count(out, "free again") != 1 {
		t.Errorf("project --follow should say once that it waits for the lock and once that it resumed:\n%s", out)
	}
	if out := s.output(); strings.Count(out, "waiting until it is free") != 1 || strings.Count(out, "free again") != 1 {
		t.Errorf("serve should say once that it waits for the lock and once that it resumed:\n%s", out)
	}
	if code := s.stop(os.Interrupt); code != 0 {
		t.Errorf("serve: exit %d\n%s", code, s.output())
	}
	if r := runEnv(t, dir, embeddedEnv, "verify"); r.code != 0 {
		t.Errorf("verify after the lock was released: %v", r)
	}
	if r := runEnv(t, dir, embeddedEnv, "--db", followDB, "verify"); r.code != 0 {
		t.Errorf("verify of the follower's model: %v", r)
	}
}

// waitForAccepted waits until the read model at path holds n accepted operations; unlike
// waitForLedger it tolerates a model still being created or locked meanwhile.
func waitForAccepted(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	have := -1
	for time.Now().Before(deadline) {
		if db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(1000)"); err == nil {
			if db.QueryRow(`SELECT count(*) FROM ledger`).Scan(&have) != nil {
				have = -1
			}
			db.Close()
		}
		if have == n {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not reach %d accepted operations within 60s (has %d)", path, n, have)
}

// TestFollowNeverReadsAnotherLogOnItsOldPort: the broker `project --follow` reads through
// is SIGKILLed and another data directory's broker starts on its port. The follower's
// Kafka client reconnects to that port by itself; it must not project the other log,
// and must resume on its own log once that is served again.
// Embedded broker only: the brokers killed and started on one port are `stockctl
// broker`s of two data directories.
func TestFollowNeverReadsAnotherLogOnItsOldPort(t *testing.T) {
	skipOnRealKafka(t)
	t.Parallel()
	d1, d2 := t.TempDir(), t.TempDir()
	b1 := startBroker(t, d1)
	mustRunEnv(t, d1, embeddedEnv, "restock", "P1", "10")
	mustRunEnv(t, d2, embeddedEnv, "restock", "P2", "5")
	mustRunEnv(t, d2, embeddedEnv, "restock", "P3", "6")
	followDB := filepath.Join(t.TempDir(), "follow.db")
	f := startFollow(t, d1, "--db", followDB)
	waitForAccepted(t, followDB, 1)

	b1.cmd.Process.Kill()
	<-b1.exited
	b2 := restartBroker(t, d2, b1.addr)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(f.output(), "Kafka unavailable") {
		if got := tableCounts(t, followDB); !strings.HasPrefix(got, "ledger=1 ") {
			t.Fatalf("the follower of D1 projected D2's log, now on D1's old port: %s\n%s", got, f.output())
		}
		if time.Now().After(deadline) {
			t.Fatalf("project --follow did not notice within 30s that its broker was gone (%s):\n%s", tableCounts(t, followDB), f.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Absence cannot be awaited: give the follower a few retries at the old port.
	time.Sleep(3 * time.Second)
	f.running(t)
	if got := tableCounts(t, followDB); !strings.HasPrefix(got, "ledger=1 ") {
		t.Fatalf("the follower of D1 projected D2's log, now on D1's old port: %s\n%s", got, f.output())
	}
	b2.stop(t, os.Interrupt)
	restartBroker(t, d1, freeAddr(t))
	mustRunEnv(t, d1, embeddedEnv, "--db", filepath.Join(t.TempDir(), "writer.db"), "restock", "P1", "1")
	waitForAccepted(t, followDB, 2)
	f.stop(t)
	if r := runEnv(t, d1, embeddedEnv, "--db", followDB, "verify"); r.code != 0 {
		t.Errorf("verify of the follower's model against D1's log: %v", r)
	}
}
