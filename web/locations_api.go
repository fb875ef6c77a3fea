package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

// Location is one declared location as the API lists it.
type Location struct {
	ID       string `json:"location"`
	Name     string `json:"name"`
	Status   string `json:"status"` // "open", "closed", or "closed in N of M partitions"
	Stock    string `json:"stock"`
	Products int    `json:"products"`
}

// LocationStock is a product's stock in one location.
type LocationStock struct {
	Location string `json:"location"`
	Stock    string `json:"stock"`
}

// locationStore is what the locations API and the product page read.
type locationStore interface {
	Locations(ctx context.Context) ([]Location, error)
	// ProductLocations returns product's stock per location, main first: main alone for
	// a product never kept anywhere else.
	ProductLocations(ctx context.Context, product string) ([]LocationStock, error)
}

// apiLocations answers GET /api/locations: every location, main first, with its stock.
func (s *Server) apiLocations(w http.ResponseWriter, r *http.Request) {
	locs, err := s.cfg.Store.Locations(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if locs == nil {
		locs = []Location{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"locations": locs})
}

// transferRequest is the body of POST /api/transfers.
type transferRequest struct {
	Product     string         `json:"product"`
	Quantity    jsontext.Value `json:"quantity"`
	From        string         `json:"from"`
	To          string         `json:"to"`
	Date        string         `json:"date"`
	Note        string         `json:"note"`
	Operator    string         `json:"operator"`
	AllowFuture bool           `json:"allow_future"`
}

var transferFields = []string{"product", "quantity", "from", "to", "date", "note", "operator", "allow_future"}

// apiTransfer answers POST /api/transfers: moves stock of a product between two locations,
// one event, with the same codes as the CLI (400 for an unknown or closed location, 409
// when the source lacks the stock) and Idempotency-Key.
func (s *Server) apiTransfer(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, apiError{Code: "unsupported_media_type",
			Message: "send the transfer as JSON with Content-Type: application/json"})
		return
	}
	var req transferRequest
	if err := decodeStrict(io.LimitReader(r.Body, 1<<20), &req, transferFields); err != nil {
		var bad *bodyError
		if errors.As(err, &bad) {
			writeError(w, http.StatusBadRequest, apiError{Code: "invalid_json", Message: bad.Error(), Field: bad.field})
			return
		}
		writeError(w, http.StatusBadRequest, apiError{Code: "invalid_json", Message: "the body could not be read: " + err.Error()})
		return
	}
	for _, f := range []struct{ name, value string }{{"from", req.From}, {"to", req.To}} {
		if f.value == "" {
			writeError(w, http.StatusBadRequest, apiError{Code: "invalid_location", Field: f.name,
				Message: fmt.Sprintf("%q is required: the location the units %s", f.name, map[string]string{"from": "leave", "to": "reach"}[f.name])})
			return
		}
	}
	qty, err := decimalText(json.RawMessage(req.Quantity))
	if err != nil {
		s.apiFail(w, r, &commands.FieldError{Field: "quantity", Err: fmt.Errorf("%w: %v", domain.ErrInvalidQuantity, err)})
		return
	}
	s.answerRecord(w, r, operationInput{Product: req.Product, Type: string(domain.TypeStockTransferred), Quantity: qty, Date: req.Date,
		Note: req.Note, Operator: req.Operator, Key: r.Header.Get("Idempotency-Key"), AllowFuture: req.AllowFuture,
		Location: req.From, To: req.To})
}
