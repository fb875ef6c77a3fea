// Package projections builds read models from the event log. Projections are plain
// types: they see records with their log positions, never a messaging library's types,
// and they deduplicate by offset because delivery is at least once.
package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/stockctl/stockctl/domain"
)

// Position is where a record sits in the log.
type Position struct {
	Partition int32
	Offset    int64
}

// Record is one record read from the log.
type Record struct {
	Position
	Key   []byte
	Value []byte
}

// Store is the ledger read model's storage. Project runs fn in one transaction: the rows
// fn writes and the offsets it sets commit together or not at all, so a crash at any
// moment resumes exactly where the committed state ends.
type Store interface {
	Project(ctx context.Context, fn func(Tx) error) error
	// Offsets returns the next offset to apply per partition, as last committed.
	Offsets(ctx context.Context) (map[int32]int64, error)
}

// Tx is the read model inside one Project transaction.
type Tx interface {
	// NextOffset returns the offset of the first record of partition not yet applied.
	NextOffset(partition int32) (int64, error)
	SetNextOffset(partition int32, next int64) error
	// Stock returns the product's current state; a product never seen has Seq 0.
	Stock(p domain.ProductID) (domain.Snapshot, error)
	CommandAccepted(commandID string) (bool, error)
	Accept(pos Position, e domain.Event, after domain.Snapshot) error
	Reject(pos Position, e domain.Event, reason, detail string) error
	Skip(pos Position, reason, detail string) error
}

// Stats counts what a projection did with the records it was given.
type Stats struct {
	Read     int // records read from the log
	Accepted int
	Rejected int
	Skipped  int // records that are not valid stockctl events
	Seen     int // records already applied before (redelivered)
}

// Add adds o to s.
func (s *Stats) Add(o Stats) {
	s.Read += o.Read
	s.Accepted += o.Accepted
	s.Rejected += o.Rejected
	s.Skipped += o.Skipped
	s.Seen += o.Seen
}

// Ledger projects stock events into the operations ledger and current stock, applying
// the log's rule (see domain.Stock.Apply) to every event in log order.
type Ledger struct {
	store Store
}

// NewLedger returns a ledger projection writing to store.
func NewLedger(store Store) *Ledger {
	if store == nil {
		panic("projections: nil store")
	}
	return &Ledger{store: store}
}

// Apply applies a batch of records, in log order within each partition, in one
// transaction. Records at offsets already applied are ignored, so a batch may be
// delivered again after a crash or by a second process projecting the same log.
func (l *Ledger) Apply(ctx context.Context, batch []Record) (Stats, error) {
	var stats Stats
	err := l.store.Project(ctx, func(tx Tx) error {
		stats = Stats{}
		next := make(map[int32]int64)
		stocks := make(map[domain.ProductID]*domain.Stock)
		for _, r := range batch {
			stats.Read++
			n, ok := next[r.Partition]
			if !ok {
				var err error
				if n, err = tx.NextOffset(r.Partition); err != nil {
					return err
				}
			}
			if r.Offset < n {
				stats.Seen++
				next[r.Partition] = n
				continue
			}
			next[r.Partition] = r.Offset + 1
			accepted, err := l.apply(tx, r, stocks)
			if err != nil {
				return err
			}
			switch accepted {
			case outcomeAccepted:
				stats.Accepted++
			case outcomeRejected:
				stats.Rejected++
			case outcomeSkipped:
				stats.Skipped++
			}
		}
		for p, n := range next {
			if err := tx.SetNextOffset(p, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Stats{}, fmt.Errorf("project: %w", err)
	}
	return stats, nil
}

type outcome int

const (
	outcomeAccepted outcome = iota
	outcomeRejected
	outcomeSkipped
)

func (l *Ledger) apply(tx Tx, r Record, stocks map[domain.ProductID]*domain.Stock) (outcome, error) {
	e, err := domain.UnmarshalEvent(r.Value)
	if err != nil {
		return outcomeSkipped, tx.Skip(r.Position, SkipReason(err), err.Error())
	}
	// Per-product order holds only inside one partition: an event keyed differently from
	// its product may sit in another partition and would be ordered by read timing.
	if string(r.Key) != e.Product.String() {
		return outcomeSkipped, tx.Skip(r.Position, "key_mismatch",
			fmt.Sprintf("record key %q differs from product_id %q", r.Key, e.Product))
	}
	dup, err := tx.CommandAccepted(e.CommandID)
	if err != nil {
		return 0, err
	}
	if dup {
		return outcomeRejected, tx.Reject(r.Position, e, domain.RejectionReason(domain.ErrDuplicateCommand),
			fmt.Sprintf("command %s was already accepted", e.CommandID))
	}
	s, ok := stocks[e.Product]
	if !ok {
		snap, err := tx.Stock(e.Product)
		if err != nil {
			return 0, err
		}
		s = domain.RestoreStock(snap)
		stocks[e.Product] = s
	}
	if err := s.Apply(e); err != nil {
		return outcomeRejected, tx.Reject(r.Position, e, domain.RejectionReason(err), err.Error())
	}
	return outcomeAccepted, tx.Accept(r.Position, e, s.Snapshot())
}

// SkipReason returns the stable code stored for a record that is not a valid event.
func SkipReason(err error) string {
	switch {
	case errors.Is(err, domain.ErrUnknownEventType):
		return "unknown_type"
	case errors.Is(err, domain.ErrUnsupportedVersion):
		return "unsupported_version"
	}
	return "malformed"
}
