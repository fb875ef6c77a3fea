package commands

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/productid"
)

// Limits on the free-text fields of an operation, the same from every front end.
const (
	MaxNoteLength     = 500
	MaxOperatorLength = 64
	MaxKeyLength      = 100
	// KeyPrefix starts the command ID made from a user's idempotency key, so that a key
	// never collides with a generated command ID.
	KeyPrefix   = "key:"
	maxKeyBytes = domain.MaxIDLength - len(KeyPrefix)
)

// ErrInvalidText means a note, operator or idempotency key was refused.
var ErrInvalidText = errors.New("invalid text")

// CheckText accepts printable text of at most max characters. Its error reads after the
// field's name: "note has 501 characters, at most 500 allowed".
func CheckText(s string, max int) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: is not valid UTF-8", ErrInvalidText)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%w: has %d characters, at most %d allowed", ErrInvalidText, n, max)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return fmt.Errorf("%w: contains the non-printable character %U", ErrInvalidText, r)
		}
	}
	return nil
}

// CommandIDForKey returns the command ID an idempotency key stands for: the same key
// always gives the same command, which the ledger accepts at most once.
func CommandIDForKey(key string) (string, error) {
	if CheckText(key, MaxKeyLength) != nil || key == "" || len(key) > maxKeyBytes {
		return "", fmt.Errorf("%w: must be 1 to %d printable characters (%d bytes)", ErrInvalidText, MaxKeyLength, maxKeyBytes)
	}
	return KeyPrefix + key, nil
}

// TextMessage is err without its ErrInvalidText prefix, for showing after a field name.
func TextMessage(err error) string {
	msg := err.Error()
	if p := ErrInvalidText.Error() + ": "; len(msg) > len(p) && msg[:len(p)] == p {
		return msg[len(p):]
	}
	return msg
}

// Input is an operation as a user typed it, at the command line or in a form.
type Input struct {
	Product, Quantity string
	Date              string // YYYY-MM-DD or "YYYY-MM-DD HH:MM:SS"; empty: now
	Note, Operator    string
	Key               string // idempotency key; empty: a new command
	// NewProduct lets a restock create a product that looks like an existing one.
	NewProduct bool
	// AllowFuture accepts a date more than a day after the local clock, which is
	// otherwise refused as a likely typo (2099 for 2009).
	AllowFuture bool
	// Location is where it happens, a location ID; empty: main. To is a transfer's
	// destination.
	Location, To string
}

// FutureHint ends the message of a refused future date with the CLI's way to record it
// anyway; the web's front ends replace the flag with their own way (see FutureAdvice).
const FutureHint = "if it is meant, give --allow-future"

// FutureAdvice is err's message with the CLI's --allow-future replaced by how, for a
// front end that says it its own way ("tick \"record it anyway\""); other messages are
// unchanged.
func FutureAdvice(msg, how string) string {
	return strings.Replace(msg, "give --allow-future", how, 1)
}

// FieldError is invalid input in one field of an operation: "product", "quantity",
// "date", "note", "operator" or "idempotency_key".
type FieldError struct {
	Field string
	Err   error
}

// Error reads as the domain's message, or for free text after the field's name: "note
// has 501 characters, at most 500 allowed".
func (e *FieldError) Error() string {
	if errors.Is(e.Err, ErrInvalidText) {
		return strings.ReplaceAll(e.Field, "_", " ") + " " + TextMessage(e.Err)
	}
	return e.Err.Error()
}

func (e *FieldError) Unwrap() error { return e.Err }

// Parse validates in, field by field in the order above, and returns the operation, or
// a *FieldError for the first field that is wrong. newID makes the command ID when no
// key is given.
func (in Input) Parse(now time.Time, newID func() string) (Operation, error) {
	op, errs := in.ParseAll(now, newID)
	if len(errs) > 0 {
		return op, errs[0]
	}
	return op, nil
}

// ParseAll is Parse checking every field: it returns each wrong field's error, in the
// order above, so that a form can flag them all at once. The operation is complete only
// when there is none.
func (in Input) ParseAll(now time.Time, newID func() string) (Operation, []*FieldError) {
	var op Operation
	var errs []*FieldError
	var err error
	if op.Product, err = productid.Parse(in.Product); err != nil {
		errs = append(errs, &FieldError{"product", err})
	}
	if op.Quantity, err = domain.ParseQuantity(in.Quantity); err != nil {
		errs = append(errs, &FieldError{"quantity", err})
	}
	op.Date, op.DateGiven = domain.NewBusinessDate(now), in.Date != ""
	if in.Date != "" {
		if op.Date, err = domain.ParseBusinessDate(in.Date); err != nil {
			errs = append(errs, &FieldError{"date", err})
		} else if err := domain.CheckNotFuture(op.Date, now); err != nil && !in.AllowFuture {
			errs = append(errs, &FieldError{"date", fmt.Errorf("%w: %s", err, FutureHint)})
		}
	}
	if err := CheckText(in.Note, MaxNoteLength); err != nil {
		errs = append(errs, &FieldError{"note", err})
	}
	if err := CheckText(in.Operator, MaxOperatorLength); err != nil {
		errs = append(errs, &FieldError{"operator", err})
	}
	if in.Key != "" {
		if _, err := CommandIDForKey(in.Key); err != nil {
			errs = append(errs, &FieldError{"idempotency_key", err})
		}
	}
	if in.Location != "" {
		if op.Location, err = domain.ParseLocationID(in.Location); err != nil {
			errs = append(errs, &FieldError{"location", err})
		}
	}
	if in.To != "" {
		if op.To, err = domain.ParseLocationID(in.To); err != nil {
			errs = append(errs, &FieldError{"to", err})
		}
	}
	if len(errs) > 0 {
		return op, errs
	}
	op.Note, op.Operator, op.CommandID, op.NewProduct = in.Note, in.Operator, newID(), in.NewProduct
	if in.Key != "" {
		op.CommandID, _ = CommandIDForKey(in.Key)
		op.Key = in.Key
	}
	return op, nil
}
