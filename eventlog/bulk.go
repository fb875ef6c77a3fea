package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/stockctl/stockctl/domain"
)

// AppendBulk appends many events with a batching producer and returns once all are
// acknowledged; progress, if not nil, is called with the count acknowledged so far.
// Order per product is kept: one partition per product, and the idempotent producer
// with one request in flight never reorders a partition.
//
// watermill-kafka's publisher sends one message per request and waits for each
// acknowledgement (about 13k messages/s on the embedded broker); an import or a
// benchmark needs Sarama's asynchronous producer, which batches per partition.
func (l *Log) AppendBulk(ctx context.Context, events []domain.Event, progress func(done int)) error {
	if len(events) == 0 {
		return nil
	}
	// Checked before anything is sent, so that a refused batch appends nothing.
	for _, e := range events {
		if err := checkKeyed(e); err != nil {
			return err
		}
	}
	sc := l.cfg.saramaConfig()
	sc.Producer.Flush.Bytes = 1 << 20
	sc.Producer.Flush.Frequency = 5 * time.Millisecond
	sc.Producer.Return.Successes = true
	sc.ChannelBufferSize = 4096
	producer, err := sarama.NewAsyncProducer(l.cfg.Brokers, sc)
	if err != nil {
		return unavailable(l.cfg, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	feedErr := make(chan error, 1)
	go func() {
		defer close(feedErr)
		for _, e := range events {
			// Marshalled as the publisher does, so both paths produce alike records.
			msg, err := newRecord(l.cfg.Topic, e)
			if err != nil {
				feedErr <- err
				return
			}
			select {
			case producer.Input() <- msg:
			case <-ctx.Done():
				return
			}
		}
	}()

	done := 0
	var firstErr error
	// The producer retries without end against a broker that never answers: give up when
	// nothing was acknowledged for Config.Timeout.
	stall := time.NewTimer(l.cfg.Timeout)
	defer stall.Stop()
	for done < len(events) && firstErr == nil {
		select {
		case <-producer.Successes():
			done++
			if progress != nil && (done%1000 == 0 || done == len(events)) {
				progress(done)
			}
			stall.Reset(l.cfg.Timeout)
		case <-stall.C:
			firstErr = fmt.Errorf("%w: append to %s: %w: no acknowledgement from Kafka at %s within %s (see --timeout)",
				ErrUnavailable, l.cfg.Topic, errTimeout, strings.Join(l.cfg.Brokers, ","), l.cfg.Timeout)
		case perr := <-producer.Errors():
			firstErr = l.appendFailed(perr.Err)
		case err, ok := <-feedErr:
			if ok && err != nil {
				firstErr = err
			}
			feedErr = nil
		case <-ctx.Done():
			firstErr = ctx.Err()
		}
	}
	cancel()
	if firstErr != nil {
		// Close waits for messages in flight, which a stalled broker never answers.
		producer.AsyncClose()
		go func() {
			for range producer.Successes() {
			}
		}()
		go func() {
			for range producer.Errors() {
			}
		}()
		return firstErr
	}
	closeErr := producer.Close()
	if closeErr != nil {
		var perrs sarama.ProducerErrors
		if errors.As(closeErr, &perrs) {
			return fmt.Errorf("%w: append to %s: %d of %d events failed: %v", ErrUnavailable, l.cfg.Topic, len(perrs), len(events), perrs[0].Err)
		}
	}
	return nil
}
