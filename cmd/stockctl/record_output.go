package main

import (
	"errors"

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

func writeRecordJSON(c *cli.Context, kind domain.EventType, res commands.Result) error {
	return writeJSON(c.App.Writer, recordJSON{
		EventID: res.Event.ID, CommandID: res.Event.CommandID, IdempotencyKey: res.Key, Product: res.Event.Product.String(),
		Type: commands.WordsFor(kind).Noun, Quantity: res.Event.Quantity.String(), Date: res.Event.BusinessDate.String(),
		Stock: res.Stock.String(), AlreadyRecorded: res.AlreadyRecorded, Message: res.Message(),
	})
}

func writeRecordError(c *cli.Context, err error) {
	f := commands.Classify(err, cliErrors...)
	e := recordErrorJSON{ExitCode: exitCode(err), Code: f.Code, Message: err.Error(), Field: f.Field}
	var unknown *commands.OutcomeUnknownError
	if errors.As(err, &unknown) {
		e.IdempotencyKey = unknown.Key
	}
	writeJSON(c.App.Writer, map[string]recordErrorJSON{"error": e})
}
