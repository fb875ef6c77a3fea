package projections

import (
	"fmt"

	"github.com/stockctl/stockctl/domain"
)

// Reorder points (issue 20; docs/architecture.md, "Reorder points and alerts"). A
// threshold event is applied in log order on its product's partition, and every accepted
// event is watched for the crossings it makes: the product's total for zero, each scope
// with a threshold for its minimum. The crossings come from the log in log order, so a
// replay writes the same rows.

// Crossing is a watched stock's crossing that an accepted event made.
type Crossing struct {
	Pos   domain.Position
	Event domain.Event
	// Scope is "" for the product's total, else the location's ID (threshold.Scope).
	Scope string
	// Kind is domain.CrossedZero or domain.CrossedBelowMin.
	Kind string
	// Stock is the stock watched after the event, in hundredths; Min the minimum crossed
	// (HasMin false for a zero crossing of a stock no threshold watches).
	Stock  int64
	Min    int64
	HasMin bool
}

// thresholdsOf returns p's thresholds, read once per batch (once per run for an
// exclusive ledger, which keeps them all in memory).
func (l *Ledger) thresholdsOf(tx Tx, p domain.ProductID, b *batchState) ([]domain.Threshold, error) {
	if l.thresholds != nil {
		if ts, ok := l.thresholds[p]; ok {
			return ts, nil
		}
	} else if ts, ok := b.thresholds[p]; ok {
		return ts, nil
	}
	ts, err := tx.Thresholds(p)
	if err != nil {
		return nil, err
	}
	if l.thresholds != nil {
		l.thresholds[p] = ts
	} else {
		b.thresholds[p] = ts
	}
	return ts, nil
}

func (l *Ledger) putThresholds(p domain.ProductID, ts []domain.Threshold, b *batchState) {
	if l.thresholds != nil {
		l.thresholds[p] = ts
	} else {
		b.thresholds[p] = ts
	}
}

// watched is a product's watched levels before an event: the total, and the level of
// each threshold's scope (the total's again for a threshold on the total).
type watched struct {
	total  int64
	levels [4]int64
	more   []int64 // beyond four thresholds
}

func levelOf(s *domain.Stock, t domain.Threshold) int64 {
	if t.PerLocation {
		return s.PlaceLevel(t.Location).Cents()
	}
	return s.Level().Cents()
}

func (w *watched) set(i int, v int64) {
	if i < len(w.levels) {
		w.levels[i] = v
		return
	}
	w.more = append(w.more, v)
}

func (w *watched) get(i int) int64 {
	if i < len(w.levels) {
		return w.levels[i]
	}
	return w.more[i-len(w.levels)]
}

// watch reads the levels an event may cross, before it is applied.
func watch(s *domain.Stock, ts []domain.Threshold) watched {
	w := watched{total: s.Level().Cents()}
	for i, t := range ts {
		w.set(i, levelOf(s, t))
	}
	return w
}

// crossings records what the accepted event e at pos made of the levels w read before
// it: the total's zero (or its minimum, when a threshold watches it) and each location
// threshold's.
func crossings(tx Tx, pos domain.Position, e domain.Event, s *domain.Stock, ts []domain.Threshold, w *watched) error {
	total, hasMin, min := s.Level().Cents(), false, int64(0)
	for i, t := range ts {
		if !t.PerLocation {
			hasMin, min = true, t.Min.Cents()
			continue
		}
		after := levelOf(s, t)
		if kind := domain.Crossed(w.get(i), after, t.Min.Cents(), true); kind != "" {
			if err := tx.Cross(Crossing{Pos: pos, Event: e, Scope: t.Scope(), Kind: kind, Stock: after, Min: t.Min.Cents(), HasMin: true}); err != nil {
				return err
			}
		}
	}
	if kind := domain.Crossed(w.total, total, min, hasMin); kind != "" {
		return tx.Cross(Crossing{Pos: pos, Event: e, Kind: kind, Stock: total, Min: min, HasMin: hasMin})
	}
	return nil
}

// threshold applies a ThresholdSet or ThresholdCleared of s's product: a set naming a
// location its partition does not know, or knows closed, is rejected like an operation
// there; anything else is accepted and replaces (or removes) the threshold of its scope.
// A set whose minimum is at or above the stock it watches, which was above the old
// minimum (or had none), is a crossing.
func (l *Ledger) threshold(tx Tx, r decoded, s *domain.Stock, b *batchState) (outcome, skip, error) {
	e := r.event
	t := e.Threshold()
	if e.Type == domain.TypeThresholdSet && t.PerLocation {
		ls, err := l.locationsOf(tx, r.Partition, b)
		if err != nil {
			return 0, skip{}, err
		}
		if err := ls.Check(t.Location); err != nil {
			err = fmt.Errorf("threshold of %q in %s: %w", e.Product, t.Location, err)
			return outcomeRejected, skip{}, tx.Reject(r.Position, e, domain.RejectionReason(err), err.Error())
		}
	}
	ts, err := l.thresholdsOf(tx, e.Product, b)
	if err != nil {
		return 0, skip{}, err
	}
	next := make([]domain.Threshold, 0, len(ts)+1)
	var old *domain.Threshold
	for i := range ts {
		if ts[i].Scope() == t.Scope() {
			old = &ts[i]
			continue
		}
		next = append(next, ts[i])
	}
	if e.Type == domain.TypeThresholdSet {
		next = append(next, t)
		level := levelOf(s, t)
		if level <= t.Min.Cents() && (old == nil || level > old.Min.Cents()) {
			c := Crossing{Pos: r.Position, Event: e, Scope: t.Scope(), Kind: domain.CrossedBelowMin, Stock: level, Min: t.Min.Cents(), HasMin: true}
			if err := tx.Cross(c); err != nil {
				return 0, skip{}, err
			}
		}
	}
	if len(next) == 0 {
		next = nil
	}
	l.putThresholds(e.Product, next, b)
	return outcomeAccepted, skip{}, tx.PutThreshold(r.Position, e)
}
