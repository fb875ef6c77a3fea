// Package commands holds the write-side use cases: each validates a command against the
// product's current state, appends the resulting event, and reports what the log decided.
package commands

import (
	"context"
	"errors"

	"github.com/stockctl/stockctl/domain"
)

// ErrConflict means other writers kept changing the product between reading its state and
// appending, for every attempt allowed.
var ErrConflict = errors.New("conflict: the product kept changing under concurrent writers")

// ErrIdempotencyKeyReused means an idempotency key was given again for a different operation.
var ErrIdempotencyKeyReused = errors.New("idempotency key already used for a different operation")

// EventLog appends events to the log; it returns once they are durably acknowledged,
// with the position each one was given.
type EventLog interface {
	Append(ctx context.Context, events ...domain.Event) ([]domain.Position, error)
}

// Projection brings the read model up to the end of the log.
type Projection interface {
	CatchUp(ctx context.Context) error
}

// ReadModel answers what the log has decided so far.
type ReadModel interface {
	Books
	Snapshot(ctx context.Context, p domain.ProductID) (domain.Snapshot, error)
	// EventOutcome returns the decision about event e, appended at pos, if it has been
	// projected.
	EventOutcome(ctx context.Context, pos domain.Position, e domain.Event) (domain.Outcome, error)
	// CommandOutcome returns the accepted event of a command, if any.
	CommandOutcome(ctx context.Context, commandID string) (domain.Outcome, error)
	// ProductIDs returns every product with an accepted operation, ordered by ID.
	ProductIDs(ctx context.Context) ([]string, error)
}
