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
}

// Operation kinds.
const (
	kindSale    = "sale"
	kindRestock = "restock"
)

var errInvalidType = errors.New(`invalid type: give "sale" or "restock"`)

// parse validates the input and returns the kind and the operation, or a *fieldError
// for the first field that is wrong, in the order the form shows them.
func (in operationInput) parse(now time.Time, defaultOperator string) (string, commands.Operation, error) {
	var op commands.Operation
	var err error
	if op.Product, err = domain.ParseProductID(in.Product); err != nil {
		return "", op, &fieldError{"product", err}
	}
	kind := strings.ToLower(strings.TrimSpace(in.Type))
	switch kind {
	case "sale", "sell", "sales":
		kind = kindSale
	case "restock", "replenishment":
		kind = kindRestock
	default:
		return "", op, &fieldError{"type", errInvalidType}
	}
	if op.Quantity, err = domain.ParseQuantity(in.Quantity); err != nil {
		return "", op, &fieldError{"quantity", err}
	}
	op.Date = domain.NewBusinessDate(now)
	if d := strings.TrimSpace(in.Date); d != "" {
		// A browser's datetime-local field sends 2024-05-02T10:30.
		if t, err := time.Parse("2006-01-02T15:04", d); err == nil {
			d = t.Format("2006-01-02 15:04:05")
		}
		if op.Date, err = domain.ParseBusinessDate(d); err != nil {
			return "", op, &fieldError{"date", err}
		}
	}
	if err := commands.CheckText(in.Note, commands.MaxNoteLength); err != nil {
		return "", op, &fieldError{"note", textError("note", err)}
	}
	op.Note = in.Note
	op.Operator = strings.TrimSpace(in.Operator)
	if op.Operator == "" {
		op.Operator = defaultOperator
	}
	if err := commands.CheckText(op.Operator, commands.MaxOperatorLength); err != nil {
		return "", op, &fieldError{"operator", textError("operator", err)}
	}
	op.CommandID = uuid.NewString()
	if in.Key != "" {
		if op.CommandID, err = commands.CommandIDForKey(in.Key); err != nil {
			return "", op, &fieldError{"idempotency_key", textError("idempotency key", err)}
		}
	}
	return kind, op, nil
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

// textError names the field in a commands.CheckText error and still matches
// commands.ErrInvalidText.
func textError(field string, err error) error {
	return &invalidText{field + " " + commands.TextMessage(err)}
}

type invalidText struct{ msg string }

func (e *invalidText) Error() string { return e.msg }
func (e *invalidText) Unwrap() error { return commands.ErrInvalidText }
