package projections_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/projections"
)

var (
	errDown  = errors.New("log unavailable")
	errBusy  = errors.New("store busy")
	errOther = errors.New("something else")
)

// liveLog is a Source over records held in memory that may be appended to while a
// runner follows it, and that fails HighWatermarks with the errors queued in fail.
type liveLog struct {
	mu      sync.Mutex
	records []domain.Record
	fail    []error
	down    bool        // every call fails with errDown, after fail is spent
	calls   []time.Time // when HighWatermarks was called
}

func (l *liveLog) HighWatermarks(ctx context.Context) (map[int32]int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, time.Now())
	var err error
	switch {
	case len(l.fail) > 0:
		err, l.fail = l.fail[0], l.fail[1:]
	case l.down:
		err = fmt.Errorf("high watermarks: %w", errDown)
	}
	if err != nil {
		return nil, err
	}
	return sliceLog{records: l.records}.HighWatermarks(ctx)
}

func (l *liveLog) Read(ctx context.Context, from, until map[int32]int64, fn func([]domain.Record) error) error {
	l.mu.Lock()
	records := append([]domain.Record(nil), l.records...)
	l.mu.Unlock()
	return sliceLog{records: records}.Read(ctx, from, until, fn)
}

func (l *liveLog) append(r ...domain.Record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r...)
}

func (l *liveLog) callTimes() []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Time(nil), l.calls...)
}

// reports collects what a runner reports.
type reports struct {
	mu  sync.Mutex
	got []projections.Report
}

func (r *reports) add(rep projections.Report) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, rep)
}

func (r *reports) of(kind projections.ReportKind) []projections.Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []projections.Report
	for _, rep := range r.got {
		if rep.Kind == kind {
			out = append(out, rep)
		}
	}
	return out
}

// await polls cond until it holds, failing the test after a generous deadline.
func await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func newRunner(t *testing.T, src projections.Source, rep *reports) *projections.Runner {
	return &projections.Runner{
		Ledger: projections.NewLedger(MustOpenDB(t)),
		Source: func() projections.Source { return src },
		Report: rep.add,
		Busy:   func(err error) bool { return errors.Is(err, errBusy) },
		Down:   func(err error) bool { return errors.Is(err, errDown) },
		Poll:   10 * time.Millisecond,
	}
}

func TestRunnerReportsEachCatchUpAndItsBatches(t *testing.T) {
	const R, S = domain.TypeStockRestocked, domain.TypeStockSold
	src := &liveLog{records: []domain.Record{
		event(t, R, "P1", "10", 1, "c1", 0, 0), event(t, S, "P1", "3", 2, "c2", 0, 1),
		raw(0, 2, "x", "garbage"), event(t, R, "P2", "1", 1, "c3", 1, 0),
	}}
	var rep reports
	r := newRunner(t, src, &rep)
	stats, err := r.CatchUpTo(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Read != 4 || stats.Accepted != 3 || stats.Skipped != 1 {
		t.Fatalf("stats = %+v, want 4 read, 3 accepted, 1 skipped", stats)
	}
	kinds := make([]projections.ReportKind, 0, len(rep.got))
	read := 0
	for _, g := range rep.got {
		kinds = append(kinds, g.Kind)
		if g.Kind == projections.Batch {
			read += g.Stats.Read
		}
	}
	if len(kinds) < 3 || kinds[0] != projections.Started || kinds[len(kinds)-1] != projections.Finished {
		t.Fatalf("reports %v: want Started, the batches, Finished", kinds)
	}
	if got := rep.got[0].Total; got != 4 {
		t.Errorf("Started with Total %d, want the 4 records to apply", got)
	}
	if read != 4 {
		t.Errorf("batches reported %d records read, want 4", read)
	}
	if fin := rep.got[len(rep.got)-1]; fin.Stats.Skipped != 1 || fin.Stats.Read != 4 || fin.Err != nil {
		t.Errorf("Finished with %+v, %v; want the catch-up's stats", fin.Stats, fin.Err)
	}

	// Caught up to given offsets, the runner counts only what lies before them.
	src.append(event(t, S, "P1", "1", 3, "c4", 0, 3), event(t, S, "P1", "1", 4, "c5", 0, 4))
	rep = reports{}
	if stats, err = r.CatchUpTo(context.Background(), map[int32]int64{0: 4, 1: 1}); err != nil || stats.Read != 1 {
		t.Fatalf("catch-up to offset 4: %+v, %v; want 1 record read", stats, err)
	}
	if got := rep.of(projections.Started); len(got) != 1 || got[0].Total != 1 {
		t.Errorf("Started reports %+v, want one with Total 1", got)
	}
}

// A follower waits out an outage, tells of it once when it begins and once when it ends,
// asks to reconnect while the log is down, retries no sooner than Retry, and resumes at
// the committed offsets.
func TestRunnerFollowWaitsOutAnOutage(t *testing.T) {
	const R = domain.TypeStockRestocked
	down := &liveLog{down: true}
	up := &liveLog{records: []domain.Record{event(t, R, "P1", "10", 1, "c1", 0, 0)}}
	var rep reports
	var src projections.Source = down
	r := newRunner(t, down, &rep)
	r.Source = func() projections.Source { return src }
	r.Retry = 60 * time.Millisecond
	var mu sync.Mutex
	var downs []time.Duration
	reconnect := false
	r.Reconnect = func(ctx context.Context, d time.Duration) func() {
		mu.Lock()
		defer mu.Unlock()
		downs = append(downs, d)
		if !reconnect {
			return nil
		}
		return func() { src = up }
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	followed := make(chan error, 1)
	go func() { followed <- r.Follow(ctx) }()

	await(t, "the follower retried three times", func() bool { return len(down.callTimes()) >= 4 })
	calls := down.callTimes()
	for i := 1; i < len(calls); i++ {
		if gap := calls[i].Sub(calls[i-1]); gap < r.Retry {
			t.Errorf("retry %d came %s after the previous attempt, want at least Retry (%s)", i, gap, r.Retry)
		}
	}
	if got := rep.of(projections.Paused); len(got) != 1 || got[0].Busy || !errors.Is(got[0].Err, errDown) {
		t.Errorf("Paused reports %+v: want one, for the log being down, whatever the number of failures", got)
	}
	mu.Lock()
	if len(downs) < 3 || downs[0] >= downs[len(downs)-1] {
		t.Errorf("reconnect asked with outage durations %v: want one per failure, growing", downs)
	}
	reconnect = true
	mu.Unlock()

	await(t, "the follower caught up through the new connection", func() bool { return len(rep.of(projections.CaughtUp)) > 0 })
	if got := rep.of(projections.Resumed); len(got) != 1 || got[0].Busy {
		t.Errorf("Resumed reports %+v: want one, for the log", got)
	}
	if got := rep.of(projections.CaughtUp); got[0].Stats.Accepted != 1 {
		t.Errorf("first CaughtUp %+v, want the 1 record accepted", got[0].Stats)
	}

	// A change of kind is a new outage; a busy store is not reconnected for.
	mu.Lock()
	asked := len(downs)
	mu.Unlock()
	up.mu.Lock()
	up.fail = []error{errBusy, errBusy, errBusy}
	up.mu.Unlock()
	up.append(event(t, R, "P1", "1", 2, "c2", 0, 1))
	await(t, "the follower applied the record after the store was free", func() bool {
		for _, c := range rep.of(projections.CaughtUp) {
			if c.Stats.Accepted == 1 && c.Stats.Read == 1 {
				return len(rep.of(projections.Resumed)) == 2
			}
		}
		return false
	})
	if got := rep.of(projections.Paused); len(got) != 2 || !got[1].Busy {
		t.Errorf("Paused reports %+v: want a second, busy one", got)
	}
	if got := rep.of(projections.Resumed); !got[1].Busy {
		t.Errorf("second Resumed %+v, want busy", got[1])
	}
	mu.Lock()
	if len(downs) != asked {
		t.Errorf("reconnect asked %d more time(s) while the store was busy, want none", len(downs)-asked)
	}
	mu.Unlock()

	cancel()
	if err := <-followed; err != nil {
		t.Errorf("follow ended by its context: %v, want nil", err)
	}
}

// An error that is not an outage ends Follow with it.
func TestRunnerFollowEndsOnOtherErrors(t *testing.T) {
	src := &liveLog{fail: []error{fmt.Errorf("high watermarks: %w", errOther)}}
	var rep reports
	r := newRunner(t, src, &rep)
	r.Retry = time.Millisecond
	done := make(chan error, 1)
	go func() { done <- r.Follow(context.Background()) }()
	select {
	case err := <-done:
		if !errors.Is(err, errOther) {
			t.Errorf("follow: %v, want errOther", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("follow kept going after an error that is not an outage")
	}
	if got := rep.of(projections.Paused); len(got) != 0 {
		t.Errorf("Paused reports %+v for an error that is not an outage", got)
	}
}

// With EveryPoll, a follower catches up on every tick and retries on the next tick,
// however long Retry is.
func TestRunnerFollowEveryPoll(t *testing.T) {
	const R = domain.TypeStockRestocked
	src := &liveLog{}
	var rep reports
	r := newRunner(t, src, &rep)
	r.EveryPoll, r.Retry = true, time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	followed := make(chan error, 1)
	go func() { followed <- r.Follow(ctx) }()
	await(t, "a few catch-ups", func() bool { return len(rep.of(projections.CaughtUp)) >= 3 })
	src.mu.Lock()
	src.fail = []error{errDown, errDown}
	src.mu.Unlock()
	src.append(event(t, R, "P1", "10", 1, "c1", 0, 0))
	await(t, "the record applied after the outage", func() bool {
		for _, c := range rep.of(projections.CaughtUp) {
			if c.Stats.Accepted == 1 {
				return true
			}
		}
		return false
	})
	if got := rep.of(projections.Resumed); len(got) != 1 {
		t.Errorf("Resumed reports %+v, want one", got)
	}
	cancel()
	if err := <-followed; err != nil {
		t.Errorf("follow ended by its context: %v, want nil", err)
	}
}

// markedLog is a liveLog whose partitions end with offsets that give no record, as a
// transaction's marker or an aborted batch does: its high watermarks stay above the
// offsets a ledger stores.
type markedLog struct{ liveLog }

func (l *markedLog) HighWatermarks(ctx context.Context) (map[int32]int64, error) {
	hw, err := l.liveLog.HighWatermarks(ctx)
	for p := range hw {
		hw[p]++
	}
	return hw, err
}

// TestRunnerFollowWaitsPastOffsetsWithoutRecords: a log ending in offsets that give no
// record (a transaction's marker) leaves the ledger's offsets below the watermark for
// good; Follow must still wait for new records instead of catching up again and again,
// and must catch up when a record comes.
func TestRunnerFollowWaitsPastOffsetsWithoutRecords(t *testing.T) {
	const R = domain.TypeStockRestocked
	src := &markedLog{}
	src.append(event(t, R, "P1", "10", 1, "c1", 0, 0))
	var rep reports
	r := newRunner(t, src, &rep)
	r.Poll = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	followed := make(chan error, 1)
	go func() { followed <- r.Follow(ctx) }()
	await(t, "the first catch-up", func() bool { return len(rep.of(projections.CaughtUp)) >= 1 })
	// 50 polls of an unchanged log.
	await(t, "50 polls", func() bool { return len(src.callTimes()) >= 52 })
	if n := len(rep.of(projections.CaughtUp)); n > 2 {
		t.Errorf("%d catch-ups of a log that did not change, want at most 2", n)
	}
	src.append(event(t, R, "P1", "5", 2, "c2", 0, 2))
	await(t, "the new record applied", func() bool {
		for _, c := range rep.of(projections.CaughtUp) {
			if c.Stats.Accepted == 1 && c.Stats.Read == 1 {
				return true
			}
		}
		return false
	})
	cancel()
	if err := <-followed; err != nil {
		t.Errorf("follow ended by its context: %v, want nil", err)
	}
}
