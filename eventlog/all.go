package eventlog

import (
	"context"
	"fmt"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/stockctl/stockctl/domain"
)

// AppendToAll appends e once to every partition of the topic, partition 0 first, and
// returns the position of each copy, indexed by partition. It is for an event that
// concerns every product, such as a PeriodClosed: each partition's reader then meets it
// in order with the events of that partition's products, and every replay reaches the
// same decisions (a copy in another topic, or in one partition only, would be ordered
// against the others by read timing).
//
// The copies are one record written N times: same value and event ID, and the empty key,
// which is no product's (product IDs are 1 to 64 characters) and equals the event's empty
// product_id, so no tool grouping records by key mixes them with a product's events. The
// key does not place them: each copy is sent to its partition explicitly, through the
// publisher's producer, and the reader handles the type before checking key or partition.
//
// Like Append it gives up after Config.Timeout or when ctx ends. An error with a
// NotAppended method returning true means no copy was appended; after any other error,
// some copies may have been: appending again completes the event, and a reader ignores a
// copy that comes after an equal one in its partition.
func (l *Log) AppendToAll(ctx context.Context, e domain.Event) ([]domain.Position, error) {
	if !e.Product.IsZero() {
		return nil, fmt.Errorf("append to every partition: %s event %s concerns product %q: append it with Append, to its product's partition",
			e.Type, e.ID, e.Product.String())
	}
	if err := ctx.Err(); err != nil {
		return nil, &notAppendedError{fmt.Errorf("append to every partition of %s: %w", l.cfg.Topic, err)}
	}
	msgs := make([]*message.Message, l.partitions)
	for p := range msgs {
		msg, err := newMessage(e)
		if err != nil {
			return nil, err
		}
		msg.SetContext(ctx)
		msgs[p] = msg
		l.marshaler.place(msg, int32(p))
	}
	defer func() {
		for _, m := range msgs {
			l.marshaler.place(m, -1)
		}
	}()
	positions := make([]domain.Position, len(msgs))
	deadline := time.Now().Add(l.cfg.Timeout)
	err := l.bounded(ctx, "append to every partition of "+l.cfg.Topic, func(ctx context.Context) error {
		if err := l.checkCluster(); err != nil {
			return &notAppendedError{err}
		}
		// A topic given more partitions since this process connected would leave the
		// new ones without a copy.
		// A cluster electing a leader is waited for, as a high watermark's is.
		if err := l.untilLeader(ctx, deadline, func() error { return l.client.RefreshMetadata(l.cfg.Topic) }); err != nil {
			return &notAppendedError{fmt.Errorf("%w: partitions of %s: %v", ErrUnavailable, l.cfg.Topic, err)}
		}
		if parts, err := l.client.Partitions(l.cfg.Topic); err != nil || int32(len(parts)) != l.partitions {
			return &notAppendedError{fmt.Errorf("%w: topic %s has %d partitions now (%v), not the %d it had when stockctl connected: run the command again",
				ErrUnavailable, l.cfg.Topic, len(parts), err, l.partitions)}
		}
		err := l.publisher.Publish(l.cfg.Topic, msgs...)
		for i, m := range msgs {
			if pm := l.marshaler.take(m); pm != nil {
				positions[i] = domain.Position{Partition: pm.Partition, Offset: pm.Offset}
			}
		}
		return err
	})
	if err != nil {
		return nil, l.appendFailed(err)
	}
	for p, pos := range positions {
		if pos.Partition != int32(p) {
			// Sarama's partitioner honours the choice (explicitPartition); this guards it.
			return nil, fmt.Errorf("%w: append to every partition of %s: the copy for partition %d went to partition %d",
				ErrUnavailable, l.cfg.Topic, p, pos.Partition)
		}
	}
	return positions, nil
}

// explicitPartition marks a Sarama message whose Partition was chosen by the caller;
// kafkaHashPartitioner keeps it rather than hashing the key.
type explicitPartition struct{}

// place makes msg go to partition p when the publisher marshals it; a negative p forgets
// msg.
func (m *positionMarshaler) place(msg *message.Message, p int32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.placed == nil {
		m.placed = make(map[*message.Message]int32)
	}
	if p < 0 {
		delete(m.placed, msg)
		return
	}
	m.placed[msg] = p
}

// placeMarshaled applies place's choice to the Sarama message made for msg.
func (m *positionMarshaler) placeMarshaled(msg *message.Message, pm *sarama.ProducerMessage) {
	if p, ok := m.placed[msg]; ok {
		pm.Partition = p
		pm.Metadata = explicitPartition{}
	}
}
