package main_test

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// replayLogSize is the length of the log two replays rebuild at once: long enough that
// the second starts while the first is still building.
const replayLogSize = 100_000

// replayProcess is a running `stockctl replay`.
type replayProcess struct {
	cmd    *exec.Cmd
	out    strings.Builder
	done   chan struct{}
	exitOf int
}

func startReplay(t *testing.T, dir string) *replayProcess {
	t.Helper()
	p := &replayProcess{done: make(chan struct{})}
	p.cmd = exec.Command(binary, "--data-dir", dir, "replay", "--quiet")
	p.cmd.Env = cleanEnv()
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		p.exitOf = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() { p.kill() })
	return p
}

// wait returns the exit code (-1 when killed) and the output.
func (p *replayProcess) wait(t *testing.T) (int, string) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(3 * time.Minute):
		t.Fatalf("replay did not finish within 3 minutes:\n%s", p.out.String())
	}
	return p.exitOf, p.out.String()
}

func (p *replayProcess) kill() {
	select {
	case <-p.done:
	default:
		p.cmd.Process.Kill()
		<-p.done
	}
}

// waitForBuild waits until a replay has started writing DB.replay.
func waitForBuild(t *testing.T, live string, p *replayProcess) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if fi, err := os.Stat(live + ".replay"); err == nil && fi.Size() > 1<<20 {
			return
		}
		select {
		case <-p.done:
			t.Fatalf("the replay ended before it was seen building: exit %d\n%s", p.exitOf, p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no replay file appeared within a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkComplete fails unless the live model holds the whole log of writeLog(n): every
// event accepted, offsets at the log's end, the totals and their trigger, and verify
// passing.
func checkComplete(t *testing.T, dir string, n int) {
	t.Helper()
	live := filepath.Join(dir, "operations.db")
	db, err := sql.Open("sqlite", "file:"+live+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ledger, totalOps, triggers int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM ledger),
		(SELECT coalesce(sum(sales + restocks), 0) FROM product_totals),
		(SELECT count(*) FROM sqlite_master WHERE type = 'trigger')`).Scan(&ledger, &totalOps, &triggers); err != nil {
		t.Fatalf("reading the live model: %v", err)
	}
	if ledger != n || totalOps != n || triggers == 0 {
		t.Errorf("live model: %d ledger rows, %d operations in product_totals, %d triggers; want %d, %d and the trigger",
			ledger, totalOps, triggers, n, n)
	}
	s := status(t, dir)
	for p, o := range s.Offsets {
		if o.Committed != o.End {
			t.Errorf("partition %d: read model at %d, log ends at %d", p, o.Committed, o.End)
		}
	}
	if r := run(t, dir, "verify", "--quiet"); r.code != 0 {
		t.Errorf("verify: %v", r)
	}
}

// TestConcurrentReplays runs two `stockctl replay` at once, through `stockctl broker`,
// on a 100,000-event log: the second, started while the first builds, must never have
// its unfinished file published, nor the first's; killing either leaves a complete model.
// Embedded broker only: the race is between two replays on one read model, not with
// the broker; one 100,000-event run on `stockctl broker` keeps make test short.
func TestConcurrentReplays(t *testing.T) {
	if testing.Short() {
		t.Skip("long: builds a 100,000-event log")
	}
	skipOnRealKafka(t)
	dir := t.TempDir()
	writeLog(t, dir, replayLogSize, false)
	startBroker(t, dir)
	mustRun(t, dir, "project", "--quiet")
	live := filepath.Join(dir, "operations.db")

	t.Run("the second is started while the first builds, then killed", func(t *testing.T) {
		first := startReplay(t, dir)
		waitForBuild(t, live, first)
		second := startReplay(t, dir)
		code, out := first.wait(t)
		second.kill()
		if code != 0 {
			t.Errorf("first replay: exit %d\n%s", code, out)
		}
		checkComplete(t, dir, replayLogSize)
		t.Logf("first replay exit %d; the second was killed after it", code)
	})
	t.Run("both run to the end", func(t *testing.T) {
		first := startReplay(t, dir)
		waitForBuild(t, live, first)
		second := startReplay(t, dir)
		c1, out1 := first.wait(t)
		c2, out2 := second.wait(t)
		if c1 != 0 {
			t.Errorf("first replay: exit %d\n%s", c1, out1)
		}
		// The loser says what happened, and it is true: the model is complete.
		if c2 != 0 && (c2 != 3 || !strings.Contains(out2, "another stockctl replay") || !strings.Contains(out2, "left as it was")) {
			t.Errorf("second replay: want exit 0, or 3 naming the other replay; got exit %d\n%s", c2, out2)
		}
		checkComplete(t, dir, replayLogSize)
		t.Logf("first replay exit %d, second exit %d: %s", c1, c2, strings.TrimSpace(out2))
	})
	t.Run("the first is killed while it builds", func(t *testing.T) {
		before := tableCounts(t, live)
		first := startReplay(t, dir)
		waitForBuild(t, live, first)
		second := startReplay(t, dir)
		first.kill()
		c2, out2 := second.wait(t)
		if c2 != 0 && c2 != 3 {
			t.Errorf("second replay: exit %d\n%s", c2, out2)
		}
		t.Logf("first replay killed; second exit %d", c2)
		if after := tableCounts(t, live); after != before {
			t.Errorf("the live model changed: %s before, %s after", before, after)
		}
		checkComplete(t, dir, replayLogSize)
		// The killed replay's unfinished file is removed by the next replay.
		mustRun(t, dir, "replay", "--quiet")
		if _, err := os.Stat(live + ".replay"); !os.IsNotExist(err) {
			t.Errorf("the unfinished replay file is still there: %v", err)
		}
		checkComplete(t, dir, replayLogSize)
	})
}

// TestVerifyWhileOthersWrite runs `stockctl verify` five times while two writer loops
// record sales and restocks through `stockctl broker`: the model moves under verify, which
// must compare it with the log at the same offsets and pass every time. Then one changed
// row of the live model is still found (exit 1).
// Embedded broker only: what moves under verify is the read model, the same whichever
// broker serves the log; one run on `stockctl broker` keeps make test short.
func TestVerifyWhileOthersWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("long: writer processes for several verifies")
	}
	skipOnRealKafka(t)
	dir := t.TempDir()
	writeLog(t, dir, 20_000, false)
	startBroker(t, dir)
	mustRun(t, dir, "project", "--quiet")
	mustRun(t, dir, "restock", "W", "100000", "--idempotency-key", "open-W")

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes atomic.Int64
	for w := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				verb := []string{"sell", "restock"}[(w+i)%2]
				r, err := invoke(dir, nil, verb, "W", "1", "--idempotency-key", fmt.Sprintf("w%d-%d", w, i))
				if err != nil || r.code != 0 {
					t.Errorf("%s: %v %v", verb, err, r)
					return
				}
				writes.Add(1)
			}
		})
	}
	passed := 0
	for range 5 {
		before := writes.Load()
		r := run(t, dir, "verify")
		if r.code != 0 {
			t.Errorf("verify while %d writes went on: %v", writes.Load()-before, r)
			continue
		}
		passed++
	}
	close(stop)
	wg.Wait()
	t.Logf("verify passed %d of 5 times while %d operations were recorded", passed, writes.Load())
	if writes.Load() < 10 {
		t.Errorf("only %d writes ran beside the verifies", writes.Load())
	}

	live := filepath.Join(dir, "operations.db")
	db, err := sql.Open("sqlite", "file:"+live)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE ledger SET note = 'tampered' WHERE id = 5`); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "verify")
	if r.code != 1 || !strings.Contains(r.stderr, "ledger: only in") || !strings.Contains(r.stderr, "tampered") {
		t.Errorf("verify after a row was changed: want exit 1 naming the ledger row, got %v", r)
	}
}
