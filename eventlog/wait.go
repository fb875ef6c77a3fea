package eventlog

import (
	"context"
	"time"
)

// OffsetStore tells where a projection stands.
type OffsetStore interface {
	Offsets(ctx context.Context) (map[int32]int64, error)
}

// WaitForNew returns when some partition holds records past the offsets in store,
// checking the high watermarks every poll, or when ctx ends.
func (l *Log) WaitForNew(ctx context.Context, store OffsetStore, poll time.Duration) error {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		from, err := store.Offsets(ctx)
		if err != nil {
			return err
		}
		hw, err := l.HighWatermarks(ctx)
		if err != nil {
			return err
		}
		for p, end := range hw {
			if end > from[p] {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
