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
	// PutStock stores the product's current state.
	PutStock(s domain.Snapshot) error
	// AcceptedCommands returns which of the command IDs the store holds as accepted.
	AcceptedCommands(ids []string) (map[string]bool, error)
	// Span returns the product's balances around business date d, as every event
	// accepted so far in this transaction left them.
	Span(p domain.ProductID, d domain.BusinessDate) (domain.Span, error)
	// Accept records an accepted event: its ledger row, the product's state after it, and
	// where it landed among the product's balances by date, which it shifts. For a void
	// or a correction (eff.Voided set) it also marks the voided operation, moves the
	// balances after it within its date and after its date, and records the repair; a
	// void adds no ledger row, a correction adds the operation it records.
	Accept(pos domain.Position, e domain.Event, after domain.Snapshot, eff domain.Effect) error
	// Target returns the operation whose event ID is id, as deciding a void or a
	// correction needs it, or nil when the store holds no operation with that ID.
	Target(id string) (*domain.Target, error)
	// Timeline returns product p's balances by date as every event accepted so far in
	// this transaction left them. Deciding a repair changes it and restores it.
	Timeline(p domain.ProductID) (*domain.Timeline, error)
	// ClosedThrough returns the last closed day of partition, zero when none is.
	ClosedThrough(partition int32) (domain.BusinessDate, error)
	// ClosePeriod records an accepted PeriodClosed event of partition.
	ClosePeriod(pos domain.Position, e domain.Event) error
	// Locations returns the locations partition knows (main is implied).
	Locations(partition int32) ([]domain.Location, error)
	// PutLocation records an accepted location event of partition and the location it left.
	PutLocation(pos domain.Position, e domain.Event, l domain.Location) error
	// Held returns what the products of partition hold in location l, with the stock of
	// the products in stocks (changed in this transaction) taken from there.
	Held(partition int32, l domain.LocationID, stocks []domain.Snapshot) (int64, error)
	// PlaceSpan returns p's balances in l around d, as Span does for the product.
	PlaceSpan(p domain.ProductID, l domain.LocationID, d domain.BusinessDate) (domain.Span, error)
	// TargetPlaces completes t, of a product kept in several locations, with the balances
	// around it in each location it moved (TargetPlace.Prior and Rest).
	TargetPlaces(t *domain.Target) error
	// PlaceTimeline returns p's balances by date in l, as Timeline does for the product.
	PlaceTimeline(p domain.ProductID, l domain.LocationID) (*domain.Timeline, error)
	// Thresholds returns product p's thresholds (thresholds.go), as committed.
	Thresholds(p domain.ProductID) ([]domain.Threshold, error)
	// PutThreshold records an accepted ThresholdSet (its threshold replaces the one of
	// its scope) or ThresholdCleared (the threshold of its scope is removed).
	PutThreshold(pos domain.Position, e domain.Event) error
	// Cross records a crossing an accepted event made.
	Cross(c Crossing) error
	Reject(pos domain.Position, e domain.Event, reason, detail string) error
	Skip(pos domain.Position, reason, detail string) error
	// Gap records offsets first to last of partition that the log failed to give; a gap
	// recorded before is kept once.
	Gap(partition int32, first, last int64, kind, detail string) error
}

// Ledger projects stock events into the operations ledger and current stock, applying
// the log's rule to every event in log order.
type Ledger struct {
	store Store
	// stocks, when not nil, holds every product's state across batches: only for a store
	// no other process writes, such as a replay's private file.
	stocks map[domain.ProductID]*domain.Stock
	// accepted, with stocks, filters command IDs before the store is asked.
	accepted *bloom
	started  bool
	// progress, when set, is told what each committed batch did.
	progress func(Stats)
	// partitionOf, when set, gives the partition a record key belongs in.
	partitionOf func(key []byte) int32
	// closed, with stocks, holds each partition's closed-through day across batches;
	// locations the same for each partition's locations.
	closed    map[int32]domain.BusinessDate
	locations map[int32]*domain.Locations
	// thresholds, with stocks, holds every product's thresholds across batches.
	thresholds map[domain.ProductID][]domain.Threshold
}

// CheckPartitions makes the ledger skip events found in another partition than
// partitionOf gives for their key. A product's events are ordered only within one
// partition; one written elsewhere (by a producer with another partitioner) would be
// ordered against the others by read timing, and replays would disagree.
func (l *Ledger) CheckPartitions(partitionOf func(key []byte) int32) { l.partitionOf = partitionOf }

// OnProgress makes the ledger call fn after each batch it commits during a catch-up.
func (l *Ledger) OnProgress(fn func(Stats)) { l.progress = fn }

// NewLedger returns a ledger projection writing to store, which other processes may be
// projecting into as well.
func NewLedger(store Store) *Ledger {
	if store == nil {
		panic("projections: nil store")
	}
	return &Ledger{store: store}
}

// NewExclusiveLedger returns a ledger projection that is the only writer of store, as
// when rebuilding into a new file. It keeps current stock in memory across batches
// instead of reading it back for each one.
func NewExclusiveLedger(store Store) *Ledger {
	l := NewLedger(store)
	l.stocks = make(map[domain.ProductID]*domain.Stock)
	l.closed = make(map[int32]domain.BusinessDate)
	l.locations = make(map[int32]*domain.Locations)
	l.thresholds = make(map[domain.ProductID][]domain.Threshold)
	l.accepted = newBloom()
	return l
}

// decoded is a record with its event, or why it is not one.
type decoded struct {
	domain.Record
	event domain.Event
	err   error
}

func decode(batch []domain.Record) []decoded {
	out := make([]decoded, len(batch))
	for i, r := range batch {
		out[i].Record = r
		out[i].event, out[i].err = domain.UnmarshalEvent(r.Value)
	}
	return out
}

// Apply applies a batch of records, in log order within each partition, in one
// transaction. Records at offsets already applied are ignored, so a batch may be
// delivered again after a crash or by a second process projecting the same log.
func (l *Ledger) Apply(ctx context.Context, batch []domain.Record) (Stats, error) {
	return l.apply(ctx, decode(batch))
}

func (l *Ledger) apply(ctx context.Context, batch []decoded) (Stats, error) {
	var stats Stats
	err := l.store.Project(ctx, func(tx Tx) error {
		stats = Stats{}
		next := make(map[int32]int64)
		b := batchState{loaded: make(map[domain.ProductID]*domain.Stock), changed: make(map[domain.ProductID]*domain.Stock),
			acceptedNow: make(map[string]bool), closed: make(map[int32]domain.BusinessDate),
			locations: make(map[int32]*domain.Locations)}
		if l.thresholds == nil {
			b.thresholds = make(map[domain.ProductID][]domain.Threshold)
		}
		var err error
		if b.acceptedBefore, err = l.acceptedBefore(tx, batch); err != nil {
			return err
		}
		for _, r := range batch {
			n, ok := next[r.Partition]
			if !ok {
				var err error
				if n, err = tx.NextOffset(r.Partition); err != nil {
					return err
				}
			}
			if r.Gap != "" {
				var err error
				if next[r.Partition], err = l.gap(tx, r.Record, n, &stats); err != nil {
					return err
				}
				continue
			}
			stats.Read++
			if r.Offset < n {
				stats.Seen++
				next[r.Partition] = n
				continue
			}
			next[r.Partition] = r.Offset + 1
			o, why, err := l.applyOne(tx, r, &b)
			if err != nil {
				return err
			}
			switch o {
			case outcomeAccepted:
				stats.Accepted++
			case outcomeRejected:
				stats.Rejected++
			case outcomeSkipped:
				stats.skipped(r.Position, why.reason, why.detail)
			}
		}
		for _, s := range b.changed {
			if err := tx.PutStock(s.Snapshot()); err != nil {
				return err
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
		if l.stocks != nil {
			// The transaction rolled back: memory may be ahead of the store.
			clear(l.stocks)
			clear(l.closed)
			clear(l.locations)
			clear(l.thresholds)
		}
		return Stats{}, fmt.Errorf("project: %w", err)
	}
	return stats, nil
}

// gap records a gap the source reported, given the partition's next offset n, and
// returns the next offset after it. A gap already passed was recorded by whoever passed
// it; a record out of order is recorded wherever it comes, once.
func (l *Ledger) gap(tx Tx, r domain.Record, n int64, stats *Stats) (int64, error) {
	first, last := r.Offset, r.GapLast
	if r.Gap == domain.GapMissing {
		if last < n {
			return n, nil
		}
		first, n = max(first, n), last+1
	}
	text := domain.GapText(r.Partition, first, last, r.Gap)
	stats.Gaps++
	if len(stats.GapTexts) < maxGapTexts {
		stats.GapTexts = append(stats.GapTexts, text)
	}
	return n, tx.Gap(r.Partition, first, last, r.Gap, text)
}

type outcome int

const (
	outcomeAccepted outcome = iota
	outcomeRejected
	outcomeSkipped
)

// applyOne applies the log's rule to one record. The checks run in a fixed order —
// sequence and invariants, then the command's earlier acceptance — so that every replay
// gives the same reason for the same rejection.
// batchState is what one transaction has read and changed.
type batchState struct {
	loaded         map[domain.ProductID]*domain.Stock      // products read in this transaction
	changed        map[domain.ProductID]*domain.Stock      // products with an accepted event, stored at commit
	acceptedBefore map[string]bool                         // commands of the batch accepted by earlier batches
	acceptedNow    map[string]bool                         // commands accepted in this batch
	closed         map[int32]domain.BusinessDate           // partitions' closed-through days read or changed
	locations      map[int32]*domain.Locations             // partitions' locations read or changed
	thresholds     map[domain.ProductID][]domain.Threshold // products' thresholds read or changed (shared ledger)
}

// acceptedBefore asks the store, in one call per batch, which of the batch's commands it
// already holds; an exclusive ledger asks only about those its filter cannot rule out.
func (l *Ledger) acceptedBefore(tx Tx, batch []decoded) (map[string]bool, error) {
	ids := make([]string, 0, len(batch))
	for _, r := range batch {
		if r.err != nil {
			continue
		}
		if l.accepted != nil && !l.accepted.mayContain(r.event.CommandID) {
			continue
		}
		ids = append(ids, r.event.CommandID)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return tx.AcceptedCommands(ids)
}

// skip is why a record was skipped.
type skip struct{ reason, detail string }

func (l *Ledger) applyOne(tx Tx, r decoded, b *batchState) (outcome, skip, error) {
	if r.err != nil {
		why := skip{SkipReason(r.err), r.err.Error()}
		return outcomeSkipped, why, tx.Skip(r.Position, why.reason, why.detail)
	}
	e := r.event
	if e.Type == domain.TypePeriodClosed {
		return l.closePeriod(tx, r, b)
	}
	if domain.IsLocationEvent(e.Type) {
		return l.location(tx, r, b)
	}
	// Per-product order holds only inside one partition: an event keyed differently from
	// its product may sit in another partition and would be ordered by read timing.
	if string(r.Key) != e.Product.String() {
		why := skip{"key_mismatch", fmt.Sprintf("record key %q differs from product_id %q", r.Key, e.Product)}
		return outcomeSkipped, why, tx.Skip(r.Position, why.reason, why.detail)
	}
	if l.partitionOf != nil {
		if want := l.partitionOf(r.Key); want != r.Partition {
			why := skip{"wrong_partition", fmt.Sprintf("key %q belongs in partition %d (murmur2, as Kafka's Java client partitions)", r.Key, want)}
			return outcomeSkipped, why, tx.Skip(r.Position, why.reason, why.detail)
		}
	}
	s, err := l.stock(tx, e.Product, b)
	if err != nil {
		return 0, skip{}, err
	}
	if domain.IsThresholdEvent(e.Type) {
		return l.threshold(tx, r, s, b)
	}
	ts, err := l.thresholdsOf(tx, e.Product, b)
	if err != nil {
		return 0, skip{}, err
	}
	c, err := l.conditions(tx, r.Partition, s, e, b)
	if err != nil {
		return 0, skip{}, err
	}
	// The aggregate's check runs once: Apply checks before it changes anything, and a
	// command accepted before is first checked alone, since the check's reason comes first.
	if b.acceptedBefore[e.CommandID] || b.acceptedNow[e.CommandID] {
		if err := s.Check(e, c); err != nil {
			return outcomeRejected, skip{}, tx.Reject(r.Position, e, domain.RejectionReason(err), err.Error())
		}
		return outcomeRejected, skip{}, tx.Reject(r.Position, e, domain.RejectionReason(domain.ErrDuplicateCommand),
			fmt.Sprintf("command %s was already accepted", e.CommandID))
	}
	w := watch(s, ts)
	eff, err := s.Apply(e, c)
	if err != nil {
		return outcomeRejected, skip{}, tx.Reject(r.Position, e, domain.RejectionReason(err), err.Error())
	}
	if l.accepted != nil {
		l.accepted.add(e.CommandID)
	}
	b.changed[e.Product] = s
	b.acceptedNow[e.CommandID] = true
	if err := crossings(tx, r.Position, e, s, ts, &w); err != nil {
		return 0, skip{}, err
	}
	return outcomeAccepted, skip{}, tx.Accept(r.Position, e, s.Snapshot(), eff)
}

// conditions returns what deciding e needs besides its product's state: the closed
// period of its partition, and its product's balances around its date when it is dated
// before the product's latest operation (the only case that reads them); for a void or
// a correction, the operation it names and the product's balances by date.
func (l *Ledger) conditions(tx Tx, partition int32, s *domain.Stock, e domain.Event, b *batchState) (domain.Conditions, error) {
	var c domain.Conditions
	var err error
	if c.ClosedThrough, err = l.closedThrough(tx, partition, b); err != nil {
		return c, err
	}
	if c.Locations, err = l.locationsOf(tx, partition, b); err != nil {
		return c, err
	}
	if e.Type == domain.TypeOperationVoided || e.Type == domain.TypeOperationCorrected {
		if c.Target, err = tx.Target(e.Target); err != nil {
			return c, err
		}
		if c.Line, err = tx.Timeline(e.Product); err != nil {
			return c, err
		}
		for _, l := range s.RepairPlaces(c.Target) {
			if c.PlaceLines == nil {
				if err = tx.TargetPlaces(c.Target); err != nil {
					return c, err
				}
				c.PlaceLines = make(map[domain.LocationID]*domain.Timeline, 2)
			}
			if c.PlaceLines[l], err = tx.PlaceTimeline(e.Product, l); err != nil {
				return c, err
			}
		}
		return c, nil
	}
	if s.Backdated(e.BusinessDate) {
		if c.Span, err = tx.Span(e.Product, e.BusinessDate); err != nil {
			return c, err
		}
	}
	if s.BackdatedIn(e.Location, e.BusinessDate) {
		if c.Place, err = tx.PlaceSpan(e.Product, e.Location, e.BusinessDate); err != nil {
			return c, err
		}
	}
	if e.Type == domain.TypeStockTransferred && s.BackdatedIn(e.To, e.BusinessDate) {
		if c.To, err = tx.PlaceSpan(e.Product, e.To, e.BusinessDate); err != nil {
			return c, err
		}
	}
	return c, nil
}

// locationsOf returns the partition's locations, read once per batch (once per run for
// an exclusive ledger).
func (l *Ledger) locationsOf(tx Tx, partition int32, b *batchState) (*domain.Locations, error) {
	if ls, ok := b.locations[partition]; ok {
		return ls, nil
	}
	ls, ok := l.locations[partition]
	if !ok {
		list, err := tx.Locations(partition)
		if err != nil {
			return nil, err
		}
		ls = domain.RestoreLocations(list)
		if l.locations != nil {
			l.locations[partition] = ls
		}
	}
	b.locations[partition] = ls
	return ls, nil
}

// location applies a partition's copy of a location event: accepted when the partition's
// locations allow it (a close only where its products hold nothing there), rejected
// otherwise (a retried copy, a close racing with a restock).
func (l *Ledger) location(tx Tx, r decoded, b *batchState) (outcome, skip, error) {
	e := r.event
	ls, err := l.locationsOf(tx, r.Partition, b)
	if err != nil {
		return 0, skip{}, err
	}
	var held int64
	if e.Type == domain.TypeLocationClosed {
		changed := make([]domain.Snapshot, 0, len(b.changed))
		for _, s := range b.changed {
			changed = append(changed, s.Snapshot())
		}
		if held, err = tx.Held(r.Partition, e.Location, changed); err != nil {
			return 0, skip{}, err
		}
	}
	if err := ls.Apply(e, held); err != nil {
		return outcomeRejected, skip{}, tx.Reject(r.Position, e, domain.RejectionReason(err), err.Error())
	}
	loc, _ := ls.Get(e.Location)
	return outcomeAccepted, skip{}, tx.PutLocation(r.Position, e, loc)
}

// closedThrough returns the partition's closed-through day, read once per batch (once
// per run for an exclusive ledger).
func (l *Ledger) closedThrough(tx Tx, partition int32, b *batchState) (domain.BusinessDate, error) {
	if d, ok := b.closed[partition]; ok {
		return d, nil
	}
	d, ok := l.closed[partition]
	if !ok {
		var err error
		if d, err = tx.ClosedThrough(partition); err != nil {
			return d, err
		}
		if l.closed != nil {
			l.closed[partition] = d
		}
	}
	b.closed[partition] = d
	return d, nil
}

// closePeriod applies a partition's copy of a PeriodClosed event: accepted when it moves
// the partition's closed day forward, rejected otherwise (a retried or stale close).
func (l *Ledger) closePeriod(tx Tx, r decoded, b *batchState) (outcome, skip, error) {
	e := r.event
	closed, err := l.closedThrough(tx, r.Partition, b)
	if err != nil {
		return 0, skip{}, err
	}
	if _, err := domain.ClosePeriod(closed, e.BusinessDate, domain.Metadata{}); err != nil {
		return outcomeRejected, skip{}, tx.Reject(r.Position, e, domain.RejectionReason(err), err.Error())
	}
	b.closed[r.Partition] = e.BusinessDate
	if l.closed != nil {
		l.closed[r.Partition] = e.BusinessDate
	}
	return outcomeAccepted, skip{}, tx.ClosePeriod(r.Position, e)
}

// stock returns the product's aggregate, loading it once per batch (or once per run for
// an exclusive ledger).
func (l *Ledger) stock(tx Tx, p domain.ProductID, b *batchState) (*domain.Stock, error) {
	if s, ok := b.loaded[p]; ok {
		return s, nil
	}
	s, ok := l.stocks[p]
	if !ok {
		snap, err := tx.Stock(p)
		if err != nil {
			return nil, err
		}
		s = domain.RestoreStock(snap)
		if l.stocks != nil {
			l.stocks[p] = s
		}
	}
	b.loaded[p] = s
	return s, nil
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
