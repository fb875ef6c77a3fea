package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stockctl/stockctl/domain"
)

// This file is the outcome language every front end shares: what an operation kind is
// called, the sentence that reports a recorded operation, and what kind of failure an
// error is. The CLI turns a Class into an exit code and the web into an HTTP status; the
// words and codes are the same from both.

// Words are what every front end calls an operation kind.
type Words struct {
	Verb string // "sell": the CLI's subcommand, and the prefix of its messages
	Noun string // "sale": the "type" of the API, of --output json and of the history
	Past string // "sold": the sentence that reports it
}

// WordsFor returns the words for kind.
func WordsFor(kind domain.EventType) Words {
	switch kind {
	case domain.TypeStockSold:
		return Words{Verb: "sell", Noun: "sale", Past: "sold"}
	case domain.TypeOperationVoided:
		return Words{Verb: "void", Noun: "void", Past: "voided"}
	case domain.TypeOperationCorrected:
		return Words{Verb: "correct", Noun: "correction", Past: "corrected"}
	case domain.TypeStockCounted:
		return Words{Verb: "count", Noun: "count", Past: "counted"}
	case domain.TypeStockAdjusted:
		return Words{Verb: "adjust", Noun: "adjustment", Past: "adjusted"}
	case domain.TypeStockTransferred:
		return Words{Verb: "transfer", Noun: "transfer", Past: "transferred"}
	case domain.TypeThresholdSet:
		return Words{Verb: "set a threshold", Noun: "threshold", Past: "set"}
	case domain.TypeThresholdCleared:
		return Words{Verb: "clear a threshold", Noun: "threshold clear", Past: "cleared"}
	}
	return Words{Verb: "restock", Noun: "restock", Past: "restocked"}
}

// KindNamed returns the kind a user's word names, in any case and with spaces around:
// the noun, the verb, or a synonym the form and the API have always taken.
func KindNamed(word string) (domain.EventType, bool) {
	switch strings.ToLower(strings.TrimSpace(word)) {
	case "sale", "sell", "sales":
		return domain.TypeStockSold, true
	case "restock", "replenishment":
		return domain.TypeStockRestocked, true
	}
	return "", false
}

// Message is the sentence that reports r, the same from the CLI and the API:
// `sold 3.00 of "P1" on 2024-05-02; stock now 7.00`, or for a command recorded before
// `already recorded: sold 3.00 of "P1" on 2024-05-02 (stock after it: 7.00)`.
func (r Result) Message() string {
	past := WordsFor(r.Event.Type).Past
	if r.AlreadyRecorded {
		where := ""
		switch {
		case r.Event.Type == domain.TypeStockTransferred:
			where = fmt.Sprintf(" from %s to %s", r.Event.Location, r.Event.To)
		case !r.Event.Location.IsMain():
			where = " in " + r.Event.Location.String()
		}
		return fmt.Sprintf("already recorded: %s %s of %q%s on %s (stock after it: %s)",
			past, r.Event.Quantity, r.Event.Product.String(), where, r.Event.BusinessDate, r.Stock)
	}
	if r.Event.Type == domain.TypeStockTransferred {
		return fmt.Sprintf("%s %s of %q from %s to %s on %s; %s now holds %s, %s %s (%s in all)",
			past, r.Event.Quantity, r.Event.Product.String(), r.Event.Location, r.Event.To, r.Event.BusinessDate,
			r.Event.Location, r.Places[r.Event.Location], r.Event.To, r.Places[r.Event.To], r.Stock)
	}
	where := ""
	if !r.Event.Location.IsMain() || len(r.Places) > 1 {
		where = " in " + r.Event.Location.String()
	}
	if r.Now != nil {
		return fmt.Sprintf("%s %s of %q%s on %s; stock then %s, now %s",
			past, r.Event.Quantity, r.Event.Product.String(), where, r.Event.BusinessDate, r.Stock, *r.Now)
	}
	if where != "" {
		return fmt.Sprintf("%s %s of %q%s on %s; stock now %s there, %s in all",
			past, r.Event.Quantity, r.Event.Product.String(), where, r.Event.BusinessDate, r.Places[r.Event.Location], r.Stock)
	}
	return fmt.Sprintf("%s %s of %q on %s; stock now %s",
		past, r.Event.Quantity, r.Event.Product.String(), r.Event.BusinessDate, r.Stock)
}

// Operations records a sale or a restock by its kind, for a front end that takes the kind
// as data (a form's or a request's "type"): the two handlers, nothing more.
type Operations struct {
	Sell     SellHandler
	Restock  RestockHandler
	Transfer TransferHandler
}

// NewOperations returns the handlers of every operation kind over the same dependencies.
func NewOperations(log EventLog, projection Projection, model ReadModel, newID func() string) Operations {
	return Operations{
		Sell:     NewSellHandler(log, projection, model, newID),
		Restock:  NewRestockHandler(log, projection, model, newID),
		Transfer: NewTransferHandler(log, projection, model, newID),
	}
}

// Record runs op through the handler of kind.
func (o Operations) Record(ctx context.Context, kind domain.EventType, op Operation) (Result, error) {
	switch kind {
	case domain.TypeStockSold:
		return o.Sell.Handle(ctx, Sell(op))
	case domain.TypeStockRestocked:
		return o.Restock.Handle(ctx, Restock(op))
	case domain.TypeStockTransferred:
		return o.Transfer.Handle(ctx, Transfer(op))
	}
	return Result{}, fmt.Errorf("record: no handler for %q", kind)
}

// Class is what kind of failure an error is. Each front end gives it its own number: the
// CLI's exit code, the web's HTTP status.
type Class int

// Classes of failure; the zero Class is Unavailable, what an error nobody named is.
const (
	// Unavailable: the broker or the read model failed; nothing was recorded (exit 3,
	// HTTP 503).
	Unavailable Class = iota
	// Refused: the ledger refused the operation (exit 1, HTTP 409).
	Refused
	// Invalid: the input was wrong (exit 2, HTTP 400).
	Invalid
	// OutcomeUnknown: a write may have been recorded (exit 4, HTTP 503).
	OutcomeUnknown
	// Interrupted: the caller gave up (exit 130, HTTP 503).
	Interrupted
)

// Failure is what an error is, in the terms every front end shares.
type Failure struct {
	Class Class
	// Code is stable for scripts: "insufficient_stock"; "unavailable" when nobody named
	// the error.
	Code string
	// Field is the input the error is about, when it is about one: "quantity".
	Field string
}

// Sentinel classifies the errors that match Err. A front end passes its own to
// Classify, after those of the write side.
type Sentinel struct {
	Err   error
	Class Class
	Code  string // empty: "unavailable", whatever the class
	Field string
}

// sentinels are the write side's errors. An error that may have been recorded is never
// reported as anything else, whatever it wraps.
var sentinels = []Sentinel{
	{Err: ErrOutcomeUnknown, Class: OutcomeUnknown, Code: "outcome_unknown"},
	{Err: ErrLookAlike, Class: Invalid, Code: "look_alike_product", Field: "product"},
	{Err: domain.ErrInvalidProduct, Class: Invalid, Code: "invalid_product", Field: "product"},
	{Err: domain.ErrInvalidQuantity, Class: Invalid, Code: "invalid_quantity", Field: "quantity"},
	{Err: domain.ErrInvalidDate, Class: Invalid, Code: "invalid_date", Field: "date"},
	{Err: domain.ErrFutureDate, Class: Invalid, Code: "future_date", Field: "date"},
	{Err: ErrIdempotencyKeyReused, Class: Invalid, Code: "idempotency_key_reused", Field: "idempotency_key"},
	{Err: ErrInvalidText, Class: Invalid, Code: "invalid_input"},
	{Err: domain.ErrInsufficientStock, Class: Refused, Code: "insufficient_stock", Field: "quantity"},
	{Err: domain.ErrStockOverflow, Class: Refused, Code: "stock_overflow", Field: "quantity"},
	{Err: domain.ErrPeriodClosed, Class: Refused, Code: "period_closed", Field: "date"},
	{Err: ErrAmbiguousID, Class: Invalid, Code: "ambiguous_event_id", Field: "event_id"},
	{Err: ErrUnknownProduct, Class: Refused, Code: "unknown_product", Field: "product"},
	{Err: domain.ErrNoSuchOperation, Class: Refused, Code: "no_such_operation", Field: "event_id"},
	{Err: domain.ErrNotAccepted, Class: Refused, Code: "not_accepted", Field: "event_id"},
	{Err: domain.ErrAlreadyVoided, Class: Refused, Code: "already_voided", Field: "event_id"},
	{Err: domain.ErrNotCorrectable, Class: Refused, Code: "not_correctable", Field: "event_id"},
	{Err: ErrConflict, Class: Refused, Code: "conflict"},
	{Err: domain.ErrUnknownLocation, Class: Invalid, Code: "unknown_location", Field: "location"},
	{Err: domain.ErrLocationClosed, Class: Invalid, Code: "location_closed", Field: "location"},
	{Err: domain.ErrLocationExists, Class: Refused, Code: "location_exists", Field: "location"},
	{Err: domain.ErrLocationNotEmpty, Class: Refused, Code: "location_not_empty", Field: "location"},
	{Err: domain.ErrInvalidLocation, Class: Invalid, Code: "invalid_location", Field: "location"},
	{Err: ErrStockColumn, Class: Refused, Code: "stock_column_differs"},
	{Err: ErrNoThreshold, Class: Refused, Code: "no_threshold", Field: "location"},
	{Err: domain.ErrInvalidThreshold, Class: Invalid, Code: "invalid_threshold"},
	{Err: ErrRowsMoved, Class: Refused, Code: "rows_moved_location"},
	{Err: context.Canceled, Class: Interrupted, Code: "interrupted"},
}

// Classify says what err is: the first of the write side's sentinels it matches, else
// the first of more, else Unavailable. The field of a *FieldError wins over the
// sentinel's.
func Classify(err error, more ...Sentinel) Failure {
	f := Failure{Class: Unavailable, Code: "unavailable"}
	for _, list := range [][]Sentinel{sentinels, more} {
		if s, ok := match(err, list); ok {
			f = Failure{Class: s.Class, Code: s.Code, Field: s.Field}
			if f.Code == "" {
				f.Code = "unavailable"
			}
			break
		}
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		f.Field = fe.Field
	}
	return f
}

func match(err error, list []Sentinel) (Sentinel, bool) {
	for _, s := range list {
		if errors.Is(err, s.Err) {
			return s, true
		}
	}
	return Sentinel{}, false
}
