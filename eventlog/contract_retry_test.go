package eventlog_test

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/stockctl/stockctl/domain"
)

// The log does not deduplicate what it is given twice: the projection does, by command
// ID. What it does not do is turn one append into two when the producer retries.

func testAppendTwice(t *testing.T, tg target) {
	ctx := context.Background()
	l := open(t, tg, partitions)
	e := events("d", []string{"P1"}, 1)[0]
	a, err := l.Append(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Append(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AppendBulk(ctx, []domain.Event{e, e}, nil); err != nil {
		t.Fatal(err)
	}
	if a[0] == b[0] {
		t.Fatalf("the same event appended twice got one position %v", a[0])
	}
	// The log keeps every append; the projection accepts a command ID once.
	recs := readAll(t, l)
	if len(recs) != 4 {
		t.Fatalf("read %d records after appending one event twice by each path, want 4", len(recs))
	}
	for _, r := range recs {
		if idOf(t, r) != e.ID {
			t.Errorf("record %v is not the event appended", r.Position)
		}
	}
}

// A produce the broker wrote but answered with REQUEST_TIMED_OUT is sent again; the
// idempotent producer's sequence numbers let the broker drop the copy.
func testIdempotentRetry(t *testing.T, tg target) {
	if tg.faults == nil {
		t.Skip("needs a broker that can fail a produce after writing it (the embedded one)")
	}
	ctx := context.Background()
	l := open(t, tg, partitions)
	evs := events("i", []string{"P1", "P2", "P3", "P4"}, 25)
	for _, step := range []struct {
		name   string
		append func() error
	}{
		{"publisher", func() error { _, err := l.Append(ctx, evs[0]); return err }},
		{"bulk", func() error { return l.AppendBulk(ctx, evs[1:], nil) }},
	} {
		h := tg.faults.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: l.Topic(), Err: kerr.RequestTimedOut})
		if err := step.append(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if h.Hits() != 1 {
			t.Fatalf("%s: the fault answered %d produce requests, want 1", step.name, h.Hits())
		}
		h.Remove()
	}
	recs := readAll(t, l)
	if len(recs) != len(evs) {
		t.Fatalf("read %d records after appending %d with a retried produce each way", len(recs), len(evs))
	}
	checkPerKey(t, evs, recs)
}
