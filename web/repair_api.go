package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

// The bodies of the repair routes. Quantities are read as text, never through a float.
type voidRequest struct {
	Reason   string `json:"reason"`
	Operator string `json:"operator"`
}

type correctRequest struct {
	Quantity    jsontext.Value `json:"quantity"`
	Date        string         `json:"date"`
	Note        *string        `json:"note"`
	Reason      string         `json:"reason"`
	Operator    string         `json:"operator"`
	AllowFuture bool           `json:"allow_future"`
}

type countRequest struct {
	Product     string         `json:"product"`
	Location    string         `json:"location"`
	Quantity    jsontext.Value `json:"quantity"`
	Date        string         `json:"date"`
	Reason      string         `json:"reason"`
	Note        string         `json:"note"`
	Operator    string         `json:"operator"`
	AllowFuture bool           `json:"allow_future"`
}

type adjustRequest struct {
	Product  string `json:"product"`
	Location string `json:"location"`
	// Quantity is signed ("-3": out of stock), or unsigned with Direction.
	Quantity    jsontext.Value `json:"quantity"`
	Direction   string         `json:"direction"`
	Reason      string         `json:"reason"`
	Note        string         `json:"note"`
	Date        string         `json:"date"`
	Operator    string         `json:"operator"`
	AllowFuture bool           `json:"allow_future"`
}

var (
	voidFields    = []string{"reason", "operator"}
	correctFields = []string{"quantity", "date", "note", "reason", "operator", "allow_future"}
	countFields   = []string{"product", "location", "quantity", "date", "reason", "note", "operator", "allow_future"}
	adjustFields  = []string{"product", "location", "quantity", "direction", "reason", "note", "date", "operator", "allow_future"}
)

// repairResponse says what the ledger recorded for a repair.
type repairResponse struct {
	EventID string `json:"event_id"`
	Type    string `json:"type"` // "void", "correction", "count" or "adjustment"
	Product string `json:"product"`
	// Location is where a count or an adjustment happened, or the voided or corrected
	// operation ("main" for main); To, that operation's destination when a transfer.
	Location string `json:"location"`
	To       string `json:"to,omitempty"`
	// Target is the operation a void or a correction cancelled.
	Target string `json:"target,omitempty"`
	// Quantity: counted, adjusted, or a correction's new quantity.
	Quantity string `json:"quantity,omitempty"`
	// Delta is what the repair moved the stock by, signed ("-3.00").
	Delta string `json:"delta,omitempty"`
	// Expected is what the ledger held at a count's date.
	Expected        string `json:"expected,omitempty"`
	Date            string `json:"date"`
	Reason          string `json:"reason,omitempty"`
	Stock           string `json:"stock"` // the product's stock now
	AlreadyRecorded bool   `json:"already_recorded"`
	Message         string `json:"message"`
}

// readJSON reads a JSON body strictly into v; on failure it answers and returns false.
func readJSON(w http.ResponseWriter, r *http.Request, v any, fields []string) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, apiError{Code: "unsupported_media_type",
			Message: "send the request as JSON with Content-Type: application/json"})
		return false
	}
	err := decodeStrict(r.Body, v, fields)
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	var bad *bodyError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, apiError{Code: "too_large",
			Message: fmt.Sprintf("the request body is over %d bytes", tooBig.Limit)})
	case errors.As(err, &bad):
		writeError(w, http.StatusBadRequest, apiError{Code: "invalid_json", Message: bad.Error(), Field: bad.field})
	default:
		writeError(w, http.StatusBadRequest, apiError{Code: "invalid_json", Message: "the body could not be read: " + err.Error()})
	}
	return false
}

// quantityOf reads a JSON quantity as text, or answers 400 and returns false.
func (s *Server) quantityOf(w http.ResponseWriter, r *http.Request, raw jsontext.Value) (string, bool) {
	q, err := decimalText(json.RawMessage(raw))
	if err != nil {
		s.apiFail(w, r, &commands.FieldError{Field: "quantity", Err: fmt.Errorf("%w: %v", domain.ErrInvalidQuantity, err)})
		return "", false
	}
	return q, true
}

// apiVoid answers POST /api/operations/{event_id}/void {"reason": …}.
func (s *Server) apiVoid(w http.ResponseWriter, r *http.Request) {
	var req voidRequest
	if !readJSON(w, r, &req, voidFields) {
		return
	}
	s.apiRepair(w, r, repairInput{Kind: domain.TypeOperationVoided, EventID: r.PathValue("event_id"), Reason: req.Reason, Operator: req.Operator})
}

// apiCorrect answers POST /api/operations/{event_id}/correct.
func (s *Server) apiCorrect(w http.ResponseWriter, r *http.Request) {
	var req correctRequest
	if !readJSON(w, r, &req, correctFields) {
		return
	}
	q, ok := s.quantityOf(w, r, req.Quantity)
	if !ok {
		return
	}
	in := repairInput{Kind: domain.TypeOperationCorrected, EventID: r.PathValue("event_id"), Quantity: q, Date: req.Date,
		Reason: req.Reason, Operator: req.Operator, AllowFuture: req.AllowFuture}
	if req.Note != nil {
		in.Note, in.NoteGiven = *req.Note, true
	}
	s.apiRepair(w, r, in)
}

// apiCount answers POST /api/counts {"product", "quantity", "date"?, "reason"?}.
func (s *Server) apiCount(w http.ResponseWriter, r *http.Request) {
	var req countRequest
	if !readJSON(w, r, &req, countFields) {
		return
	}
	q, ok := s.quantityOf(w, r, req.Quantity)
	if !ok {
		return
	}
	s.apiRepair(w, r, repairInput{Kind: domain.TypeStockCounted, Product: req.Product, Quantity: q, Date: req.Date,
		Reason: req.Reason, Note: req.Note, Operator: req.Operator, AllowFuture: req.AllowFuture, Location: req.Location})
}

// apiAdjust answers POST /api/adjustments {"product", "quantity", "direction"?, "reason", "note"?, "date"?}.
func (s *Server) apiAdjust(w http.ResponseWriter, r *http.Request) {
	var req adjustRequest
	if !readJSON(w, r, &req, adjustFields) {
		return
	}
	q, ok := s.quantityOf(w, r, req.Quantity)
	if !ok {
		return
	}
	s.apiRepair(w, r, repairInput{Kind: domain.TypeStockAdjusted, Product: req.Product, Quantity: q, Direction: req.Direction,
		Date: req.Date, Reason: req.Reason, Note: req.Note, Operator: req.Operator, AllowFuture: req.AllowFuture, Location: req.Location})
}

// apiRepair checks a repair, records it and answers: 201 with what was recorded, 200 for
// a repeat under the same Idempotency-Key, or the CLI's failure as 400, 409 or 503.
func (s *Server) apiRepair(w http.ResponseWriter, r *http.Request, in repairInput) {
	in.Key, in.defaultOperator = r.Header.Get("Idempotency-Key"), s.cfg.Operator
	rep, errs := in.parse(s.cfg.Now())
	if len(errs) > 0 {
		s.apiFail(w, r, errs[0])
		return
	}
	res, err := s.repair(r.Context(), rep)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	status := http.StatusCreated
	if res.AlreadyRecorded {
		status = http.StatusOK
	}
	writeJSON(w, status, repairAnswer(res))
}

// repairAnswer is the API's account of a recorded repair.
func repairAnswer(res commands.RepairResult) repairResponse {
	e := res.Event
	out := repairResponse{EventID: e.ID, Type: commands.WordsFor(e.Type).Noun, Product: e.Product.String(), Target: e.Target,
		Delta: signedCents(res.Delta), Date: e.BusinessDate.String(), Reason: e.Reason, Stock: res.Stock.String(),
		AlreadyRecorded: res.AlreadyRecorded, Message: res.Message()}
	out.Location, out.To = res.Where()
	if res.Target != nil && out.Product == "" {
		out.Product = res.Target.Product.String()
	}
	if e.Type != domain.TypeOperationVoided && (!e.Quantity.IsZero() || e.Type == domain.TypeStockCounted) {
		out.Quantity = e.Quantity.String()
	}
	if e.Type == domain.TypeStockCounted && !res.AlreadyRecorded {
		out.Expected = res.Expected.String()
	}
	if res.AlreadyRecorded {
		out.Delta = ""
	}
	return out
}

// signedCents writes hundredths as "-3.00", "+2.50" or "0.00".
func signedCents(n int64) string {
	q, _ := domain.QuantityFromCents(max(n, -n))
	switch {
	case n < 0:
		return "-" + q.String()
	case n > 0:
		return "+" + q.String()
	}
	return q.String()
}
