package eventlog

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/IBM/sarama"
)

// A partition's leader that dies leaves its clients refused until the controller gives
// the partition to another replica: about 10 s on Kafka 4.4 after a SIGKILL (the broker
// session timeout, 9 s by default), and as long as a restart takes on a single broker.
// Every request of a command to a Kafka cluster therefore retries what a leader change
// causes (a refused or dropped connection, "not the leader", "no leader", "no broker
// left") with fresh metadata, until Config.Timeout (--timeout) has passed, and only
// then fails with ErrUnavailable, naming the partition and the last error.

// Back-off between the attempts of a request waiting for a leader: it doubles from
// leaderBackoffMin up to leaderBackoffMax, so that a short blip costs little and a
// 10 s election costs about ten attempts.
const (
	leaderBackoffMin = 50 * time.Millisecond
	leaderBackoffMax = time.Second
)

// leaderBackoff is the wait before the attempt after the given one (0 is the first).
func leaderBackoff(attempt int) time.Duration {
	d := leaderBackoffMin << min(max(attempt, 0), 10)
	return min(d, leaderBackoffMax)
}

// retriable reports whether err is one a client recovers from by refreshing metadata and
// asking again: a leader that moved or is being elected, or a broker that went away
// (refused, reset or dropped connections, a dial that timed out).
func retriable(err error) bool {
	if err == nil {
		return false
	}
	for _, kerr := range []error{
		sarama.ErrNotLeaderForPartition, sarama.ErrLeaderNotAvailable, sarama.ErrUnknownTopicOrPartition,
		sarama.ErrNotEnoughReplicas, sarama.ErrOutOfBrokers, sarama.ErrRequestTimedOut,
		sarama.ErrBrokerNotAvailable, sarama.ErrReplicaNotAvailable, sarama.ErrNotConnected,
		sarama.ErrFencedLeaderEpoch, sarama.ErrUnknownLeaderEpoch, sarama.ErrOffsetNotAvailable,
		sarama.ErrNotEnoughReplicasAfterAppend, sarama.ErrKafkaStorageError,
		io.EOF, io.ErrUnexpectedEOF, syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EPIPE,
	} {
		if errors.Is(err, kerr) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// waitsForLeaders reports whether the log is a Kafka cluster, whose requests wait out a
// leader change. The embedded broker has no election: a refused connection means its
// process is gone, which the commands that follow it handle by finding it again
// (broker.addr), so they are told at once.
func (c Config) waitsForLeaders() bool { return c.LogDir == "" }

// retryable is retriable for this log: a lost connection counts only on a cluster.
func (l *Log) retryable(err error) bool {
	if !l.cfg.waitsForLeaders() {
		return retriable(err) && !lostConnection(err)
	}
	return retriable(err)
}

// lostConnection reports whether err is a refused, reset or dropped connection.
func lostConnection(err error) bool {
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, sarama.ErrNotConnected) ||
		errors.As(err, &ne)
}

// untilLeader calls try until it succeeds, fails with an error that no leader change
// explains, or deadline would pass before the next attempt; between attempts it refreshes
// the topic's metadata, so that the next one goes to the leader the cluster names now. It
// returns try's last error.
func (l *Log) untilLeader(ctx context.Context, deadline time.Time, try func() error) error {
	for attempt := 0; ; attempt++ {
		start := time.Now()
		if attempt > 0 {
			// An error here is the attempt's to report.
			_ = l.client.RefreshMetadata(l.cfg.Topic)
		}
		err := try()
		if err == nil || !l.retryable(err) {
			return err
		}
		// Given up when another attempt as long as this one would end past deadline, so
		// that the error names the last cause rather than only the time (see bounded).
		wait := leaderBackoff(attempt)
		if time.Now().Add(wait + time.Since(start)).After(deadline) {
			return err
		}
		if !sleep(ctx, min(wait, time.Until(deadline))) {
			return ctx.Err()
		}
	}
}

// sleep waits d, and reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
