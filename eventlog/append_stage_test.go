package eventlog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/stockctl/stockctl/eventlog"
)

// holdNext makes the cluster hold the next request of key unanswered, as a stopped
// broker would, until the returned function is called (or the test ends). The cluster
// answers nothing else meanwhile: it runs its controls on its only loop.
func holdNext(t *testing.T, c *kfake.Cluster, key kmsg.Key) (release func()) {
	t.Helper()
	held := make(chan struct{})
	c.ControlKey(int16(key), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.DropControl()
		<-held
		return nil, nil, false
	})
	var released bool
	release = func() {
		if !released {
			released = true
			close(held)
		}
	}
	t.Cleanup(release)
	return release
}

// TestAppendGivenUpBeforePublishing: an append given up on (its timeout, or its context
// cancelled) while the cluster ID check before Publish waits for an answer reports that
// nothing was appended, and its check, answered later, never goes on to publish; one given
// up on while Publish waits for the produce answer is not said to be unappended, and
// closing the log then waits for that Publish to end.
// Embedded broker only: it holds the broker's answers with a kfake control.
func TestAppendGivenUpBeforePublishing(t *testing.T) {
	dir := t.TempDir()
	e, err := eventlog.StartEmbedded(dir, "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	id, err := eventlog.LogID(dir)
	if err != nil || id == "" {
		t.Fatalf("log ID %q: %v", id, err)
	}
	ctx := context.Background()
	l, err := eventlog.Connect(ctx, eventlog.Config{Brokers: []string{e.Addr()}, Topic: "t", Partitions: 1,
		Timeout: time.Second, ClusterID: id})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			l.Close()
		}
	})
	evs := events("g", []string{"P1"}, 4)
	notAppended := func(err error) bool {
		var na interface{ NotAppended() bool }
		return errors.As(err, &na) && na.NotAppended()
	}

	// In the check: by the timeout, then by the context (cancelled already: the check
	// cannot be answered while the broker holds the first one).
	release := holdNext(t, e.Cluster(), kmsg.Metadata)
	_, err = l.Append(ctx, evs[0])
	t.Logf("timed out in the check: %v", err)
	if err == nil || !notAppended(err) {
		t.Errorf("timed out in the cluster ID check: want an error saying nothing was appended, got %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.Append(cctx, evs[1]); !errors.Is(err, context.Canceled) || !notAppended(err) {
		t.Errorf("cancelled in the cluster ID check: want context.Canceled saying nothing was appended, got %v", err)
	}
	// Their checks are answered now: had they gone on to publish, they would have been
	// acknowledged by the time they end.
	release()
	l.WaitAbandoned()
	pos, err := l.Append(ctx, evs[2])
	if err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, l)
	if len(recs) != 1 || idOf(t, recs[0]) != evs[2].ID || pos[0] != recs[0].Position {
		t.Errorf("after two appends given up on in their check and one made at %v, the log holds %d records, want only %s", pos[0], len(recs), evs[2].ID)
	}

	// In Publish: the produce request is the broker's, the outcome unknown.
	release = holdNext(t, e.Cluster(), kmsg.Produce)
	if _, err := l.Append(ctx, evs[3]); err == nil || notAppended(err) || !errors.Is(err, eventlog.ErrUnavailable) {
		t.Errorf("timed out in Publish: want an error whose outcome is unknown, got %v", err)
	}
	// Closing the log meanwhile waits for that Publish to end before closing the
	// publisher (-race reports it otherwise), in the background: it is answered only now.
	l.Close()
	closed = true
	release()
	l.WaitAbandoned()
}
