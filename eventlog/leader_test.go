package eventlog_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// TestLeaderChangeWaitedOut: while the partition's leader answers "not the leader" (as
// a cluster does while the controller moves leadership), a high-watermark lookup, a read
// and an append keep asking with fresh metadata, and succeed once it answers again,
// well within --timeout; the append is in the log once. Past the timeout, the lookup
// fails with ErrUnavailable naming the partition and the last error.
// Embedded broker, reached as a cluster (no data directory): kfake's faults stand in for
// the election, which a real single broker cannot hold.
func TestLeaderChangeWaitedOut(t *testing.T) {
	e, err := eventlog.StartEmbedded(t.TempDir(), "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	c := e.Cluster()
	connect := func(t *testing.T, timeout time.Duration) *eventlog.Log {
		t.Helper()
		l, err := eventlog.Connect(context.Background(), eventlog.Config{
			Brokers: []string{e.Addr()}, Topic: testkafka.Topic(t), Partitions: 1, Timeout: timeout})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}
	ctx := context.Background()
	evs := events("l", []string{"P1"}, 3)

	// Each fault answers more requests than the fixed attempts of before did (6
	// high-watermark attempts of two requests each, 6 fetches, 6 produces) and is then
	// removed.
	for _, tc := range []struct {
		name string
		key  kmsg.Key
		hits int
		call func(*eventlog.Log) error
	}{
		{"high watermark", kmsg.ListOffsets, 14, func(l *eventlog.Log) error {
			_, err := l.HighWatermarks(ctx)
			return err
		}},
		{"read", kmsg.Fetch, 7, func(l *eventlog.Log) error {
			recs, err := l.ReadRaw(ctx, map[int32]int64{0: 0}, map[int32]int64{0: int64(len(evs))})
			if err == nil && len(recs) != len(evs) {
				err = fmt.Errorf("read %d records, want %d", len(recs), len(evs))
			}
			return err
		}},
		{"append", kmsg.Produce, 7, func(l *eventlog.Log) error {
			_, err := l.Append(ctx, evs[0])
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each on a topic of its own, which its fault names
			l := connect(t, eventlog.DefaultTimeout)
			if tc.key != kmsg.Produce {
				for _, ev := range evs {
					if _, err := l.Append(ctx, ev); err != nil {
						t.Fatal(err)
					}
				}
			}
			h := c.Fault(kfake.Fault{Keys: []kmsg.Key{tc.key}, Topic: l.Topic(), Err: kerr.NotLeaderForPartition, Count: -1})
			defer h.Remove()
			start := time.Now()
			done := make(chan error, 1)
			go func() { done <- tc.call(l) }()
			// Answered "not the leader" hits times, or the call gave up first.
			waitCtx, cancel := context.WithCancel(ctx)
			go func() {
				h.Wait(waitCtx, tc.hits)
				cancel()
			}()
			var err error
			select {
			case err = <-done:
				cancel()
				t.Fatalf("the call ended after %d \"not the leader\" answers (want it to wait for %d): %v", h.Hits(), tc.hits, err)
			case <-waitCtx.Done():
			}
			h.Remove()
			if err = <-done; err != nil {
				t.Fatalf("after %d \"not the leader\" answers and the leader back: %v", h.Hits(), err)
			}
			took := time.Since(start)
			if took >= eventlog.DefaultTimeout {
				t.Fatalf("took %s, not within --timeout", took)
			}
			t.Logf("%s: %d \"not the leader\" answers ridden out in %s", tc.name, h.Hits(), took.Round(time.Millisecond))
			if tc.key == kmsg.Produce {
				if recs := readAll(t, l); len(recs) != 1 || idOf(t, recs[0]) != evs[0].ID {
					t.Fatalf("the log holds %d records after one append retried %d times, want the event once", len(recs), h.Hits())
				}
			}
		})
	}

	t.Run("no leader within the timeout", func(t *testing.T) {
		t.Parallel()
		const timeout = time.Second
		l := connect(t, timeout)
		h := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.ListOffsets}, Topic: l.Topic(), Err: kerr.NotLeaderForPartition, Count: -1})
		defer h.Remove()
		start := time.Now()
		_, err := l.HighWatermarks(ctx)
		took := time.Since(start)
		want := "high watermark of " + l.Topic() + "/0: no leader answered within 1s (see --timeout); last error: "
		if !errors.Is(err, eventlog.ErrUnavailable) || err == nil || !strings.Contains(err.Error(), want) ||
			!strings.Contains(err.Error(), "not the leader") {
			t.Fatalf("got %v, want ErrUnavailable saying %q and the broker's answer", err, want)
		}
		if took > timeout+500*time.Millisecond || h.Hits() < 4 {
			t.Fatalf("gave up after %s and %d answers; want several attempts within %s", took, h.Hits(), timeout)
		}
	})
}
