package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

// apiError is the body of every API error: {"error": {...}}.
type apiError struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the input the error is about, when it is about one.
	Field string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, status int, e apiError) {
	e.Status = status
	writeJSON(w, status, map[string]apiError{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// classify maps an error from validation or a command handler to the HTTP status that
// matches the CLI's exit code (2 → 400, 1 → 409, 3 and 4 → 503), a stable code, and the field
// it concerns.
func classify(err error) (status int, code, field string) {
	switch {
	case errors.Is(err, commands.ErrLookAlike):
		return http.StatusBadRequest, "look_alike_product", "product"
	case errors.Is(err, domain.ErrInvalidProduct):
		return http.StatusBadRequest, "invalid_product", "product"
	case errors.Is(err, domain.ErrInvalidQuantity):
		return http.StatusBadRequest, "invalid_quantity", "quantity"
	case errors.Is(err, domain.ErrInvalidDate):
		return http.StatusBadRequest, "invalid_date", "date"
	case errors.Is(err, commands.ErrIdempotencyKeyReused):
		return http.StatusBadRequest, "idempotency_key_reused", "idempotency_key"
	case errors.Is(err, errInvalidType):
		return http.StatusBadRequest, "invalid_type", "type"
	case errors.Is(err, commands.ErrInvalidText):
		return http.StatusBadRequest, "invalid_input", ""
	case errors.Is(err, domain.ErrInsufficientStock):
		return http.StatusConflict, "insufficient_stock", "quantity"
	case errors.Is(err, domain.ErrStockOverflow):
		return http.StatusConflict, "stock_overflow", "quantity"
	case errors.Is(err, commands.ErrConflict):
		return http.StatusConflict, "conflict", ""
	case errors.Is(err, commands.ErrOutcomeUnknown):
		// The CLI's exit 4: the operation may have been recorded; retrying with the same
		// Idempotency-Key is safe.
		return http.StatusServiceUnavailable, "outcome_unknown", ""
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "interrupted", ""
	}
	// Everything else is the broker or the read model failing, as the CLI's exit 3.
	return http.StatusServiceUnavailable, "unavailable", ""
}

// errorField returns the field an error concerns.
func errorField(err error) string {
	var fe *commands.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	_, _, field := classify(err)
	return field
}

// lookAlikeHint is err's message, where a look-alike product's refusal names the web's
// way to create it instead of the CLI's --new-product flag.
func lookAlikeHint(err error, how string) string {
	msg := err.Error()
	if errors.Is(err, commands.ErrLookAlike) {
		msg = strings.Replace(msg, "Add --new-product", strings.ToUpper(how[:1])+how[1:], 1)
	}
	return msg
}
