package domain

import (
	"errors"
	"fmt"
)

// Stock is the aggregate for one product: its current level and how many operations
// have been accepted for it. It changes state only in Apply.
type Stock struct {
	product  ProductID
	seq      int64
	level    Quantity
	lastDate BusinessDate
}

// NewStock returns the stock of a product that has no accepted operation yet.
func NewStock(p ProductID) *Stock {
	return &Stock{product: p}
}

// Snapshot is a Stock's state in plain fields, for storing it in a read model.
type Snapshot struct {
	Product  ProductID
	Seq      int64
	Level    Quantity
	LastDate BusinessDate
}

// RestoreStock rebuilds a Stock from a snapshot taken with Stock.Snapshot.
func RestoreStock(s Snapshot) *Stock {
	return &Stock{product: s.Product, seq: s.Seq, level: s.Level, lastDate: s.LastDate}
}

// Snapshot returns the stock's state.
func (s *Stock) Snapshot() Snapshot {
	return Snapshot{Product: s.product, Seq: s.seq, Level: s.level, LastDate: s.lastDate}
}

// Product returns the product this stock belongs to.
func (s *Stock) Product() ProductID { return s.product }

// Seq returns the number of accepted operations for the product.
func (s *Stock) Seq() int64 { return s.seq }

// Level returns the units in stock.
func (s *Stock) Level() Quantity { return s.level }

// InsufficientStockError tells how much was available when a sale was refused. It
// matches ErrInsufficientStock with errors.Is.
type InsufficientStockError struct {
	Product   ProductID
	Available Quantity
	Requested Quantity
	// NeverRestocked is true when the product has no accepted operation at all.
	NeverRestocked bool
}

func (e *InsufficientStockError) Error() string {
	if e.NeverRestocked {
		return fmt.Sprintf("insufficient stock for %q: it has never been restocked (0.00 available, %s requested)", e.Product, e.Requested)
	}
	return fmt.Sprintf("insufficient stock for %q: %s available, %s requested", e.Product, e.Available, e.Requested)
}

// Is makes errors.Is(err, ErrInsufficientStock) true.
func (e *InsufficientStockError) Is(target error) bool { return target == ErrInsufficientStock }

// Sell decides a sale of q units: it returns the StockSold event to append, or
// ErrInsufficientStock when the sale would take the stock below zero. It does not change s.
func (s *Stock) Sell(q Quantity, m Metadata) (Event, error) {
	e := newEvent(TypeStockSold, s, q, m)
	if err := s.check(e); err != nil {
		return Event{}, err
	}
	return e, nil
}

// Restock decides a replenishment of q units: it returns the StockRestocked event to
// append, or ErrStockOverflow when the stock would exceed MaxQuantity. It does not change s.
func (s *Stock) Restock(q Quantity, m Metadata) (Event, error) {
	e := newEvent(TypeStockRestocked, s, q, m)
	if err := s.check(e); err != nil {
		return Event{}, err
	}
	return e, nil
}

// check applies the invariants that must hold for e to be accepted now.
func (s *Stock) check(e Event) error {
	if e.Quantity.IsZero() {
		return fmt.Errorf("%w: must be greater than zero", ErrInvalidQuantity)
	}
	if e.Product != s.product {
		return fmt.Errorf("%w: event for %q applied to %q", ErrMalformedEvent, e.Product, s.product)
	}
	if e.ExpectedSeq != s.seq+1 {
		return fmt.Errorf("%w: %q expects sequence %d, the product is at %d", ErrSequenceConflict, s.product, e.ExpectedSeq, s.seq)
	}
	switch e.Type {
	case TypeStockSold:
		if e.Quantity.cents > s.level.cents {
			return &InsufficientStockError{Product: s.product, Available: s.level, Requested: e.Quantity, NeverRestocked: s.seq == 0}
		}
	case TypeStockRestocked:
		if s.level.cents+e.Quantity.cents > MaxQuantity.cents {
			return fmt.Errorf("%w: %q holds %s, adding %s would pass %s", ErrStockOverflow, s.product, s.level, e.Quantity, MaxQuantity)
		}
	default:
		return fmt.Errorf("%w: %q", ErrUnknownEventType, e.Type)
	}
	return nil
}

// Check reports whether Apply would accept e now, without changing s.
func (s *Stock) Check(e Event) error { return s.check(e) }

// Apply is the log's rule for one event, applied in log order by every projection: the
// event is accepted and the stock changes if it follows the current sequence and keeps the
// invariants; otherwise Apply returns why it is rejected and s is unchanged. Command
// deduplication is checked by the caller, which knows every accepted command.
func (s *Stock) Apply(e Event) error {
	if err := s.check(e); err != nil {
		return err
	}
	switch e.Type {
	case TypeStockSold:
		s.level.cents -= e.Quantity.cents
	case TypeStockRestocked:
		s.level.cents += e.Quantity.cents
	}
	s.seq = e.ExpectedSeq
	s.lastDate = e.BusinessDate
	return nil
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
	}
	return "invalid"
}
