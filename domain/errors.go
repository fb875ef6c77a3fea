// Package domain holds the stock ledger's rules: quantities, product IDs, the stock
// aggregate, and the events it records. It imports only the standard library.
package domain

import "errors"

// Sentinel errors, checked with errors.Is.
var (
	// ErrInvalidQuantity means a quantity is not a positive decimal with at most two places
	// within the ledger's range.
	ErrInvalidQuantity = errors.New("invalid quantity")
	// ErrInvalidProduct means a product ID breaks the product ID rules.
	ErrInvalidProduct = errors.New("invalid product ID")
	// ErrInvalidDate means a business date could not be parsed.
	ErrInvalidDate = errors.New("invalid date")
	// ErrInsufficientStock means a sale would take the stock below zero.
	ErrInsufficientStock = errors.New("insufficient stock")
	// ErrStockOverflow means a restock would take the stock above MaxQuantity.
	ErrStockOverflow = errors.New("stock would exceed the maximum")
	// ErrPeriodClosed means an operation is dated on or before the last day of a closed
	// period, or a close would not move that day forward.
	ErrPeriodClosed = errors.New("period closed")
	// ErrFutureDate means a business date lies more than a day ahead of the local clock.
	ErrFutureDate = errors.New("date in the future")
	// ErrSequenceConflict means an event does not follow the product's current sequence:
	// another operation on the same product was recorded first.
	ErrSequenceConflict = errors.New("sequence conflict")
	// ErrDuplicateCommand means an event's command was already accepted.
	ErrDuplicateCommand = errors.New("command already recorded")
	// ErrMalformedEvent means a record is not a valid stockctl event.
	ErrMalformedEvent = errors.New("malformed event")
	// ErrUnknownEventType means a record is a stockctl envelope of a type this version does
	// not know.
	ErrUnknownEventType = errors.New("unknown event type")
	// ErrUnsupportedVersion means a record uses a schema version newer than this build reads.
	ErrUnsupportedVersion = errors.New("unsupported schema version")
)
