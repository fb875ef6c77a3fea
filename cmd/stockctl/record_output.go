package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

// recordOutputFlag is sell's and restock's --output: the sentence, or a JSON object
// with the fields of the web API's POST /api/operations answer.
func recordOutputFlag() cli.Flag {
	return &cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "text or json", Value: "text"}
}

func checkRecordOutput(c *cli.Context) (string, error) {
	switch f := c.String("output"); f {
	case "text", "json":
		return f, nil
	default:
		return "", usagef("--output %q: use text or json", f)
	}
}

// recordJSON is what sell and restock print with --output json: the web API's answer
// to POST /api/operations, plus the command ID (the idempotency key's, if one was given).
type recordJSON struct {
	EventID   string `json:"event_id"`
	CommandID string `json:"command_id"`
	// IdempotencyKey is what --idempotency-key takes to repeat this command safely: the
	// one given, or the one made for it.
	IdempotencyKey  string `json:"idempotency_key"`
	Product         string `json:"product"`
	Type            string `json:"type"` // "sale" or "restock", as in the API
	Quantity        string `json:"quantity"`
	Date            string `json:"date"`
	Stock           string `json:"stock"` // after the operation
	AlreadyRecorded bool   `json:"already_recorded"`
	Message         string `json:"message"`
}

// recordErrorJSON is what sell and restock print on standard output with --output json
// when they fail, in the shape of the API's {"error": {...}}, with the exit code in
// place of the HTTP status. The message goes to standard error as well, as without it.
type recordErrorJSON struct {
	ExitCode int    `json:"exit_code"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Field    string `json:"field,omitempty"`
	// IdempotencyKey is set when the outcome is unknown: repeat with it, safely.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

func writeRecordJSON(c *cli.Context, verb string, res commands.Result, message string) error {
	typ := "sale"
	if verb == "restock" {
		typ = "restock"
	}
	return writeJSON(c.App.Writer, recordJSON{
		EventID: res.Event.ID, CommandID: res.Event.CommandID, IdempotencyKey: res.Key, Product: res.Event.Product.String(), Type: typ,
		Quantity: res.Event.Quantity.String(), Date: res.Event.BusinessDate.String(), Stock: res.Stock.String(),
		AlreadyRecorded: res.AlreadyRecorded, Message: message,
	})
}

func writeRecordError(c *cli.Context, err error) {
	code, field := errorCode(err)
	e := recordErrorJSON{ExitCode: exitCode(err), Code: code, Message: err.Error(), Field: field}
	var unknown *commands.OutcomeUnknownError
	if errors.As(err, &unknown) {
		e.IdempotencyKey = unknown.Key
	}
	writeJSON(c.App.Writer, map[string]recordErrorJSON{"error": e})
}

// errorCode names an error with the web API's codes (web/errors.go), so that a script
// reads the same code from the CLI and from the API.
func errorCode(err error) (code, field string) {
	var fe *commands.FieldError
	if errors.As(err, &fe) {
		field = fe.Field
	}
	with := func(code, f string) (string, string) {
		if field == "" {
			field = f
		}
		return code, field
	}
	switch {
	case errors.Is(err, commands.ErrOutcomeUnknown):
		return with("outcome_unknown", "")
	case errors.Is(err, commands.ErrLookAlike):
		return with("look_alike_product", "product")
	case errors.Is(err, domain.ErrInvalidProduct):
		return with("invalid_product", "product")
	case errors.Is(err, domain.ErrInvalidQuantity):
		return with("invalid_quantity", "quantity")
	case errors.Is(err, domain.ErrInvalidDate):
		return with("invalid_date", "date")
	case errors.Is(err, commands.ErrIdempotencyKeyReused):
		return with("idempotency_key_reused", "idempotency_key")
	case errors.Is(err, commands.ErrInvalidText):
		return with("invalid_input", "")
	case errors.Is(err, errUsage):
		return with("invalid_usage", "")
	case errors.Is(err, domain.ErrInsufficientStock):
		return with("insufficient_stock", "quantity")
	case errors.Is(err, domain.ErrStockOverflow):
		return with("stock_overflow", "quantity")
	case errors.Is(err, commands.ErrConflict):
		return with("conflict", "")
	case errors.Is(err, context.Canceled):
		return with("interrupted", "")
	}
	return with("unavailable", "")
}

// recordMessage is the sentence sell and restock print.
func recordMessage(past string, res commands.Result) string {
	if res.AlreadyRecorded {
		return fmt.Sprintf("already recorded: %s %s of %q on %s (stock after it: %s)",
			past, res.Event.Quantity, res.Event.Product.String(), res.Event.BusinessDate, res.Stock)
	}
	return fmt.Sprintf("%s %s of %q on %s; stock now %s",
		past, res.Event.Quantity, res.Event.Product.String(), res.Event.BusinessDate, res.Stock)
}
