package eventlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"
	"github.com/stockctl/stockctl/domain"
)

// ErrCopyMismatch means the target topic holds records that are not a copy of the
// source's, so copying on would mix two logs.
var ErrCopyMismatch = errors.New("target topic is not a copy of this log")

// CopyStats tells what a copy did.
type CopyStats struct {
	Copied  int64 // records appended to the target by this run
	Present int64 // records the target already held
}

// CopyTo copies every record of l's topic to dst's topic, partition p to partition p, in
// order, so each product keeps its partition and its events' order. It resumes where an
// earlier copy stopped: the target's partition p is taken to hold the first records of the
// source's partition p, which is checked on its last record, and only the rest is sent.
// Records keep their keys, values and headers.
func (l *Log) CopyTo(ctx context.Context, dst *Log, progress func(done int64)) (CopyStats, error) {
	var stats CopyStats
	if dst.partitions != l.partitions {
		return stats, fmt.Errorf("%w: %s has %d partitions, %s has %d; a copy needs the same count so products keep their partitions",
			ErrCopyMismatch, dst.cfg.Topic, dst.partitions, l.cfg.Topic, l.partitions)
	}
	srcEnd, err := l.HighWatermarks(ctx)
	if err != nil {
		return stats, err
	}
	dstEnd, err := dst.HighWatermarks(ctx)
	if err != nil {
		return stats, err
	}
	for p, n := range dstEnd {
		if n > srcEnd[p] {
			return stats, fmt.Errorf("%w: partition %d of %s holds %d records, more than the %d of the source",
				ErrCopyMismatch, p, dst.cfg.Topic, n, srcEnd[p])
		}
		if n > 0 {
			if err := l.sameRecord(ctx, dst, p, n-1); err != nil {
				return stats, err
			}
		}
		stats.Present += n
	}

	sc := dst.cfg.saramaConfig()
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	sc.Producer.Flush.Bytes = 1 << 20
	sc.Producer.Flush.Frequency = 5 * time.Millisecond
	producer, err := sarama.NewAsyncProducer(dst.cfg.Brokers, sc)
	if err != nil {
		return stats, unavailable(dst.cfg, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	acked := make(chan error, 1)
	var sent int64
	sendDone := make(chan struct{})
	go func() {
		// Count acknowledgements until the sender is done and all it sent is answered.
		var done int64
		var first error
		for {
			select {
			case <-producer.Successes():
				done++
				if progress != nil && done%1000 == 0 {
					progress(done)
				}
			case perr := <-producer.Errors():
				done++
				if first == nil {
					first = perr.Err
					cancel()
				}
			case <-sendDone:
				sendDone = nil
			}
			if sendDone == nil && done == sent {
				stats.Copied = done
				acked <- first
				return
			}
		}
	}()
	readErr := l.readRaw(ctx, dstEnd, srcEnd, func(batch []rawRecord) error {
		for _, r := range batch {
			if r.Gap != "" {
				return fmt.Errorf("%w: %s; copying on would put every later record at another offset: restore the source log before copying",
					ErrDamagedLog, domain.GapText(r.Partition, r.Offset, r.GapLast, r.Gap))
			}
			msg := &sarama.ProducerMessage{
				Topic:     dst.cfg.Topic,
				Partition: r.Partition,
				Key:       sarama.ByteEncoder(r.Key),
				Value:     sarama.ByteEncoder(r.Value),
			}
			if r.Key == nil {
				msg.Key = nil
			}
			for _, h := range r.headers {
				msg.Headers = append(msg.Headers, sarama.RecordHeader{Key: h.Key, Value: h.Value})
			}
			select {
			case producer.Input() <- msg:
				sent++
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	close(sendDone)
	ackErr := <-acked
	producer.Close()
	if ackErr != nil {
		return stats, fmt.Errorf("%w: copy to %s: %v", ErrUnavailable, dst.cfg.Topic, ackErr)
	}
	if readErr != nil {
		return stats, readErr
	}
	// The target must now end where the source ended when the copy began.
	now, err := dst.HighWatermarks(ctx)
	if err != nil {
		return stats, err
	}
	for p, n := range srcEnd {
		if now[p] != n {
			return stats, fmt.Errorf("%w: after the copy, partition %d of %s ends at %d, the source at %d",
				ErrCopyMismatch, p, dst.cfg.Topic, now[p], n)
		}
	}
	return stats, nil
}

// sameRecord checks that the record at offset of partition p is the same in both logs.
func (l *Log) sameRecord(ctx context.Context, dst *Log, p int32, offset int64) error {
	get := func(from *Log) (rawRecord, error) {
		var got []rawRecord
		err := from.readRaw(ctx, map[int32]int64{p: offset}, map[int32]int64{p: offset + 1}, func(b []rawRecord) error {
			got = append(got, b...)
			return nil
		})
		if err == nil && len(got) != 1 {
			err = fmt.Errorf("%w: no record at %s/%d offset %d", ErrCopyMismatch, from.cfg.Topic, p, offset)
		}
		if len(got) == 0 {
			return rawRecord{}, err
		}
		return got[0], err
	}
	a, err := get(l)
	if err != nil {
		return err
	}
	b, err := get(dst)
	if err != nil {
		return err
	}
	if !bytes.Equal(a.Key, b.Key) || !bytes.Equal(a.Value, b.Value) {
		return fmt.Errorf("%w: record %d of partition %d differs between %s and %s: copy into a new, empty topic",
			ErrCopyMismatch, offset, p, l.cfg.Topic, dst.cfg.Topic)
	}
	return nil
}
