package main_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
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

// blockedIn reports whether a thread of process pid sleeps in a kernel function whose
// name contains one of names (see /proc/PID/task/TID/wchan).
func blockedIn(pid int, names ...string) bool {
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/wchan", pid, task.Name()))
		for _, n := range names {
			if strings.Contains(string(b), n) {
				return true
			}
		}
	}
	return false
}

// await polls cond every 10 ms until it holds, failing the test after d.
func await(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, what)
		}
	}
}

// requestQueuedAt reports whether a connection from process pid to port holds bytes
// that the listening side has not read: a request sent to a stopped broker.
func requestQueuedAt(pid, port int) bool {
	inodes := map[string]bool{}
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		link, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if ino, ok := strings.CutPrefix(link, "socket:["); ok {
			inodes[strings.TrimSuffix(ino, "]")] = true
		}
	}
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return false
	}
	defer f.Close()
	type conn struct{ local, remote, rxQueue int64 }
	var conns []conn
	ours := map[int64]bool{} // local ports of pid's sockets
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[0] == "sl" {
			continue
		}
		port := func(addr string) int64 {
			_, p, _ := strings.Cut(addr, ":")
			n, _ := strconv.ParseInt(p, 16, 64)
			return n
		}
		_, rx, _ := strings.Cut(fields[4], ":")
		rxQueue, _ := strconv.ParseInt(rx, 16, 64)
		c := conn{port(fields[1]), port(fields[2]), rxQueue}
		conns = append(conns, c)
		if inodes[fields[9]] {
			ours[c.local] = true
		}
	}
	for _, c := range conns {
		if c.local == int64(port) && ours[c.remote] && c.rxQueue > 0 {
			return true
		}
	}
	return false
}

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

// TestStoppedBrokerBoundsWrites: `stockctl broker` stopped (SIGSTOP) while sells are
// appending. A sell left alone gives up within the 10 s timeout and exits 4 (the broker
// may have taken the request into its socket: the outcome is unknown), printing a key;
// a sell sent SIGINT exits 130 at once, also with its key. Once the broker resumes,
// retrying both keys moves the stock exactly once each. A sell still connecting to the
// stopped broker also exits 130 on SIGINT.
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

	left := startParkedSell(t, dir, "sell", "P1", "1")
	// A model of its own, so that it has the record to skip too.
	interrupted := startParkedSell(t, dir, "--db", filepath.Join(t.TempDir(), "b.db"), "sell", "P1", "1")
	if err := b.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer b.cmd.Process.Signal(syscall.SIGCONT)
	left.release()
	interrupted.release()
	await(t, 20*time.Second, "the sells' requests reach the stopped broker's socket", func() bool {
		for _, s := range []*parkedSell{left, interrupted} {
			if s.cmd.ProcessState != nil || s.cmd.Process.Signal(syscall.Signal(0)) != nil {
				code, stderr, _ := s.wait(t, time.Second)
				t.Fatalf("%q exited %d before its append:\n%s", s.cmd.Args, code, stderr)
			}
		}
		return requestQueuedAt(left.cmd.Process.Pid, port) && requestQueuedAt(interrupted.cmd.Process.Pid, port)
	})

	if err := interrupted.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	code, stderr, _ := interrupted.wait(t, 20*time.Second)
	t.Logf("interrupted after %s:\n%s", time.Since(sent).Round(time.Millisecond), stderr)
	keyB := retryKey.FindStringSubmatch(stderr)
	if took := time.Since(sent); code != 130 || took > 3*time.Second || keyB == nil || !strings.Contains(stderr, "may have been recorded") {
		t.Errorf("SIGINT: want exit 130 within 3 s saying the sale may have been recorded, with a key; got exit %d after %s:\n%s", code, took, stderr)
	}

	code, stderr, took := left.wait(t, 40*time.Second)
	keyA := retryKey.FindStringSubmatch(stderr)
	if code != 4 || took > 25*time.Second || keyA == nil || !strings.Contains(stderr, "within 10s") ||
		!strings.Contains(stderr, "may have been recorded") {
		t.Errorf("stopped broker: want exit 4 within 10 s (+ margin) naming the timeout, with a key; got exit %d after %s:\n%s", code, took, stderr)
	}
	t.Logf("sell given up after %s:\n%s", took.Round(time.Millisecond), stderr)

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
	sent = time.Now()
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
	for _, key := range [][]string{keyA, keyB} {
		if key != nil {
			mustRun(t, dir, "sell", "P1", "1", "--idempotency-key", key[1])
		}
	}
	if got := stockLevels(t, dir, "P1"); len(got) != 1 || got[0].Stock != "8.00" {
		t.Errorf("each sale should be recorded exactly once (10 → 8), got %+v", got)
	}
	mustRun(t, dir, "verify", "--quiet")
}
