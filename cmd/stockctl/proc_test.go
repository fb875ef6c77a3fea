package main_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Conditions on other processes read from /proc, so that a test waits for a state, never
// for a time.

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
func requestQueuedAt(pid, port int) bool { return len(queuedAt(pid, port, nil)) > 0 }

// queuedAt returns the local ports of the connections from process pid to port, other
// than those in except, whose listening side holds bytes it has not read.
func queuedAt(pid, port int, except map[int64]bool) map[int64]bool {
	out := map[int64]bool{}
	for _, c := range connsTo(pid, port) {
		if c.unreadByServer > 0 && !except[c.local] {
			out[c.local] = true
		}
	}
	return out
}

// answeredAt reports whether every connection in ports from process pid to port holds a
// response pid has not read (pid stopped), and the listening side nothing unread.
func answeredAt(pid, port int, ports map[int64]bool) bool {
	answered := 0
	for _, c := range connsTo(pid, port) {
		if ports[c.local] && c.unreadByServer == 0 && c.unreadByClient > 0 {
			answered++
		}
	}
	return answered == len(ports)
}

// tcpConn is a connection from a process to a listening port on this host, with the
// bytes each end has received and not read yet.
type tcpConn struct {
	local                          int64 // the process's port
	unreadByClient, unreadByServer int64
}

// connsTo returns the TCP connections from process pid to port, read from /proc.
func connsTo(pid, port int) []tcpConn {
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
		return nil
	}
	defer f.Close()
	type end struct{ local, remote, rxQueue int64 }
	var ends []end
	var ours []end // pid's sockets connected to port
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[0] == "sl" {
			continue
		}
		portOf := func(addr string) int64 {
			_, p, _ := strings.Cut(addr, ":")
			n, _ := strconv.ParseInt(p, 16, 64)
			return n
		}
		_, rx, _ := strings.Cut(fields[4], ":")
		rxQueue, _ := strconv.ParseInt(rx, 16, 64)
		e := end{portOf(fields[1]), portOf(fields[2]), rxQueue}
		ends = append(ends, e)
		if inodes[fields[9]] && e.remote == int64(port) {
			ours = append(ours, e)
		}
	}
	var out []tcpConn
	for _, o := range ours {
		for _, e := range ends {
			if e.local == int64(port) && e.remote == o.local {
				out = append(out, tcpConn{local: o.local, unreadByClient: o.rxQueue, unreadByServer: e.rxQueue})
			}
		}
	}
	return out
}

// stopped reports whether every thread of process pid is stopped by a signal.
func stopped(pid int) bool {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil || len(tasks) == 0 {
		return false
	}
	for _, task := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
		if err != nil {
			return false
		}
		// The state follows the command name, which is in parentheses.
		if i := bytes.LastIndexByte(b, ')'); i < 0 || i+2 >= len(b) || b[i+2] != 'T' {
			return false
		}
	}
	return true
}

// signalAll sends sig to each process; with SIGSTOP, it waits until they are stopped.
func signalAll(t *testing.T, sig syscall.Signal, procs ...*os.Process) {
	t.Helper()
	for _, p := range procs {
		if err := p.Signal(sig); err != nil {
			t.Fatal(err)
		}
	}
	if sig == syscall.SIGSTOP {
		await(t, 10*time.Second, "the processes stop", func() bool {
			for _, p := range procs {
				if !stopped(p.Pid) {
					return false
				}
			}
			return true
		})
	}
}
