package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/productid"
)

// apiMethod answers an API route for one method, and any other method with a JSON 405.
func apiMethod(method string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, apiError{Code: "method_not_allowed",
				Message: fmt.Sprintf("%s %s: use %s", r.Method, r.URL.Path, method)})
			return
		}
		h(w, r)
	})
}

// apiStock answers GET /api/stock[?product=ID...][&as_of=DATE][&as_known_at=TIME]: the
// stock by product ID, now or at a moment (apiStockAt).
func (s *Server) apiStock(w http.ResponseWriter, r *http.Request) {
	var products []string
	if n := len(distinct(r.URL.Query()["product"])); n > MaxFilterProducts {
		writeError(w, http.StatusBadRequest, apiError{Code: "too_many_products", Field: "product",
			Message: fmt.Sprintf("product: %d given, at most %d at once", n, MaxFilterProducts)})
		return
	}
	for _, raw := range r.URL.Query()["product"] {
		p, err := productid.Lookup(raw)
		if err != nil {
			s.apiFail(w, r, &commands.FieldError{Field: "product", Err: err})
			return
		}
		products = append(products, p.String())
	}
	m, err := momentParams(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if !m.IsNow() {
		s.apiStockAt(w, r, m, products)
		return
	}
	levels, err := s.cfg.Store.StockLevels(r.Context(), products...)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if levels == nil {
		levels = []StockLevel{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"products": levels})
}

// momentParams reads ?as_of= and ?as_known_at= as the CLI reads --as-of and
// --as-known-at, a recorded time without an offset on the server's clock; a wrong value
// is a 400 naming its field.
func momentParams(r *http.Request) (asof.Moment, error) {
	var m asof.Moment
	var err error
	q := r.URL.Query()
	if q.Has("as_of") {
		if m.Date, err = asof.ParseDate(q.Get("as_of")); err != nil {
			return m, &commands.FieldError{Field: "as_of", Err: fmt.Errorf("as_of: %w", err)}
		}
	}
	if q.Has("as_known_at") {
		if m.KnownAt, err = asof.ParseKnownAt(q.Get("as_known_at"), time.Local); err != nil {
			return m, &commands.FieldError{Field: "as_known_at", Err: fmt.Errorf("as_known_at: %w", err)}
		}
	}
	return m, nil
}

// apiStockAt answers GET /api/stock?as_of=…&as_known_at=…: the stock at that moment, by
// product ID, with the moment as understood. A product with nothing counted then is left
// out, as one never seen; "operations" is not told, a count the read model keeps only
// for now.
func (s *Server) apiStockAt(w http.ResponseWriter, r *http.Request, m asof.Moment, products []string) {
	levels, err := s.cfg.Store.StockAt(r.Context(), m, products...)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if levels == nil {
		levels = []LevelAt{}
	}
	body := map[string]any{"products": levels}
	if t := m.DateText(); t != "" {
		body["as_of"] = t
	}
	if t := m.KnownAtText(); t != "" {
		body["as_known_at"] = t
	}
	writeJSON(w, http.StatusOK, body)
}

// apiHistory answers GET /api/products/{id}/history: every operation on the product in
// log order, with the running stock; rejected ones with their reason.
func (s *Server) apiHistory(w http.ResponseWriter, r *http.Request) {
	p, err := productid.Lookup(productParam(r))
	if err != nil {
		s.apiFail(w, r, &commands.FieldError{Field: "product", Err: err})
		return
	}
	entries, err := s.cfg.Store.History(r.Context(), p.String())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if len(entries) == 0 {
		writeError(w, http.StatusNotFound, apiError{Code: "unknown_product", Field: "product",
			Message: fmt.Sprintf("no operation was ever recorded for %q", p.String())})
		return
	}
	stock := ""
	for _, e := range entries {
		if e.Status == "accepted" {
			stock = e.Stock
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"product": p.String(), "stock": stock, "operations": entries})
}

// operationRequest is the body of POST /api/operations.
type operationRequest struct {
	Product string `json:"product"`
	Type    string `json:"type"` // "sale" or "restock"
	// Quantity is "12.5" or 12.5, read as text: never through a float.
	Quantity jsontext.Value `json:"quantity"`
	Date     string         `json:"date"`
	Note     string         `json:"note"`
	Operator string         `json:"operator"`
	// NewProduct lets a restock create a product that looks like an existing one.
	NewProduct bool `json:"new_product"`
	// AllowFuture accepts a date more than a day after today, refused otherwise.
	AllowFuture bool `json:"allow_future"`
	// Location is where it happens; empty or absent: main.
	Location string `json:"location"`
}

// operationResponse says what the ledger recorded.
type operationResponse struct {
	EventID  string `json:"event_id"`
	Product  string `json:"product"`
	Type     string `json:"type"`
	Quantity string `json:"quantity"`
	Date     string `json:"date"`
	Stock    string `json:"stock"` // after the operation, the product's in all locations
	// Location is where it happened (a transfer's source), To a transfer's destination;
	// LocationStock the stock there now, for a product kept in several locations.
	Location        string `json:"location"`
	To              string `json:"to,omitempty"`
	LocationStock   string `json:"location_stock,omitempty"`
	AlreadyRecorded bool   `json:"already_recorded"`
	Message         string `json:"message"`
}

// apiRecord answers POST /api/operations: records a sale or a restock through the
// command handlers. An Idempotency-Key header makes a retry safe: the operation is
// recorded once, and a repeat answers 200 with what was recorded.
func (s *Server) apiRecord(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, apiError{Code: "unsupported_media_type",
			Message: "send the operation as JSON with Content-Type: application/json"})
		return
	}
	req, err := decodeOperation(r.Body)
	if err != nil {
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
		return
	}
	qty, err := decimalText(json.RawMessage(req.Quantity))
	if err != nil {
		s.apiFail(w, r, &commands.FieldError{Field: "quantity", Err: fmt.Errorf("%w: %v", domain.ErrInvalidQuantity, err)})
		return
	}
	in := operationInput{Product: req.Product, Type: req.Type, Quantity: qty, Date: req.Date, Note: req.Note,
		Operator: req.Operator, Key: r.Header.Get("Idempotency-Key"), NewProduct: req.NewProduct,
		AllowFuture: req.AllowFuture, Location: req.Location}
	s.answerRecord(w, r, in)
}

// answerRecord records in and answers with what the ledger recorded.
func (s *Server) answerRecord(w http.ResponseWriter, r *http.Request, in operationInput) {
	res, kind, err := s.record(r, in)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	status := http.StatusCreated
	if res.AlreadyRecorded {
		status = http.StatusOK
	}
	out := operationResponse{
		EventID: res.Event.ID, Product: res.Event.Product.String(), Type: commands.WordsFor(kind).Noun, Quantity: res.Event.Quantity.String(),
		Date: res.Event.BusinessDate.String(), Stock: res.Stock.String(), AlreadyRecorded: res.AlreadyRecorded,
		Message: res.Message(), Location: res.Event.Location.String(),
	}
	if kind == domain.TypeStockTransferred {
		out.To = res.Event.To.String()
	}
	if q, ok := res.Places[res.Event.Location]; ok && len(res.Places) > 1 {
		out.LocationStock = q.String()
	}
	writeJSON(w, status, out)
}

// record validates an operation and runs it through its handler.
func (s *Server) record(r *http.Request, in operationInput) (commands.Result, domain.EventType, error) {
	kind, op, err := in.parse(s.cfg.Now(), s.cfg.Operator)
	if err != nil {
		return commands.Result{}, "", err
	}
	unlock := s.locks.lock(op.Product.String())
	defer unlock()
	res, err := s.cfg.Ledger.Record(r.Context(), kind, op)
	return res, kind, err
}

// apiFail answers an error from validation or a handler.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	status, f := classify(err)
	if status == http.StatusServiceUnavailable {
		s.cfg.ErrorLog.Printf("web: %s %s: %v", r.Method, r.URL.Path, err)
		// A client that honours Retry-After resends at once: safe only when nothing was
		// recorded, or under the same Idempotency-Key.
		if f.Class != commands.OutcomeUnknown || r.Header.Get("Idempotency-Key") != "" {
			w.Header().Set("Retry-After", "1")
		}
	}
	writeError(w, status, apiError{Code: f.Code, Message: commands.FutureAdvice(lookAlikeHint(err, `set "new_product": true`), `set "allow_future": true`), Field: f.Field})
}
