// Package notify sends the alerts of `stockctl serve --notify-url`: one JSON POST for
// each crossing the projection recorded (a stock that fell to or below its minimum, or to
// zero), in log order, retried with capped back-off until the receiver takes it, and
// remembered in the read model so that neither a restart nor a replay sends it again
// (docs/architecture.md, "Reorder points and alerts"). It imports no read model or
// Kafka type: cmd/stockctl wires it to the read model through Store.
package notify

import (
	"fmt"

	"github.com/stockctl/stockctl/domain"
)

// Crossing is one crossing as the read model holds it.
type Crossing struct {
	Partition int32
	Offset    int64
	// Location is "" when the product's total crossed, else the location whose stock did.
	Location   string
	Product    string
	Kind       string // domain.CrossedBelowMin or domain.CrossedZero
	StockCents int64
	// HasMin is false for a zero crossing of a stock with no threshold.
	HasMin       bool
	MinCents     int64
	EventID      string
	EventType    string
	BusinessDate string
	RecordedAt   string
}

// ID names the crossing for receivers that drop repeats: PARTITION/OFFSET for a
// product's total, PARTITION/OFFSET/LOCATION for a location's stock. The same crossing
// has the same ID on every replay, since both numbers are its event's place in the log.
func (c Crossing) ID() string {
	if c.Location == "" {
		return fmt.Sprintf("%d/%d", c.Partition, c.Offset)
	}
	return fmt.Sprintf("%d/%d/%s", c.Partition, c.Offset, c.Location)
}

// Alert is the JSON body POSTed for a crossing (README, "serve --notify-url").
type Alert struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Product and Location (null for the product's total) say which stock crossed.
	Product  string  `json:"product"`
	Location *string `json:"location"`
	// Stock is the stock after the event; Min the minimum crossed (null for a zero
	// crossing of a stock with no threshold). Decimals with two places, as strings.
	Stock        string     `json:"stock"`
	Min          *string    `json:"min"`
	Event        AlertEvent `json:"event"`
	BusinessDate string     `json:"business_date"`
	RecordedAt   string     `json:"recorded_at"`
	// Text says the same in a sentence, for receivers that only show text (a chat room).
	Text string `json:"text"`
}

// AlertEvent is the event that made the crossing.
type AlertEvent struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// AlertOf returns the alert for crossing c.
func AlertOf(c Crossing) Alert {
	a := Alert{ID: c.ID(), Kind: c.Kind, Product: c.Product, Stock: amount(c.StockCents),
		Event:        AlertEvent{ID: c.EventID, Type: c.EventType},
		BusinessDate: c.BusinessDate, RecordedAt: c.RecordedAt}
	where := ""
	if c.Location != "" {
		loc := c.Location
		a.Location = &loc
		where = " in " + loc
	}
	if c.HasMin {
		m := amount(c.MinCents)
		a.Min = &m
	}
	switch {
	case c.Kind == domain.CrossedZero:
		a.Text = fmt.Sprintf("%s is out of stock%s", c.Product, where)
	case a.Min != nil:
		a.Text = fmt.Sprintf("%s is down to %s%s, at or below its minimum of %s", c.Product, a.Stock, where, *a.Min)
	default:
		a.Text = fmt.Sprintf("%s is down to %s%s", c.Product, a.Stock, where)
	}
	return a
}

// amount formats hundredths as the ledger does ("12.50").
func amount(cents int64) string {
	q, err := domain.QuantityFromCents(cents)
	if err != nil {
		return fmt.Sprint(float64(cents) / 100) // out of the ledger's range: cannot be a stock
	}
	return q.String()
}
