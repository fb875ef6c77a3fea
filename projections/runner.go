package projections

import (
	"context"
	"sync"
	"time"
)

// Runner drives a Ledger from the log: one catch-up for a command, or following the log
// until interrupted for project --follow and serve. It is the one place that says how a
// projection is driven, what a follower waits out and how it reports; the front ends
// only render its Reports. Catch-ups through one Runner are serialised, so a server's
// command handlers and its follower may share it.
//
// Set the fields before the first call; they are not changed while it runs.
type Runner struct {
	Ledger *Ledger
	// Source returns the log to read. It is asked for every catch-up: a reconnect may
	// replace the connection (see Reconnect).
	Source func() Source
	// Report, when set, is told what the runner does: it draws the progress bar, prints
	// warnings and summaries, sets a dashboard's status. Batch reports come from the
	// goroutine that applies batches.
	Report func(Report)

	// The outage rule of Follow. Busy reports an error meaning the store is locked by
	// another program; Down one meaning the log is unavailable. Follow waits either out,
	// keeping what is committed, and resumes at the committed offsets; any other error
	// ends it. Nil: no error is waited out.
	Busy, Down func(error) bool
	// Reconnect, when set, is called during an outage of the log, having lasted down, to
	// find it again (an embedded broker restarted on another port). It returns what swaps
	// the new connection in, or nil; the swap runs with no catch-up in flight.
	Reconnect func(ctx context.Context, down time.Duration) (swap func())
	// Poll is how often Follow looks for new records.
	Poll time.Duration
	// EveryPoll makes Follow catch up on every Poll tick, and retry on the next tick after
	// an outage error (serve). Otherwise it catches up as soon as the log holds records past
	// the committed offsets, looking every Poll, and retries Retry after an outage error.
	EveryPoll bool
	Retry     time.Duration

	mu sync.Mutex // held by a catch-up
	// waited is the high watermarks Follow last went back to work at. Offsets that give
	// no record (a transaction's marker, an aborted batch) keep the stored offsets below
	// the watermark for good: only a watermark that moved since means new records.
	waited map[int32]int64
}

// ReportKind says what a Report tells.
type ReportKind int

const (
	// Started: a catch-up begins with Total records to apply.
	Started ReportKind = iota
	// Batch: a batch was committed, doing Stats.
	Batch
	// Finished: a catch-up that Started ended, having done Stats, with Err.
	Finished
	// CaughtUp: Follow caught up without error, doing Stats in Took.
	CaughtUp
	// Paused: Follow began waiting out an outage, Err; Busy says the store is locked
	// rather than the log unavailable. A change of kind is a new outage.
	Paused
	// Resumed: the outage (Busy or not) is over after Took, rounded to the second.
	Resumed
)

// Report is what a Runner tells its caller.
type Report struct {
	Kind  ReportKind
	Total int64
	Stats Stats
	Took  time.Duration
	Err   error
	Busy  bool
}

func (r *Runner) report(rep Report) {
	if r.Report != nil {
		r.Report(rep)
	}
}

// CatchUp applies everything the log holds that the store lacks. It implements
// commands.Projection.
func (r *Runner) CatchUp(ctx context.Context) error {
	_, err := r.CatchUpTo(ctx, nil)
	return err
}

// CatchUpTo applies the records before the given offsets (nil: the log's current high
// watermarks) that the store lacks, and returns what it did, even on failure.
func (r *Runner) CatchUpTo(ctx context.Context, until map[int32]int64) (Stats, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	src := r.Source()
	if until == nil {
		var err error
		if until, err = src.HighWatermarks(ctx); err != nil {
			return Stats{}, err
		}
	}
	var total int64
	from, err := r.Ledger.Offsets(ctx)
	if err != nil {
		return Stats{}, err
	}
	for p, end := range until {
		total += max(0, end-from[p])
	}
	r.report(Report{Kind: Started, Total: total})
	r.Ledger.OnProgress(func(s Stats) { r.report(Report{Kind: Batch, Stats: s}) })
	stats, err := r.Ledger.CatchUpTo(ctx, src, until)
	r.report(Report{Kind: Finished, Stats: stats, Err: err})
	return stats, err
}

// Follow catches up, then keeps catching up with new records until ctx ends, when it
// returns nil: every committed batch is intact. Outages (see Busy and Down) are waited
// out and reported; any other error is returned.
func (r *Runner) Follow(ctx context.Context) error {
	var tick <-chan time.Time
	if r.EveryPoll {
		t := time.NewTicker(r.Poll)
		defer t.Stop()
		tick = t.C
	}
	var down outage
	for {
		start := time.Now()
		stats, err := r.CatchUpTo(ctx, nil)
		if err == nil {
			if took, busy, ok := down.end(); ok {
				r.report(Report{Kind: Resumed, Took: took, Busy: busy})
			}
			r.report(Report{Kind: CaughtUp, Stats: stats, Took: time.Since(start)})
			if tick != nil {
				err = wait(ctx, tick)
			} else {
				err = r.waitForNew(ctx)
			}
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case r.waits(err):
			busy := r.Busy != nil && r.Busy(err)
			if down.begin(busy) {
				r.report(Report{Kind: Paused, Err: err, Busy: busy})
			}
			if r.Down != nil && r.Down(err) && r.Reconnect != nil {
				if swap := r.Reconnect(ctx, down.sourceDown()); swap != nil {
					r.mu.Lock()
					swap()
					r.mu.Unlock()
				}
			}
			retry := tick
			if retry == nil {
				retry = time.After(r.Retry)
			}
			if wait(ctx, retry) != nil {
				return nil
			}
		case err != nil:
			return err
		}
	}
}

// waits reports whether err is an outage Follow waits out.
func (r *Runner) waits(err error) bool {
	return err != nil && (r.Busy != nil && r.Busy(err) || r.Down != nil && r.Down(err))
}

// waitForNew returns when some partition holds records past the committed offsets,
// looking every Poll, or when ctx ends.
func (r *Runner) waitForNew(ctx context.Context) error {
	r.mu.Lock()
	src := r.Source()
	r.mu.Unlock()
	t := time.NewTicker(r.Poll)
	defer t.Stop()
	for {
		from, err := r.Ledger.Offsets(ctx)
		if err != nil {
			return err
		}
		hw, err := src.HighWatermarks(ctx)
		if err != nil {
			return err
		}
		for p, end := range hw {
			if end > from[p] && end != r.waited[p] {
				r.waited = hw
				return nil
			}
		}
		if err := wait(ctx, t.C); err != nil {
			return err
		}
	}
}

// wait returns nil at the next tick, or ctx's error when it ends first.
func wait(ctx context.Context, tick <-chan time.Time) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tick:
		return nil
	}
}

// outage is what Follow is waiting out: the log unavailable, or the store's write lock
// held by another program. Nothing is lost meanwhile: a batch that failed was rolled
// back, and the next one starts at the committed offsets.
type outage struct {
	busy  bool // the store locked, not the log unavailable
	since time.Time
}

// begin records an outage error and reports whether a new outage begins.
func (o *outage) begin(busy bool) bool {
	if !o.since.IsZero() && o.busy == busy {
		return false
	}
	o.busy, o.since = busy, time.Now()
	return true
}

// end returns, if an outage was going on, how long it lasted and its kind.
func (o *outage) end() (took time.Duration, busy bool, ok bool) {
	if o.since.IsZero() {
		return 0, false, false
	}
	took = time.Since(o.since).Round(time.Second)
	busy = o.busy
	*o = outage{}
	return took, busy, true
}

// sourceDown returns how long the log has been unavailable, or 0.
func (o *outage) sourceDown() time.Duration {
	if o.since.IsZero() || o.busy {
		return 0
	}
	return time.Since(o.since)
}
