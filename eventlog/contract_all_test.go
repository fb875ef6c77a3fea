package eventlog_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/stockctl/stockctl/domain"
)

// closeAt is a PeriodClosed through day, the event AppendToAll exists for.
func closeAt(t *testing.T, id, day string) domain.Event {
	t.Helper()
	d, err := domain.ParseBusinessDate(day)
	if err != nil {
		t.Fatal(err)
	}
	e, err := domain.ClosePeriod(domain.BusinessDate{}, d, domain.Metadata{EventID: id, CommandID: "cmd-" + id,
		RecordedAt: time.Date(2024, 4, 2, 8, 0, 0, 0, time.UTC), RecordedBy: "contract"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// An event for every product lands once in each partition, at its end, between what
// was appended before and after it, with the empty key; the keyed paths refuse it.
func testAppendToAll(t *testing.T, tg target) {
	ctx := context.Background()
	l := open(t, tg, partitions)
	products := []string{"P1", "P2", "P3", "P4", "P5", "P6"}
	before, after := events("b", products, 2), events("a", products, 1)
	if _, err := l.Append(ctx, before...); err != nil {
		t.Fatal(err)
	}
	hw, err := l.HighWatermarks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := closeAt(t, "close-1", "2024-03-31")
	pos, err := l.AppendToAll(ctx, e)
	if err != nil {
		t.Fatalf("AppendToAll: %v", err)
	}
	if len(pos) != partitions {
		t.Fatalf("AppendToAll gave %d positions, want one per partition (%d)", len(pos), partitions)
	}
	for p, at := range pos {
		if at != (domain.Position{Partition: int32(p), Offset: hw[int32(p)]}) {
			t.Errorf("copy %d at %v, want partition %d offset %d (its end)", p, at, p, hw[int32(p)])
		}
	}
	if _, err := l.Append(ctx, after...); err != nil {
		t.Fatal(err)
	}
	// The keyed paths would put it in one partition only.
	if _, err := l.Append(ctx, e); err == nil {
		t.Error("Append of a PeriodClosed succeeded; it must go to every partition")
	}
	// Refused whole: after[0], before it, is not appended either (the partitions'
	// contents below would hold it twice).
	if err := l.AppendBulk(ctx, []domain.Event{after[0], e}, nil); err == nil {
		t.Error("AppendBulk of a PeriodClosed succeeded; it must go to every partition")
	}
	if _, err := l.AppendToAll(ctx, before[0]); err == nil {
		t.Error("AppendToAll of a product's event succeeded; it must go to its product's partition")
	}

	recs := readAll(t, l)
	checkOffsetOrder(t, l, recs)
	value, _ := domain.MarshalEvent(e)
	copies := 0
	seen := map[int32][]string{}
	for _, r := range recs {
		if !bytes.Equal(r.Value, value) {
			seen[r.Partition] = append(seen[r.Partition], idOf(t, r))
			continue
		}
		copies++
		seen[r.Partition] = append(seen[r.Partition], "CLOSE")
		if r.Position != pos[r.Partition] || len(r.Key) != 0 {
			t.Errorf("copy at %v with key %q, want at %v with the empty key", r.Position, r.Key, pos[r.Partition])
		}
		got := append(r.Headers[:0:0], r.Headers...)
		sort.Slice(got, func(a, b int) bool { return got[a].Key < got[b].Key })
		if fmt.Sprint(got) != fmt.Sprintf("[{_watermill_message_uuid %s} {event_type PeriodClosed} {product_id }]", e.ID) {
			t.Errorf("copy at %v has headers %v", r.Position, got)
		}
	}
	if copies != partitions {
		t.Fatalf("read %d copies of the close, want %d", copies, partitions)
	}
	// Each partition: its products' events from before, the close, those from after.
	want := map[int32][]string{}
	for _, e := range before {
		p := l.PartitionOf([]byte(e.Product.String()))
		want[p] = append(want[p], e.ID)
	}
	for p := range int32(partitions) {
		want[p] = append(want[p], "CLOSE")
	}
	for _, e := range after {
		p := l.PartitionOf([]byte(e.Product.String()))
		want[p] = append(want[p], e.ID)
	}
	for p := range int32(partitions) {
		if fmt.Sprint(seen[p]) != fmt.Sprint(want[p]) {
			t.Errorf("partition %d holds %v, want %v", p, seen[p], want[p])
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.AppendToAll(cancelled, closeAt(t, "close-2", "2024-04-30")); !errors.Is(err, context.Canceled) {
		t.Errorf("AppendToAll with a cancelled context: %v, want context.Canceled", err)
	}
}

// A copy the broker refuses fails the whole call, and the error does not claim that
// nothing was appended: the copies before it were.
func testAppendToAllPartly(t *testing.T, tg target) {
	if tg.faults == nil {
		t.Skip("needs a broker that can refuse one partition's produce (the embedded one)")
	}
	ctx := context.Background()
	l := open(t, tg, partitions)
	h := tg.faults.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: l.Topic(), Partitions: []int32{partitions - 1},
		Err: kerr.InvalidRecord, Count: -1})
	defer h.Remove()
	_, err := l.AppendToAll(ctx, closeAt(t, "close-p", "2024-03-31"))
	if err == nil {
		t.Fatal("AppendToAll succeeded with the last partition refusing produce")
	}
	var na interface{ NotAppended() bool }
	if errors.As(err, &na) && na.NotAppended() {
		t.Errorf("AppendToAll says nothing was appended after appending some copies: %v", err)
	}
	hw, herr := l.HighWatermarks(ctx)
	if herr != nil {
		t.Fatal(herr)
	}
	for p := range int32(partitions - 1) {
		if hw[p] != 1 {
			t.Errorf("partition %d holds %d records, want its copy", p, hw[p])
		}
	}
}
