package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

// operationInput is an operation as a form or a JSON request gives it: text, checked by
// the same rules as the CLI's arguments and flags.
type operationInput struct {
	Product, Type, Quantity, Date, Note, Operator string
	// Key is an idempotency key; empty means a new command every time.
	Key string
	// NewProduct lets a restock create a product that looks like an existing one.
	NewProduct bool
	// AllowFuture accepts a date more than a day after today.
	AllowFuture bool
	// Location is where it happens, empty for main; To a transfer's destination.
	Location, To string
}

var errInvalidType = errors.New(`invalid type: give "sale" or "restock"`)

// parse validates the input by the CLI's rules (commands.Input) and returns the kind
// and the operation, or a *commands.FieldError for the first field that is wrong, in the
// order the form shows them: what the API answers.
func (in operationInput) parse(now time.Time, defaultOperator string) (domain.EventType, commands.Operation, error) {
	kind, op, errs := in.parseAll(now, defaultOperator)
	if len(errs) > 0 {
		return "", op, errs[0]
	}
	return kind, op, nil
}

// parseAll is parse checking every field, for the form, which flags them all at once.
func (in operationInput) parseAll(now time.Time, defaultOperator string) (domain.EventType, commands.Operation, []*commands.FieldError) {
	date := strings.TrimSpace(in.Date)
	// A browser's datetime-local field sends 2024-05-02T10:30.
	if t, err := time.Parse("2006-01-02T15:04", date); err == nil {
		date = t.Format("2006-01-02 15:04:05")
	}
	operator := strings.TrimSpace(in.Operator)
	if operator == "" {
		operator = defaultOperator
	}
	op, errs := commands.Input{Product: in.Product, Quantity: in.Quantity, Date: date, Note: in.Note,
		Operator: operator, Key: in.Key, NewProduct: in.NewProduct, AllowFuture: in.AllowFuture,
		Location: strings.TrimSpace(in.Location), To: strings.TrimSpace(in.To)}.ParseAll(now, uuid.NewString)
	if in.Type == string(domain.TypeStockTransferred) {
		return domain.TypeStockTransferred, op, errs
	}
	kind, ok := commands.KindNamed(in.Type)
	if !ok {
		// After the product, where the form shows it.
		typeErr := &commands.FieldError{Field: "type", Err: errInvalidType}
		at := 0
		if len(errs) > 0 && errs[0].Field == "product" {
			at = 1
		}
		errs = append(errs[:at], append([]*commands.FieldError{typeErr}, errs[at:]...)...)
	}
	return kind, op, errs
}

// decimalText reads a JSON quantity as text, never as a float: "12.5" and 12.5 both
// give "12.5".
func decimalText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", fmt.Errorf("quantity must be a number or a string such as \"12.5\"")
	}
	return n.String(), nil
}
