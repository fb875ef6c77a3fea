package main_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// parkedSell is a `stockctl sell` whose standard error is a full pipe: it stops at its
// first message, the warning that its catch-up skipped a record, which it prints after
// the catch-up has read the log and before it appends.
type parkedSell struct {
	cmd    *exec.Cmd
	stderr *os.File // read end
	out    bytes.Buffer
	copied chan struct{}
	exited chan error
	start  time.Time
}

func startParkedSell(t *testing.T, dir string, args ...string) *parkedSell {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// Fill the pipe: writes time out once it is full.
	w.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
	for {
		if _, err := w.Write(make([]byte, 4096)); err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal(err)
			}
			break
		}
	}
	s := &parkedSell{stderr: r, copied: make(chan struct{}), exited: make(chan error, 1)}
	s.cmd = exec.Command(binary, append([]string{"--data-dir", dir}, args...)...)
	s.cmd.Env = cleanEnv()
	s.cmd.Stderr = w // os/exec makes the pipe blocking: the child sleeps in pipe_write
	var stdout bytes.Buffer
	s.cmd.Stdout = &stdout
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() { s.cmd.Process.Kill(); r.Close() })
	await(t, 30*time.Second, "the sell reaches its first message, after catching up", func() bool {
		return blockedIn(s.cmd.Process.Pid, "pipe_write", "pipe_wait_writable")
	})
	return s
}

// release lets the sell write its messages, dropping the filler.
func (s *parkedSell) release() {
	s.start = time.Now()
	go func() {
		b, _ := io.ReadAll(s.stderr)
		s.out.Write(bytes.TrimLeft(b, "\x00"))
		close(s.copied)
	}()
}

// wait returns the exit code and standard error, or fails the test after d.
func (s *parkedSell) wait(t *testing.T, d time.Duration) (int, string, time.Duration) {
	t.Helper()
	select {
	case err := <-s.exited:
		took := time.Since(s.start)
		<-s.copied
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		return s.cmd.ProcessState.ExitCode(), s.out.String(), took
	case <-time.After(d):
		s.cmd.Process.Kill()
		t.Fatalf("the sell had not exited %s after it was let go", d)
	}
	return 0, "", 0
}

// TestStoppedBrokerBoundsWrites: `stockctl broker` stopped (SIGSTOP) while four sells
// append. Two are stopped in the check of the cluster ID that precedes the append,
// before any event was handed to the publisher: left alone, one gives up within the 10 s
// timeout and exits 3, sent SIGINT the other exits 130 at once, both saying nothing was
// recorded. Two are stopped in Publish, their check answered and their produce request
// unread in the broker's socket: the outcome is unknown, so the one left alone exits 4
// and the one sent SIGINT 130, both with a key. Once the broker resumes, retrying both
// keys moves the stock exactly once each. A sell still connecting to the stopped broker
// also exits 130 on SIGINT.
// Embedded broker only: it SIGSTOPs `stockctl broker`; stopping Apache Kafka would
// fail the tests running beside it (TestRealKafkaDownAndRestarted runs alone).
func TestStoppedBrokerBoundsWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the 10 s timeout")
	}
	t.Parallel()
	dir := t.TempDir()
	b := startBroker(t, dir)
	mustRun(t, dir, "restock", "P1", "10")
	// A record that is not an event: each sell's catch-up skips it and says so.
	testkafka.ProduceTo(t, []string{b.addr}, eventlog.DefaultTopic, 0, []byte("x"), []byte("not an event"))
	_, p, _ := net.SplitHostPort(b.addr)
	port, _ := strconv.Atoi(p)

	// Each but the first with a model of its own, so that it has the record to skip too.
	sell := func(db string) *parkedSell {
		if db == "" {
			return startParkedSell(t, dir, "sell", "P1", "1")
		}
		return startParkedSell(t, dir, "--db", filepath.Join(t.TempDir(), db), "sell", "P1", "1")
	}
	checkLeft, checkInterrupted, publishLeft, publishInterrupted := sell(""), sell("b.db"), sell("c.db"), sell("d.db")
	// awaitQueued waits until each sell has a request unread at the broker on a connection
	// not in its except set, and returns those connections.
	awaitQueued := func(what string, except map[*parkedSell]map[int64]bool, sells ...*parkedSell) map[*parkedSell]map[int64]bool {
		queued := map[*parkedSell]map[int64]bool{}
		await(t, 20*time.Second, what, func() bool {
			for _, s := range sells {
				if s.cmd.ProcessState != nil || s.cmd.Process.Signal(syscall.Signal(0)) != nil {
					code, stderr, _ := s.wait(t, time.Second)
					t.Fatalf("%q exited %d before its append:\n%s", s.cmd.Args, code, stderr)
				}
				if queued[s] = queuedAt(s.cmd.Process.Pid, port, except[s]); len(queued[s]) == 0 {
					return false
				}
			}
			return true
		})
		return queued
	}
	defer b.cmd.Process.Signal(syscall.SIGCONT)
	signalAll(t, syscall.SIGSTOP, b.cmd.Process)

	// The publishing pair: let go, each sends its cluster-ID check to the stopped broker;
	// stopped in turn, each gets the answer in its socket from the broker, resumed just for
	// that; resumed once the broker is stopped again, each goes on to Publish, whose
	// produce request waits at the broker on the publisher's own connection.
	publishLeft.release()
	publishInterrupted.release()
	checks := awaitQueued("the publishing sells' cluster-ID checks reach the stopped broker's socket", nil, publishLeft, publishInterrupted)
	signalAll(t, syscall.SIGSTOP, publishLeft.cmd.Process, publishInterrupted.cmd.Process)
	signalAll(t, syscall.SIGCONT, b.cmd.Process)
	await(t, 20*time.Second, "the broker answers the publishing sells' checks", func() bool {
		return answeredAt(publishLeft.cmd.Process.Pid, port, checks[publishLeft]) &&
			answeredAt(publishInterrupted.cmd.Process.Pid, port, checks[publishInterrupted])
	})
	signalAll(t, syscall.SIGSTOP, b.cmd.Process)
	signalAll(t, syscall.SIGCONT, publishLeft.cmd.Process, publishInterrupted.cmd.Process)
	awaitQueued("the publishing sells' produce requests reach the stopped broker's socket", checks, publishLeft, publishInterrupted)

	// The checking pair: let go, each waits for the answer to its check.
	checkLeft.release()
	checkInterrupted.release()
	awaitQueued("the checking sells' cluster-ID checks reach the stopped broker's socket", nil, checkLeft, checkInterrupted)

	var keys [][]string
	for _, c := range []struct {
		s          *parkedSell
		publishing bool
	}{{checkInterrupted, false}, {publishInterrupted, true}} {
		if err := c.s.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		sent := time.Now()
		code, stderr, _ := c.s.wait(t, 20*time.Second)
		took := time.Since(sent)
		where := map[bool]string{false: "in the cluster-ID check", true: "in Publish"}[c.publishing]
		t.Logf("interrupted %s after %s:\n%s", where, took.Round(time.Millisecond), stderr)
		key := retryKey.FindStringSubmatch(stderr)
		switch {
		case code != 130 || took > 3*time.Second:
			t.Errorf("SIGINT %s: want exit 130 within 3 s; got exit %d after %s:\n%s", where, code, took, stderr)
		case c.publishing && (key == nil || !strings.Contains(stderr, "may have been recorded")):
			t.Errorf("SIGINT in Publish: want it to say the sale may have been recorded, with a key; got:\n%s", stderr)
		case !c.publishing && (!strings.Contains(stderr, "nothing was recorded") || strings.Contains(stderr, "may have been recorded")):
			t.Errorf("SIGINT in the cluster-ID check: want it to say nothing was recorded; got:\n%s", stderr)
		}
		if c.publishing {
			keys = append(keys, key)
		}
	}

	code, stderr, took := publishLeft.wait(t, 40*time.Second)
	t.Logf("sell in Publish given up after %s:\n%s", took.Round(time.Millisecond), stderr)
	key := retryKey.FindStringSubmatch(stderr)
	keys = append(keys, key)
	if code != 4 || took > 25*time.Second || key == nil || !strings.Contains(stderr, "within 10s") ||
		!strings.Contains(stderr, "may have been recorded") {
		t.Errorf("stopped broker, in Publish: want exit 4 within 10 s (+ margin) naming the timeout, with a key; got exit %d after %s:\n%s", code, took, stderr)
	}
	// Sarama's read timeout on the check is 10 s too: whichever ends the wait, nothing
	// was handed to the publisher.
	code, stderr, took = checkLeft.wait(t, 40*time.Second)
	t.Logf("sell in the cluster-ID check given up after %s:\n%s", took.Round(time.Millisecond), stderr)
	if code != 3 || took > 25*time.Second || !strings.Contains(stderr, "nothing was recorded") ||
		strings.Contains(stderr, "may have been recorded") {
		t.Errorf("stopped broker, in the cluster-ID check: want exit 3 within 10 s (+ margin) saying nothing was recorded; got exit %d after %s:\n%s", code, took, stderr)
	}

	// A sell started now waits for the stopped broker to answer its first request, while
	// connecting: nothing can have been appended, and Ctrl-C ends it with 130 too.
	connecting := exec.Command(binary, "--data-dir", dir, "sell", "P1", "1")
	connecting.Env = cleanEnv()
	var connErr bytes.Buffer
	connecting.Stderr = &connErr
	if err := connecting.Start(); err != nil {
		t.Fatal(err)
	}
	connExited := make(chan struct{})
	go func() { connecting.Wait(); close(connExited) }()
	t.Cleanup(func() { connecting.Process.Kill(); <-connExited })
	await(t, 20*time.Second, "the connecting sell's request reaches the stopped broker's socket", func() bool {
		return requestQueuedAt(connecting.Process.Pid, port)
	})
	connecting.Process.Signal(os.Interrupt)
	sent := time.Now()
	select {
	case <-connExited:
	case <-time.After(20 * time.Second):
		t.Fatal("a sell connecting to the stopped broker ignored SIGINT for 20 s")
	}
	if code, took := connecting.ProcessState.ExitCode(), time.Since(sent); code != 130 || took > 3*time.Second ||
		!strings.Contains(connErr.String(), "interrupted") || strings.Contains(connErr.String(), "may have been recorded") {
		t.Errorf("SIGINT while connecting: want exit 130 within 3 s, interrupted, nothing recorded; got exit %d after %s:\n%s", code, took, connErr.String())
	}
	t.Logf("SIGINT while connecting: exit %d after %s", connecting.ProcessState.ExitCode(), time.Since(sent).Round(time.Millisecond))

	// STOCKCTL_TIMEOUT (--timeout) shortens the wait.
	r := runEnv(t, dir, []string{"STOCKCTL_TIMEOUT=2s"}, "sell", "P1", "1")
	if r.code != 3 || r.elapsed > 8*time.Second || !strings.Contains(r.stderr, "within 2s") {
		t.Errorf("STOCKCTL_TIMEOUT=2s against the stopped broker: want exit 3 after about 2 s, got %v", r)
	}
	t.Logf("STOCKCTL_TIMEOUT=2s: exit %d after %s", r.code, r.elapsed.Round(time.Millisecond))

	if err := b.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	// The produce requests left in the broker's socket may now be appended: each retry
	// finds its sale recorded, or records it.
	for _, key := range keys {
		if key != nil {
			mustRun(t, dir, "sell", "P1", "1", "--idempotency-key", key[1])
		}
	}
	if got := stockLevels(t, dir, "P1"); len(got) != 1 || got[0].Stock != "8.00" {
		t.Errorf("each sale should be recorded exactly once (10 → 8), got %+v", got)
	}
	mustRun(t, dir, "verify", "--quiet")
}
