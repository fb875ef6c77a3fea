package eventlog

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/IBM/sarama"
)

// errTimeout marks a request given up on after Config.Timeout.
var errTimeout = errors.New("timed out")

// bounded runs call and returns its error, or gives up when ctx ends or Config.Timeout
// passes. Sarama's SyncProducer and client retry metadata refreshes without looking at
// any context: against a broker that accepts connections but never answers (a stopped
// process) a call waits for minutes, and Ctrl-C would not end it.
//
// A call given up on keeps running in its goroutine until Sarama's own timeouts end it.
// It touches only the Sarama client and producer, never the read model, and what it may
// still append is an event under the command's ID, which the ledger accepts at most once
// (an append given up on before Publish never appends: see Append). Close then does not
// wait for it, so that the process can exit.
func (l *Log) bounded(ctx context.Context, what string, call func(ctx context.Context) error) error {
	ended := make(chan struct{})
	abandoned, err := within(ctx, l.cfg.Timeout, func(ctx context.Context) error {
		defer close(ended)
		return call(ctx)
	})
	if abandoned {
		l.mu.Lock()
		l.abandoned = append(l.running(), ended)
		l.mu.Unlock()
	}
	switch {
	case !abandoned:
		return err
	case errors.Is(err, errTimeout):
		return fmt.Errorf("%w: %s: %w: no answer from Kafka at %s within %s (see --timeout)",
			ErrUnavailable, what, errTimeout, strings.Join(l.cfg.Brokers, ","), l.cfg.Timeout)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}

// Close closes the publisher and the client. While a call given up on (see bounded) still
// runs, it closes them in the background once that call has ended: Sarama's Close would
// wait for it, and watermill's Publisher.Close must not run beside a Publish.
func (l *Log) Close() error {
	if calls := l.runningAbandoned(); len(calls) > 0 {
		go func() {
			for _, c := range calls {
				<-c
			}
			l.close()
		}()
		return nil
	}
	return l.close()
}

// runningAbandoned returns the calls given up on that have not ended yet.
func (l *Log) runningAbandoned() []<-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]<-chan struct{}(nil), l.running()...)
}

// running forgets the calls given up on that have ended, so that a long outage does not
// pile them up, and returns the others. The caller holds l.mu.
func (l *Log) running() []<-chan struct{} {
	kept := l.abandoned[:0]
	for _, c := range l.abandoned {
		select {
		case <-c:
		default:
			kept = append(kept, c)
		}
	}
	clear(l.abandoned[len(kept):])
	l.abandoned = kept
	return kept
}

// within runs call in a goroutine and returns its error or, abandoning it (cancelled and
// left to end), ctx's error if ctx ends first, or errTimeout once timeout passes.
func within(ctx context.Context, timeout time.Duration, call func(ctx context.Context) error) (abandoned bool, err error) {
	inner, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- call(inner) }()
	// A timer rather than a deadline on inner, so that giving up is told apart from the
	// caller's own deadline.
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return false, err
	case <-ctx.Done():
		return true, ctx.Err()
	case <-timer.C:
		return true, errTimeout
	}
}

// notAppendedError is an append that the cluster certainly did not record.
type notAppendedError struct{ err error }

func (e *notAppendedError) Error() string { return e.err.Error() }
func (e *notAppendedError) Unwrap() error { return e.err }

// NotAppended tells a writer that nothing was recorded, so the failure is not one whose
// outcome is unknown.
func (e *notAppendedError) NotAppended() bool { return true }

// notAppended marks err as an append that recorded nothing, unless it already is one.
func notAppended(err error) error {
	var na *notAppendedError
	if errors.As(err, &na) {
		return err
	}
	return &notAppendedError{err}
}

// appendFailed explains a failed append. The embedded broker (kfake) answers "unknown
// server error" when it cannot write a batch to its segment file, after truncating the
// file back and without advancing the partition: nothing was appended, and the reason is
// on the log's disk, which is checked here so the message can say so.
func (l *Log) appendFailed(err error) error {
	var na *notAppendedError
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errTimeout) || errors.As(err, &na) {
		return err
	}
	if l.cfg.LogDir != "" && errors.Is(err, sarama.ErrUnknown) {
		if problem := diskProblem(l.cfg.LogDir); problem != "" {
			return &notAppendedError{fmt.Errorf("%w: append to %s: the embedded broker could not write its log in %s: %s; "+
				"free space there (or make it writable) and try again", ErrUnavailable, l.cfg.Topic, l.cfg.LogDir, problem)}
		}
	}
	return fmt.Errorf("%w: append to %s: %v", ErrUnavailable, l.cfg.Topic, err)
}

// minFree is the free space below which a log's disk counts as full: a batch of a few
// events takes a few kilobytes.
const minFree = 64 << 10

// diskProblem returns why dir cannot take more writes, or "" if it can.
func diskProblem(dir string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err == nil {
		if free := st.Bavail * uint64(st.Bsize); free < minFree {
			return fmt.Sprintf("the disk is full (%d KiB free)", free>>10)
		}
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return "it cannot be written: " + err.Error()
	}
	defer os.Remove(f.Name())
	_, err = f.Write(make([]byte, 16<<10))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			return "the disk is full"
		}
		return "it cannot be written: " + err.Error()
	}
	return ""
}
