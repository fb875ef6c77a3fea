package domain

// Outcome is what the log's rule decided for an event.
type Outcome struct {
	Found    bool
	Accepted bool
	Reason   string // rejection reason code, when rejected
	EventID  string
	Type     EventType
	Product  string
	Quantity Quantity
	Stock    Quantity // stock after the event, when accepted
	Date     string
	Note     string
	// Location is where an accepted operation happened ("main" when the read model
	// does not say), To a transfer's destination.
	Location, To string
}

// Recorded is an accepted operation as an import's diagnosis needs it.
type Recorded struct {
	CommandID string
	Note      string
}
