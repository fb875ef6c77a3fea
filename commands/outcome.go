package commands

import (
	"errors"
	"fmt"

	"github.com/stockctl/stockctl/domain"
)

// ErrOutcomeUnknown means a write may have been recorded or not: the append timed out,
// was interrupted or failed after sending, or the log acknowledged it but the read model
// could not be updated to learn the ledger's decision. Retrying under the same
// idempotency key is safe: the ledger accepts a command at most once.
var ErrOutcomeUnknown = errors.New("outcome unknown")

// OutcomeUnknownError is an ErrOutcomeUnknown about one sale or restock.
type OutcomeUnknownError struct {
	Kind     domain.EventType
	Product  domain.ProductID
	Quantity domain.Quantity
	// Key is the command's idempotency key, empty when it had none.
	Key string
	// Acked is where the log acknowledged the event, when it did: the event is in the log,
	// and only the ledger's decision about it is unknown.
	Acked *domain.Position
	// Advice replaces the default advice, in the words of the front end.
	Advice string
	Err    error
}

// Error says what may have happened and what to do.
func (e *OutcomeUnknownError) Error() string {
	what := fmt.Sprintf("the %s of %s %q", WordsFor(e.Kind).Noun, e.Quantity, e.Product.String())
	msg := fmt.Sprintf("%v: %s may have been recorded: %v", ErrOutcomeUnknown, what, e.Err)
	if e.Acked != nil {
		msg = fmt.Sprintf("%v: the log acknowledged %s at partition %d, offset %d, but the read model could not be updated "+
			"to learn whether the ledger accepted it: %v", ErrOutcomeUnknown, what, e.Acked.Partition, e.Acked.Offset, e.Err)
	}
	return msg + "; " + e.advice()
}

func (e *OutcomeUnknownError) advice() string {
	switch {
	case e.Advice != "":
		return e.Advice
	case e.Key != "":
		return fmt.Sprintf("check the product's history, or retry with the same idempotency key %q, which is recorded at most once", e.Key)
	}
	return "check the product's history before retrying"
}

// Is matches ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap returns the cause, so that an interruption still matches context.Canceled.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// notAppended is implemented by an append error that is certain nothing was recorded.
type notAppended interface{ NotAppended() bool }

// appendFailed is the error of a failed append: its outcome is unknown unless the log
// says nothing was appended.
func appendFailed(op operation, err error) error {
	var na notAppended
	if errors.As(err, &na) && na.NotAppended() {
		return fmt.Errorf("%w; nothing was recorded", err)
	}
	return outcomeUnknown(op, nil, err)
}

func outcomeUnknown(op operation, acked *domain.Position, err error) error {
	return &OutcomeUnknownError{Kind: op.kind, Product: op.Product, Quantity: op.Quantity, Key: op.Key, Acked: acked, Err: err}
}
