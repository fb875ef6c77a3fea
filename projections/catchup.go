package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/stockctl/stockctl/domain"
)

// ErrAheadOfLog means the read model holds events the log does not have.
var ErrAheadOfLog = errors.New("read model is ahead of the log")

// Source is the event log as a projection reads it.
type Source interface {
	// HighWatermarks returns, per partition, the offset the next record will get.
	HighWatermarks(ctx context.Context) (map[int32]int64, error)
	// Read calls fn with batches of the records from[p] <= offset < until[p] of every
	// partition, in offset order within a partition.
	Read(ctx context.Context, from, until map[int32]int64, fn func([]domain.Record) error) error
}

// CatchUp applies every record the log holds now that the read model has not applied
// yet, and returns what it did. Records appended while it runs may be left for next time.
func (l *Ledger) CatchUp(ctx context.Context, src Source) (Stats, error) {
	until, err := src.HighWatermarks(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("catch up: %w", err)
	}
	return l.CatchUpTo(ctx, src, until)
}

// Offsets returns the next offset to apply per partition, as committed.
func (l *Ledger) Offsets(ctx context.Context) (map[int32]int64, error) { return l.store.Offsets(ctx) }

// CatchUpTo applies the records before the given offsets that are not applied yet.
func (l *Ledger) CatchUpTo(ctx context.Context, src Source, until map[int32]int64) (Stats, error) {
	from, err := l.store.Offsets(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("catch up: %w", err)
	}
	if l.accepted != nil && !l.started && len(from) > 0 {
		// The filter knows only commands this ledger accepted: on a store built before,
		// every command must be looked up.
		l.accepted = nil
	}
	l.started = true
	behind := false
	for p, end := range until {
		if from[p] > end {
			// Another process sharing the read model may have projected past the high
			// watermark read earlier; only a log that is shorter now is an error.
			if now, err := src.HighWatermarks(ctx); err == nil && now[p] >= from[p] {
				continue
			}
			return Stats{}, fmt.Errorf("%w: partition %d ends at offset %d but the read model has applied up to %d; "+
				"the topic was deleted, recreated or damaged, or the read model belongs to another cluster: restore the log, "+
				"or rebuild the read model from this log with stockctl replay, which says what it would lose",
				ErrAheadOfLog, p, end, from[p])
		}
		if from[p] < end {
			behind = true
		}
	}
	var total Stats
	if !behind {
		return total, nil
	}
	// Three stages overlap: the source fetches, this goroutine decodes JSON, and the
	// applier writes SQLite, so a replay keeps both cores busy.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan []decoded, 1)
	applied := make(chan error, 1)
	go func() {
		var err error
		for b := range work {
			if err != nil {
				continue // drain after a failure
			}
			var s Stats
			s, err = l.apply(ctx, b)
			total.Add(s)
			if err == nil && l.progress != nil {
				l.progress(s)
			}
			if err != nil {
				cancel()
			}
		}
		applied <- err
	}()
	readErr := src.Read(ctx, from, until, func(batch []domain.Record) error {
		select {
		case work <- decode(batch):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(work)
	if err := <-applied; err != nil {
		return total, fmt.Errorf("catch up: %w", err)
	}
	if readErr != nil {
		return total, fmt.Errorf("catch up: %w", readErr)
	}
	return total, nil
}
