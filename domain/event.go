package domain

import (
	"fmt"
	"time"
)

// EventType names an event on the wire.
type EventType string

// The event types stockctl writes.
const (
	TypeStockRestocked EventType = "StockRestocked"
	TypeStockSold      EventType = "StockSold"
	// TypePeriodClosed closes the books through a day (its BusinessDate): no operation
	// dated on or before that day is accepted after it. It concerns every product, so
	// one copy, same event ID, is written to every partition; it has no product,
	// quantity or sequence.
	TypePeriodClosed EventType = "PeriodClosed"

	// Repairs (see repair.go): each is a new event that names what it repairs, ordered
	// with its product's other events and decided by the same rule.

	// TypeOperationVoided cancels an accepted operation (Target) as of its business date.
	TypeOperationVoided EventType = "OperationVoided"
	// TypeOperationCorrected voids Target and records the corrected operation (same
	// kind, Quantity at BusinessDate) in its place, both or neither.
	TypeOperationCorrected EventType = "OperationCorrected"
	// TypeStockCounted records the quantity physically counted at BusinessDate: the
	// difference with the balance then is decided when it is applied, in log order.
	TypeStockCounted EventType = "StockCounted"
	// TypeStockAdjusted moves the stock by Quantity, in (found) or Out (damaged, lost,
	// expired), for Reason.
	TypeStockAdjusted EventType = "StockAdjusted"

	// TypeStockTransferred moves Quantity of a product from Location to To, as one event
	// of the product: both places move or neither does, and the product's total does not.
	TypeStockTransferred EventType = "StockTransferred"
)

// SchemaVersion is the envelope version this build writes and the newest it reads.
const SchemaVersion = 1

// Event is something that happened to a product's stock: a sale or a replenishment,
// as recorded on the log. Whether it took effect is decided when it is applied in log
// order (see Stock.Apply).
type Event struct {
	Type EventType
	// ID identifies this event; CommandID identifies the user's intent, shared by every
	// retry of the same operation so that it can be accepted at most once.
	ID        string
	CommandID string
	Product   ProductID
	Quantity  Quantity
	// ExpectedSeq is the product's sequence number this event must follow, plus one.
	ExpectedSeq  int64
	BusinessDate BusinessDate
	RecordedAt   time.Time
	RecordedBy   string
	Note         string
	// Target is the event ID of the operation a void or a correction repairs.
	Target string
	// Reason says why a repair was made; for an adjustment it is one of AdjustReasons.
	Reason string
	// Out is true for an adjustment that takes units out of stock.
	Out bool
	// Location is where an operation happened (main when zero), or the location a
	// location event declares, renames or closes; Name is that location's name.
	Location LocationID
	Name     string
	// To is a transfer's destination; Location is its source.
	To LocationID
	// A ThresholdSet's minimum, reorder quantity and lead time in days (threshold.go).
	// PerLocation, on a threshold event, is true when it watches Location alone (main
	// included) rather than the product's total.
	Min, ReorderQty Quantity
	LeadDays        int
	PerLocation     bool
}

// Metadata describes who asked for an operation and why, for Stock.Sell and Stock.Restock.
type Metadata struct {
	EventID      string
	CommandID    string
	BusinessDate BusinessDate
	RecordedAt   time.Time
	RecordedBy   string
	Note         string
	// Reason says why, for a repair (void, correction, count, adjustment).
	Reason string
	// Location is where the operation happens: main when zero.
	Location LocationID
}

func newEvent(t EventType, s *Stock, q Quantity, m Metadata) Event {
	return Event{
		Type:         t,
		ID:           m.EventID,
		CommandID:    m.CommandID,
		Product:      s.product,
		Quantity:     q,
		ExpectedSeq:  s.seq + 1,
		BusinessDate: m.BusinessDate,
		RecordedAt:   m.RecordedAt.UTC(),
		RecordedBy:   m.RecordedBy,
		Note:         m.Note,
		Reason:       m.Reason,
		Location:     m.Location,
	}
}

// ClosePeriod decides closing the books through day, given the day they are closed
// through now (zero when never closed): it returns the PeriodClosed event to append to
// every partition, or ErrPeriodClosed when day does not move the close forward.
func ClosePeriod(closedThrough, day BusinessDate, m Metadata) (Event, error) {
	day = NewBusinessDate(time.Date(day.t.Year(), day.t.Month(), day.t.Day(), 0, 0, 0, 0, time.UTC))
	if !closedThrough.IsZero() && day.Day() <= closedThrough.Day() {
		return Event{}, fmt.Errorf("%w: the books are closed through %s already; a close can only move that day forward", ErrPeriodClosed, closedThrough.Day())
	}
	return Event{
		Type:         TypePeriodClosed,
		ID:           m.EventID,
		CommandID:    m.CommandID,
		BusinessDate: day,
		RecordedAt:   m.RecordedAt.UTC(),
		RecordedBy:   m.RecordedBy,
		Note:         m.Note,
	}, nil
}
