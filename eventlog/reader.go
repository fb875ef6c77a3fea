package eventlog

import (
	"context"
	"fmt"
	"sync"

	"github.com/stockctl/stockctl/projections"
)

// readBatch is how many records a batch handed to the projection holds at most.
const readBatch = 2000

// Read reads every partition p from offset from[p] up to, not including, until[p], and
// calls fn with batches of records in offset order within each partition. fn runs on
// the calling goroutine, one batch at a time, while the partitions are fetched in the
// background.
//
// watermill-kafka's subscriber can start a partition only at the oldest or newest offset
// and, in consumer-group mode, may redeliver after a restart; a projection resumes at the
// offsets committed in its own database, so this reads with Sarama's ConsumePartition.
func (l *Log) Read(ctx context.Context, from, until map[int32]int64, fn func([]projections.Record) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	records := make(chan projections.Record, readBatch)
	errc := make(chan error, len(until))
	var wg sync.WaitGroup
	for p, end := range until {
		start := from[p]
		if start >= end {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.readPartition(ctx, p, start, end, records); err != nil {
				errc <- err
				cancel()
			}
		}()
	}
	go func() {
		wg.Wait()
		close(records)
	}()

	for {
		r, ok := <-records
		if !ok {
			break
		}
		batch := []projections.Record{r}
		// Take what has already arrived, up to a full batch, rather than wait for more.
	drain:
		for len(batch) < readBatch {
			select {
			case r, ok := <-records:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		if err := fn(batch); err != nil {
			return err
		}
	}
	select {
	case err := <-errc:
		return err
	default:
		return ctx.Err()
	}
}

func (l *Log) readPartition(ctx context.Context, p int32, start, end int64, out chan<- projections.Record) error {
	pc, err := l.consumer.ConsumePartition(l.cfg.Topic, p, start)
	if err != nil {
		return fmt.Errorf("%w: read %s/%d from offset %d: %v", ErrUnavailable, l.cfg.Topic, p, start, err)
	}
	defer pc.Close()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-pc.Errors():
			return fmt.Errorf("%w: read %s/%d: %v", ErrUnavailable, l.cfg.Topic, p, err)
		case m := <-pc.Messages():
			if m == nil {
				return fmt.Errorf("%w: read %s/%d: consumer closed", ErrUnavailable, l.cfg.Topic, p)
			}
			r := projections.Record{
				Position: projections.Position{Partition: m.Partition, Offset: m.Offset},
				Key:      m.Key,
				Value:    m.Value,
			}
			select {
			case out <- r:
			case <-ctx.Done():
				return nil
			}
			if m.Offset+1 >= end {
				return nil
			}
		}
	}
}
