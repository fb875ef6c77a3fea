package domain

import (
	"errors"
	"fmt"
	"slices"
)

// Stock is the aggregate for one product: its current level and how many operations
// have been accepted for it. It changes state only in Apply.
type Stock struct {
	product  ProductID
	seq      int64
	level    Quantity
	lastDate BusinessDate
	// dateNet is the movement of the operations dated lastDate.
	dateNet int64
	// places holds the product's stock per location once it has had an operation
	// outside main (see place.go); nil until then, main's place being the product.
	places []place
}

// NewStock returns the stock of a product that has no accepted operation yet.
func NewStock(p ProductID) *Stock {
	return &Stock{product: p}
}

// Snapshot is a Stock's state in plain fields, for storing it in a read model.
type Snapshot struct {
	Product ProductID
	Seq     int64
	Level   Quantity
	// LastDate is the latest business date of an accepted operation, and DateNet what
	// the operations dated LastDate moved, in hundredths.
	LastDate BusinessDate
	DateNet  int64
	// Places is the stock per location, nil while every operation was in main.
	Places []PlaceSnapshot
}

// RestoreStock rebuilds a Stock from a snapshot taken with Stock.Snapshot.
func RestoreStock(s Snapshot) *Stock {
	st := &Stock{product: s.Product, seq: s.Seq, level: s.Level, lastDate: s.LastDate, dateNet: s.DateNet}
	if s.Places != nil {
		st.places = make([]place, 0, len(s.Places))
		for _, p := range s.Places {
			st.places = append(st.places, place{loc: p.Location, level: p.Level.cents, lastDate: p.LastDate, dateNet: p.DateNet, used: true})
		}
		slices.SortFunc(st.places, func(a, b place) int {
			switch {
			case a.loc == b.loc:
				return 0
			case before(a.loc, b.loc):
				return -1
			}
			return 1
		})
	}
	return st
}

// Snapshot returns the stock's state.
func (s *Stock) Snapshot() Snapshot {
	snap := Snapshot{Product: s.product, Seq: s.seq, Level: s.level, LastDate: s.lastDate, DateNet: s.dateNet}
	if !s.mainOnly() {
		snap.Places = s.Places()
	}
	return snap
}

// Product returns the product this stock belongs to.
func (s *Stock) Product() ProductID { return s.product }

// Seq returns the number of accepted operations for the product.
func (s *Stock) Seq() int64 { return s.seq }

// Level returns the units in stock.
func (s *Stock) Level() Quantity { return s.level }

// Conditions are what deciding an operation needs besides its product's own state.
type Conditions struct {
	// Span holds the product's balances around the operation's date. It is needed only
	// for a backdated operation (see Stock.Backdated): for any other, the stock knows
	// them itself and Span is ignored.
	Span Span
	// ClosedThrough is the last day of the closed period, zero when no period is closed.
	ClosedThrough BusinessDate
	// Target is the operation a void or a correction names, nil when the read model
	// holds no operation with that event ID. Line is the product's balances by date,
	// which deciding a void or a correction changes and restores. Other events ignore
	// both.
	Target *Target
	Line   *Timeline
	// PlaceLines are, for a void or a correction of a product kept in several locations,
	// its balances by date in each location its target moved (Target.Places).
	PlaceLines map[LocationID]*Timeline
	// Locations are the locations the product's partition knows; nil is main only.
	Locations *Locations
	// Place holds the balances around the operation's date in its location, needed only
	// when Stock.BackdatedIn says so; To the same for a transfer's destination.
	Place, To Span
}

// locations returns the known locations: main only when none are given.
func (c Conditions) locations() *Locations {
	if c.Locations == nil {
		return mainOnly
	}
	return c.Locations
}

// mainOnly is the locations of a ledger that declared none. Never changed.
var mainOnly = NewLocations()

// Effect is where an accepted operation landed among its product's balances.
type Effect struct {
	// Delta is the operation's signed movement in hundredths.
	Delta int64
	// Before is the balance at the operation's date before it, so Before+Delta is the
	// balance right after it in business-date order.
	Before int64
	// DateNet is the movement of the operations dated as it is, itself included: its
	// running total within its date, which later operations of other dates never change.
	DateNet int64
	// Backdated is true when an operation dated after it had been accepted before it.
	Backdated bool
	// Voided, for a void or a correction, is the operation it cancels. A correction's
	// Delta, Before, DateNet and Backdated are those of the operation it records, with
	// the voided one gone; a void has no operation of its own.
	Voided *Voided
	// Place is where the operation landed in its location; To, for a transfer, in its
	// destination (Place is then its source, and Delta, for the product, is 0).
	Place, To PlaceEffect
	// Spread is true for the first operation of the product outside main: from then on
	// its stock is kept per location, main's starting from what the product held.
	Spread bool
}

// After returns the balance right after the operation, in business-date order.
func (e Effect) After() int64 { return e.Before + e.Delta }

// InsufficientStockError tells how much was available when a sale was refused. It
// matches ErrInsufficientStock with errors.Is.
type InsufficientStockError struct {
	Product   ProductID
	Available Quantity
	Requested Quantity
	// NeverRestocked is true when the product has no accepted operation at all.
	NeverRestocked bool
	// Location is where the stock was short, named when not main or Transfer.
	Location LocationID
	Transfer bool
	// Backdated is true when the sale was dated before the product's latest operation:
	// then Date is the sale's date, and On the date at which the balance would fall
	// below zero, with Available the balance then. Until, when set, is the date of the
	// next operation after a date with no stock.
	Backdated bool
	Date, On  BusinessDate
	Until     BusinessDate
}

func (e *InsufficientStockError) Error() string {
	where := fmt.Sprintf("%q", e.Product)
	if !e.Location.IsMain() || e.Transfer {
		where += " in " + e.Location.String()
	}
	switch {
	case e.Backdated && e.Available.IsZero() && !e.Until.IsZero() && e.On.Equal(e.Date):
		return fmt.Sprintf("insufficient stock for %s on %s: selling %s would make its stock negative on %s: %s available then (no stock until %s)",
			where, e.Date.Day(), e.Requested, e.On.Day(), e.Available, e.Until.Day())
	case e.Backdated:
		return fmt.Sprintf("insufficient stock for %s on %s: selling %s would make its stock negative on %s: %s available then",
			where, e.Date.Day(), e.Requested, e.On.Day(), e.Available)
	case e.NeverRestocked:
		return fmt.Sprintf("insufficient stock for %s: it has never been restocked (0.00 available, %s requested)", where, e.Requested)
	}
	return fmt.Sprintf("insufficient stock for %s: %s available, %s requested", where, e.Available, e.Requested)
}

// Is makes errors.Is(err, ErrInsufficientStock) true.
func (e *InsufficientStockError) Is(target error) bool { return target == ErrInsufficientStock }

// PeriodClosedError refuses an operation dated in a closed period. It matches
// ErrPeriodClosed with errors.Is.
type PeriodClosedError struct {
	Through BusinessDate
	Date    BusinessDate
}

func (e *PeriodClosedError) Error() string {
	return fmt.Sprintf("period closed through %s: an operation dated %s can no longer be recorded", e.Through.Day(), e.Date.Day())
}

// Is makes errors.Is(err, ErrPeriodClosed) true.
func (e *PeriodClosedError) Is(target error) bool { return target == ErrPeriodClosed }

// Backdated reports whether an operation dated d would come before the product's latest
// accepted operation in business-date order, and so needs Conditions.Span to be decided.
func (s *Stock) Backdated(d BusinessDate) bool {
	return s.seq > 0 && d.t.Before(s.lastDate.t)
}

// span returns the balances around d: the stock's own for a date at or after its latest,
// given ones otherwise.
func (s *Stock) span(d BusinessDate, c Conditions) (Span, error) {
	if !s.Backdated(d) {
		sp := Span{Date: d, At: s.level.cents}
		if s.seq > 0 && d.Equal(s.lastDate) {
			sp.Net = s.dateNet
		}
		return sp, nil
	}
	if !c.Span.Date.Equal(d) || !c.Span.Later {
		return Span{}, fmt.Errorf("%w: deciding an operation of %q dated %s, before its latest (%s), needs its balances around that date",
			ErrMalformedEvent, s.product, d, s.lastDate)
	}
	return c.Span, nil
}

// Sell decides a sale of q units: it returns the StockSold event to append, or
// ErrInsufficientStock when the sale would take the stock below zero at its date or at
// any later-dated operation. It does not change s.
func (s *Stock) Sell(q Quantity, m Metadata, c Conditions) (Event, error) {
	e := newEvent(TypeStockSold, s, q, m)
	if _, err := s.check(e, c); err != nil {
		return Event{}, err
	}
	return e, nil
}

// Restock decides a replenishment of q units: it returns the StockRestocked event to
// append, or ErrStockOverflow when the stock would exceed MaxQuantity at its date or at
// any later-dated operation. It does not change s.
func (s *Stock) Restock(q Quantity, m Metadata, c Conditions) (Event, error) {
	e := newEvent(TypeStockRestocked, s, q, m)
	if _, err := s.check(e, c); err != nil {
		return Event{}, err
	}
	return e, nil
}

// check applies the invariants that must hold for e to be accepted now, and returns
// where it would land.
func (s *Stock) check(e Event, c Conditions) (Effect, error) {
	if e.Quantity.IsZero() && (e.Type == TypeStockSold || e.Type == TypeStockRestocked || e.Type == TypeStockTransferred) {
		return Effect{}, fmt.Errorf("%w: must be greater than zero", ErrInvalidQuantity)
	}
	if e.Product != s.product {
		return Effect{}, fmt.Errorf("%w: event for %q applied to %q", ErrMalformedEvent, e.Product, s.product)
	}
	if e.ExpectedSeq != s.seq+1 {
		return Effect{}, fmt.Errorf("%w: %q expects sequence %d, the product is at %d", ErrSequenceConflict, s.product, e.ExpectedSeq, s.seq)
	}
	if e.Type == TypeOperationVoided || e.Type == TypeOperationCorrected {
		return s.repair(e, c)
	}
	if !c.ClosedThrough.IsZero() && e.BusinessDate.Day() <= c.ClosedThrough.Day() {
		return Effect{}, &PeriodClosedError{Through: c.ClosedThrough, Date: e.BusinessDate}
	}
	if err := c.locations().Check(e.Location); err != nil {
		return Effect{}, err
	}
	product, err := s.span(e.BusinessDate, c)
	if err != nil {
		return Effect{}, err
	}
	sp, err := s.placeSpan(e.Location, e.BusinessDate, product, c.Place)
	if err != nil {
		return Effect{}, err
	}
	var eff Effect
	switch e.Type {
	case TypeStockCounted, TypeStockAdjusted:
		eff, err = s.countOrAdjust(e, sp)
	case TypeStockTransferred:
		return s.transfer(e, c, product, sp)
	default:
		eff, err = s.saleOrRestock(e, sp)
	}
	if err != nil {
		return Effect{}, err
	}
	// The product as a whole moves as the place does, at the product's balances.
	eff.Place = placeEffect(e.Location, eff.Delta, sp)
	eff.Before, eff.DateNet, eff.Backdated = product.At, product.Net+eff.Delta, product.Later
	return eff, nil
}

// saleOrRestock decides a sale or a restock against its place's balances sp.
func (s *Stock) saleOrRestock(e Event, sp Span) (Effect, error) {
	q := e.Quantity.cents
	eff := Effect{Before: sp.At, Backdated: sp.Later}
	switch e.Type {
	case TypeStockSold:
		eff.Delta = -q
		// The sale lowers the balance at its date and at every later one: the least of
		// them is what it may take.
		avail, on := sp.At, e.BusinessDate
		if sp.Later && sp.Low < avail {
			avail, on = sp.Low, sp.LowDate
		}
		if q > avail {
			err := &InsufficientStockError{Product: s.product, Available: Quantity{cents: max(avail, 0)}, Requested: e.Quantity,
				NeverRestocked: s.seq == 0, Backdated: sp.Later, Date: e.BusinessDate, On: on, Location: e.Location}
			if sp.Later && on.Equal(e.BusinessDate) && sp.At <= 0 {
				err.Until = sp.Next
			}
			return Effect{}, err
		}
	case TypeStockRestocked:
		eff.Delta = q
		peak, on := sp.At, e.BusinessDate
		if sp.Later && sp.High > peak {
			peak, on = sp.High, sp.HighDate
		}
		if peak+q > MaxQuantity.cents {
			if sp.Later {
				return Effect{}, fmt.Errorf("%w: %q would hold %s on %s if %s were added on %s (the most is %s)", ErrStockOverflow,
					s.product, Quantity{cents: peak + q}, on.Day(), e.Quantity, e.BusinessDate.Day(), MaxQuantity)
			}
			return Effect{}, fmt.Errorf("%w: %q holds %s, adding %s would pass %s", ErrStockOverflow, s.product, Quantity{cents: sp.At}, e.Quantity, MaxQuantity)
		}
	default:
		return Effect{}, fmt.Errorf("%w: %q", ErrUnknownEventType, e.Type)
	}
	eff.DateNet = sp.Net + eff.Delta
	return eff, nil
}

// Check reports whether Apply would accept e now, without changing s.
func (s *Stock) Check(e Event, c Conditions) error {
	_, err := s.check(e, c)
	return err
}

// Apply is the log's rule for one event, applied in log order by every projection: the
// event is accepted if it follows the current sequence, is dated after any closed period,
// and keeps the stock between zero and MaxQuantity at its business date and at every
// later-dated operation; operations of the same date are ordered by the log. Otherwise
// Apply returns why it is rejected and s is unchanged. Command deduplication is checked
// by the caller, which knows every accepted command.
func (s *Stock) Apply(e Event, c Conditions) (Effect, error) {
	eff, err := s.check(e, c)
	if err != nil {
		return Effect{}, err
	}
	repair := e.Type == TypeOperationVoided || e.Type == TypeOperationCorrected
	if !repair && (!s.mainOnly() || !e.Location.IsMain() || e.Type == TypeStockTransferred) {
		eff.Spread = s.mainOnly()
		s.spread()
		s.applyPlaces(e, eff)
	}
	s.seq = e.ExpectedSeq
	if v := eff.Voided; v != nil {
		s.level.cents -= v.Target.Delta
		if v.Target.Date.Equal(s.lastDate) {
			s.dateNet -= v.Target.Delta
		}
		// The voided places lose what the target moved there; a correction moves them
		// again as its target did (a transfer both).
		for _, tp := range v.Target.Places {
			if p := s.find(tp.Location); p != nil {
				p.level -= tp.Delta
				if p.used && v.Target.Date.Equal(p.lastDate) {
					p.dateNet -= tp.Delta
				}
			}
		}
		if e.Type == TypeOperationVoided {
			return eff, nil
		}
		if !s.mainOnly() {
			s.applyPlace(eff.Place, e.BusinessDate)
			if v.Target.Kind == TypeStockTransferred {
				s.applyPlace(eff.To, e.BusinessDate)
			}
		}
	}
	s.level.cents += eff.Delta
	switch {
	case eff.Backdated:
	case e.BusinessDate.Equal(s.lastDate):
		s.dateNet += eff.Delta
	default:
		s.lastDate, s.dateNet = e.BusinessDate, eff.Delta
	}
	return eff, nil
}

// RejectionReason returns the short, stable code stored with a rejected event.
func RejectionReason(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrDuplicateCommand):
		return "duplicate_command"
	case errors.Is(err, ErrSequenceConflict):
		return "sequence_conflict"
	case errors.Is(err, ErrInsufficientStock):
		return "insufficient_stock"
	case errors.Is(err, ErrStockOverflow):
		return "stock_overflow"
	case errors.Is(err, ErrPeriodClosed):
		return "period_closed"
	case errors.Is(err, ErrNoSuchOperation):
		return "no_such_operation"
	case errors.Is(err, ErrNotAccepted):
		return "not_accepted"
	case errors.Is(err, ErrAlreadyVoided):
		return "already_voided"
	case errors.Is(err, ErrNotCorrectable):
		return "not_correctable"
	case errors.Is(err, ErrUnknownLocation):
		return "unknown_location"
	case errors.Is(err, ErrLocationClosed):
		return "location_closed"
	case errors.Is(err, ErrLocationExists):
		return "location_exists"
	case errors.Is(err, ErrLocationNotEmpty):
		return "location_not_empty"
	}
	return "invalid"
}
