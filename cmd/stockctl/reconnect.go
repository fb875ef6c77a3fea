package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/projections"
)

// redialer finds a data directory's embedded log again after the broker serving it went
// away: `stockctl broker` restarted with --listen 127.0.0.1:0 serves on a new port, and a
// Sarama client only ever retries the addresses it was given.
type redialer struct {
	cfg     eventlog.Config
	dataDir string
	serve   bool
}

// takeOverAfter is how long an outage lasts before a long-running command opens the log
// itself: a `stockctl broker` being restarted gets the lock first, and the command
// connects to it through broker.addr.
const takeOverAfter = 5 * time.Second

// reconnect connects to the log anew, through the address broker.addr gives now (checked
// to serve this data directory's log) or, after takeOverAfter of outage and with the lock
// free, through an embedded broker of its own. It returns the new connection and what
// stops the broker it started, if any, for swapLog; the caller's log is left as it is.
func (r *redialer) reconnect(ctx context.Context, outage time.Duration) (*eventlog.Log, func() error, error) {
	var addrs []string
	var local func() error
	if outage < takeOverAfter {
		addr, err := eventlog.Advertised(ctx, r.dataDir, r.cfg.Timeout)
		if err != nil {
			return nil, nil, err
		}
		addrs = []string{addr}
	} else {
		var err error
		if addrs, local, err = eventlog.Local(ctx, r.dataDir, 0, r.cfg.Timeout, r.serve); err != nil {
			return nil, nil, err
		}
	}
	cfg := r.cfg
	cfg.Brokers = addrs
	log, err := eventlog.Connect(ctx, cfg)
	if err != nil {
		if local != nil {
			err = errors.Join(err, local())
		}
		return nil, nil, err
	}
	return log, local, nil
}

// redialable reports whether a connection to the log that failed is worth finding again:
// the embedded log reached through broker.addr. One this process serves cannot move.
func (e *env) redialable() bool { return e.redial != nil && e.local == nil }

// swapLog makes log the env's connection, closing the one it replaces and the embedded
// broker that served it, if this process ran it. Callers keep other users of e.log out.
func (e *env) swapLog(log *eventlog.Log, local func() error) {
	e.closeLog()
	e.log, e.local = log, local
}

// closeLog closes the connection to the log, then the embedded broker, if this process
// runs it.
func (e *env) closeLog() error {
	var errs []error
	if e.log != nil {
		errs = append(errs, e.log.Close())
	}
	if e.local != nil {
		errs = append(errs, e.local())
		e.local = nil
	}
	return errors.Join(errs...)
}

// outageMessage says what a following command (project --follow, serve) tells of an
// outage it waits out instead of exiting (see projections.Runner.Follow): the broker
// gone, or the read model's write lock held by another program (a sqlite3 shell in a
// transaction). It returns "" for other reports.
func outageMessage(r projections.Report) string {
	switch {
	case r.Kind == projections.Paused && r.Busy:
		return fmt.Sprintf("the read model is locked by another program, waiting until it is free: %v", r.Err)
	case r.Kind == projections.Paused:
		return fmt.Sprintf("Kafka unavailable, retrying until it is back: %v", r.Err)
	case r.Kind == projections.Resumed && r.Busy:
		return fmt.Sprintf("the read model is free again after %s", r.Took)
	case r.Kind == projections.Resumed:
		return fmt.Sprintf("Kafka is back after %s", r.Took)
	}
	return ""
}

// reconnect finds the log again during an outage that has lasted down, if it is worth
// finding (see redialable), and returns what swaps the new connection in, for
// projections.Runner.Reconnect; lock, when set, keeps other users of e.log out during
// the swap.
func (e *env) reconnect(ctx context.Context, down time.Duration, lock sync.Locker) func() {
	if !e.redialable() {
		return nil // --brokers (Sarama retries the cluster's addresses itself), or our own broker
	}
	log, local, err := e.redial.reconnect(ctx, down)
	if err != nil {
		return nil
	}
	return func() {
		if lock != nil {
			lock.Lock()
			defer lock.Unlock()
		}
		e.swapLog(log, local)
	}
}
