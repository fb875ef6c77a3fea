package web

// The rows the pages show and the API answers with. Their JSON tags are the HTTP API:
// web owns them, so that a change to the read model's own rows cannot change an API
// response unnoticed. cmd/stockctl fills them from the read model.

// StockLevel is one product's current stock.
type StockLevel struct {
	Product  string `json:"product"`
	Stock    string `json:"stock"`
	Seq      int64  `json:"operations"`
	LastDate string `json:"last_operation_date"`
}

// LevelAt is one product's stock at the moment of an as-of query (GET /api/stock?as_of=).
type LevelAt struct {
	Product  string `json:"product"`
	Stock    string `json:"stock"`
	LastDate string `json:"last_operation_date"`
}

// HistoryEntry is one operation on a product, accepted or rejected, in business-date
// order.
type HistoryEntry struct {
	Date string `json:"date"`
	// Type is "sale", "restock", "adjustment", "count" or "void".
	Type     string `json:"type"`
	Quantity string `json:"quantity"`
	Stock    string `json:"stock,omitempty"` // running stock after an operation in effect
	Status   string `json:"status"`          // "accepted", "rejected" or "voided"
	// The fields of repairs, as readmodel.HistoryEntry documents them.
	VoidedBy     string `json:"voided_by,omitempty"`
	VoidReason   string `json:"void_reason,omitempty"`
	Target       string `json:"target,omitempty"`
	RepairReason string `json:"repair_reason,omitempty"`
	Delta        string `json:"delta,omitempty"`
	Counted      string `json:"counted,omitempty"`
	Expected     string `json:"expected,omitempty"`
	Reason       string `json:"reason,omitempty"`
	Detail       string `json:"detail,omitempty"`
	RecordedAt   string `json:"recorded_at"`
	RecordedBy   string `json:"recorded_by"`
	Note         string `json:"note,omitempty"`
	EventID      string `json:"event_id"`
	Partition    int32  `json:"partition"`
	Offset       int64  `json:"offset"`
	// Location is where an accepted operation happened (a transfer's source), To a
	// transfer's destination.
	Location string `json:"location,omitempty"`
	To       string `json:"to,omitempty"`
}

// AppliedOperation is one operation the read model applied, accepted or rejected, as the
// event stream's "operation" events tell it.
type AppliedOperation struct {
	Product string `json:"product"`
	// Type is "sale", "restock", "transfer", "void", "correction", "count" or "adjustment".
	Type     string `json:"type"`
	Quantity string `json:"quantity"`
	// Stock is, after an accepted sale or restock, the balance after it in business-date
	// order; after an accepted repair, the product's stock once it applied.
	Stock  string `json:"stock,omitempty"`
	Status string `json:"status"` // "accepted" or "rejected"
	Reason string `json:"reason,omitempty"`
	// EventID is the event's ID; Target, a void's or correction's operation; Delta, what a
	// repair moved the stock by, signed; RepairReason, why it was made.
	EventID      string `json:"event_id,omitempty"`
	Target       string `json:"target,omitempty"`
	Delta        string `json:"delta,omitempty"`
	RepairReason string `json:"repair_reason,omitempty"`
	Date         string `json:"date"`
	RecordedBy   string `json:"recorded_by"`
	Partition    int32  `json:"partition"`
	Offset       int64  `json:"offset"`
	// Location is where a sale, restock, transfer, count or adjustment happened (a
	// transfer's source), or a void's or correction's operation; To a transfer's
	// destination, or a voided or corrected transfer's (issue 19).
	Location string `json:"location,omitempty"`
	To       string `json:"to,omitempty"`
}
