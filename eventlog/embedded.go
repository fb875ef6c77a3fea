package eventlog

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// ErrLocked means another stockctl process holds the data directory's embedded log and
// does not serve it.
var ErrLocked = errors.New("data directory locked")

// Embedded is an in-process Kafka-protocol broker whose log lives in a data directory.
type Embedded struct {
	cluster *kfake.Cluster
	unlock  func() error
	addr    string
	advert  string // file advertising addr to other processes, when serving
}

// Files in the data directory.
const (
	logDirName     = "log"
	lockFileName   = "log.lock"
	brokerFileName = "broker.addr"
)

// StartEmbedded takes the data directory's lock and starts the broker on listen
// ("127.0.0.1:0" picks a free port). With advertise, it writes its address to the data
// directory so that other stockctl processes connect to it instead of waiting for the
// lock. It fails with ErrLocked when another process holds the lock.
func StartEmbedded(dataDir, listen string, advertise bool) (*Embedded, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("embedded broker: %w", err)
	}
	unlock, err := lockLog(dataDir)
	if err != nil {
		return nil, err
	}
	logDir := filepath.Join(dataDir, logDirName)
	id, err := ensureLogID(logDir)
	if err == nil {
		err = repairSeqWindows(logDir)
	}
	if err != nil {
		unlock()
		return nil, err
	}
	host, port, err := splitListen(listen)
	if err != nil {
		unlock()
		return nil, err
	}
	if err := checkSegments(logDir); err != nil {
		unlock()
		return nil, err
	}
	cluster, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			return net.Listen(network, net.JoinHostPort(host, strconv.Itoa(port)))
		}),
		kfake.DataDir(logDir),
		// A sale reported as recorded must survive a crash of this process.
		kfake.SyncWrites(),
		// For a new log; kfake reads an existing log's ID from its meta.json, which
		// ensureLogID made agree.
		kfake.ClusterID(id),
	)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("%w: embedded broker on %s: %v", ErrUnavailable, listen, err)
	}
	e := &Embedded{cluster: cluster, unlock: unlock, addr: cluster.ListenAddrs()[0]}
	if advertise {
		e.advert = filepath.Join(dataDir, brokerFileName)
		if err := writeFileAtomic(e.advert, []byte(e.addr+"\n")); err != nil {
			e.Close()
			return nil, fmt.Errorf("embedded broker: advertise address: %w", err)
		}
	} else {
		// With the lock held here, no broker serves the log: an address left by one
		// that was killed is stale, and its port may be another data directory's now.
		os.Remove(filepath.Join(dataDir, brokerFileName))
	}
	return e, nil
}

// Addr returns the broker's host:port.
func (e *Embedded) Addr() string { return e.addr }

// Close stops the broker, flushing its log, and releases the lock.
func (e *Embedded) Close() error {
	if e.advert != "" {
		os.Remove(e.advert)
	}
	e.cluster.Close()
	return e.unlock()
}

// Local returns the broker addresses for a data directory: an in-process embedded
// broker when the log is free (closer stops it), or the address advertised by a running
// `stockctl broker` that serves this log (closer is nil: the log is another process's).
// When another process holds the log without serving it, Local waits up to wait for it
// to finish, then fails with ErrLocked. With advertise, an in-process
// broker serves other processes too, as `stockctl broker` does.
func Local(ctx context.Context, dataDir string, wait, timeout time.Duration, advertise bool) (addrs []string, closer func() error, err error) {
	deadline := time.Now().Add(wait)
	var foreign string // why broker.addr was not used, if it names a broker
	for {
		e, err := StartEmbedded(dataDir, "127.0.0.1:0", advertise)
		if err == nil {
			return []string{e.Addr()}, e.Close, nil
		}
		if !errors.Is(err, ErrLocked) {
			return nil, nil, err
		}
		addr, why, err := advertised(ctx, dataDir, timeout)
		if err != nil {
			return nil, nil, err
		}
		if why == "" {
			return []string{addr}, nil, nil
		}
		if why != errNoAdvert {
			foreign = why
		}
		if time.Now().After(deadline) {
			if foreign != "" {
				return nil, nil, fmt.Errorf("%w: %s is in use by another stockctl process, and its %s is stale or foreign: %s; "+
					"wait for that process to finish, or restart `stockctl broker` on this data directory", ErrLocked, dataDir, brokerFileName, foreign)
			}
			return nil, nil, fmt.Errorf("%w: %s is in use by another stockctl process; wait for it to finish, "+
				"or run `stockctl broker` to share the log between processes", ErrLocked, dataDir)
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Advertised returns the address in the data directory's broker.addr once a broker
// answers there and serves the directory's log; otherwise ErrUnavailable says why not.
func Advertised(ctx context.Context, dataDir string, timeout time.Duration) (string, error) {
	addr, why, err := advertised(ctx, dataDir, timeout)
	if err != nil {
		return "", err
	}
	if why != "" {
		return "", fmt.Errorf("%w: %s: %s", ErrUnavailable, filepath.Join(dataDir, brokerFileName), why)
	}
	return addr, nil
}

// errNoAdvert is advertised's answer when no broker serves the log.
const errNoAdvert = "no broker advertised"

// advertised returns the address a running `stockctl broker` wrote, if a broker
// answers there and serves this data directory's log; otherwise it says why not. A
// broker that accepts the connection but does not answer within timeout (a stopped
// process) is an error, ErrUnavailable: it holds the log, so waiting for the lock would
// only wait longer for the same answer.
func advertised(ctx context.Context, dataDir string, timeout time.Duration) (addr, why string, err error) {
	b, err := os.ReadFile(filepath.Join(dataDir, brokerFileName))
	if err != nil {
		return "", errNoAdvert, nil
	}
	addr = strings.TrimSpace(string(b))
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", errNoAdvert, nil // the broker is gone and nothing took its port
	}
	conn.Close()
	want, err := LogID(dataDir)
	if err != nil {
		return "", err.Error(), nil
	}
	if want == "" {
		return "", fmt.Sprintf("%s answers, but the log in %s has no ID to check it against", addr, filepath.Join(dataDir, logDirName)), nil
	}
	have, err := clusterIDAt(ctx, addr, timeout)
	var netErr net.Error
	switch {
	case ctx.Err() != nil:
		return "", "", ctx.Err()
	case errors.Is(err, errTimeout), errors.As(err, &netErr) && netErr.Timeout():
		return "", "", fmt.Errorf("%w: the broker at %s (%s) accepts connections but did not answer within %s (see --timeout): "+
			"it may be stopped or overloaded", ErrUnavailable, addr, filepath.Join(dataDir, brokerFileName), timeout)
	case err != nil:
		return "", fmt.Sprintf("%s does not answer as a Kafka broker: %v", addr, err), nil
	case have != want:
		return "", fmt.Sprintf("the broker at %s serves another log (cluster ID %q, not %q)", addr, have, want), nil
	}
	return addr, "", nil
}

// lockLog takes the log's locks without waiting and returns their release. The lock that
// counts is on the log directory itself: it cannot be removed without removing the log,
// and one renamed carries its lock along, so no second process can ever open the log
// while the first lives. A lock on a file can be defeated by deleting the file, as with
// log.lock, which stockctl still takes for the versions before this one.
func lockLog(dataDir string) (func() error, error) {
	logDir := filepath.Join(dataDir, logDirName)
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, fmt.Errorf("embedded broker: %w", err)
	}
	dir, err := tryLock(logDir, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	file, err := tryLock(filepath.Join(dataDir, lockFileName), os.O_RDWR|os.O_CREATE)
	if err != nil {
		dir.Close()
		return nil, err
	}
	return func() error { return errors.Join(file.Close(), dir.Close()) }, nil
}

// tryLock takes an exclusive advisory lock on path without waiting. The kernel releases
// it when the process dies, so a crash never leaves the directory locked.
func tryLock(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, fmt.Errorf("embedded broker: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, path)
		}
		return nil, fmt.Errorf("embedded broker: lock %s: %w", path, err)
	}
	return f, nil
}

func splitListen(listen string) (string, int, error) {
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		return "", 0, fmt.Errorf("listen address %q: use HOST:PORT, e.g. 127.0.0.1:9092", listen)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("listen address %q: port must be 0 to 65535", listen)
	}
	return host, port, nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
