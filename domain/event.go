package domain

import "time"

// EventType names an event on the wire.
type EventType string

// The event types stockctl writes.
const (
	TypeStockRestocked EventType = "StockRestocked"
	TypeStockSold      EventType = "StockSold"
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
}

// Metadata describes who asked for an operation and why, for Stock.Sell and Stock.Restock.
type Metadata struct {
	EventID      string
	CommandID    string
	BusinessDate BusinessDate
	RecordedAt   time.Time
	RecordedBy   string
	Note         string
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
	}
}
