package commands

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// DefaultMaxAttempts bounds how often a command is retried after losing a race.
const DefaultMaxAttempts = 25

// Result is the outcome of a sale or restock that the ledger accepted.
type Result struct {
	Event domain.Event
	Stock domain.Quantity // stock after the operation, by business date
	// Now is the stock now, when the operation is dated before the product's latest
	// one: then Stock is the balance right after it at its date, not the stock today.
	Now *domain.Quantity
	// AlreadyRecorded is true when the command had been accepted before (same idempotency
	// key): nothing new was appended and Event holds what was recorded then.
	AlreadyRecorded bool
	Attempts        int
	// Key is the command's idempotency key, empty when it had none.
	Key string
	// Places is the product's stock per location after it, for an operation outside main
	// or a transfer (read after the catch-up that took it in).
	Places map[domain.LocationID]domain.Quantity
}

// recorder is the write path shared by Sell and Restock.
type recorder struct {
	log         EventLog
	projection  Projection
	model       ReadModel
	newID       func() string
	now         func() time.Time
	maxAttempts int
}

func newRecorder(log EventLog, projection Projection, model ReadModel, newID func() string) recorder {
	if log == nil || projection == nil || model == nil || newID == nil {
		panic("commands: nil dependency")
	}
	return recorder{log: log, projection: projection, model: model, newID: newID, now: time.Now, maxAttempts: DefaultMaxAttempts}
}

// Operation is what a sale or restock carries, validated.
type Operation struct {
	Product  domain.ProductID
	Quantity domain.Quantity
	// CommandID makes the command idempotent: the same ID is accepted at most once.
	CommandID string
	Date      domain.BusinessDate
	// DateGiven is true when Date was given rather than defaulted to now: a retry under
	// an idempotency key that leaves the date out gets a new "now", which is no change.
	DateGiven bool
	Operator  string
	Note      string
	// NewProduct lets a restock create a product whose ID looks like an existing one's.
	NewProduct bool

	// Key is the idempotency key CommandID was made from, empty when there was none.
	Key string
	// Location is where it happens (main when zero); To is a transfer's destination.
	Location, To domain.LocationID
}

// operation is an Operation with its kind.
type operation struct {
	Operation
	kind domain.EventType
}

// record catches the read model up, decides, appends with the expected sequence number,
// reads forward until its own event is projected, and retries under the same command ID
// when another writer got there first. Kafka has no conditional append: the log's order
// decides, and every replay reaches the same decision.
func (r recorder) record(ctx context.Context, op operation) (Result, error) {
	for attempt := 1; attempt <= r.maxAttempts; attempt++ {
		if err := r.projection.CatchUp(ctx); err != nil {
			return Result{}, err
		}
		// A retry after a lost acknowledgement finds its command already accepted.
		if prior, err := r.model.CommandOutcome(ctx, op.CommandID); err != nil {
			return Result{}, err
		} else if prior.Found {
			return r.already(op, prior)
		}
		snap, err := r.model.Snapshot(ctx, op.Product)
		if err != nil {
			return Result{}, err
		}
		if err := checkNew(ctx, r.model, op, snap); err != nil {
			return Result{}, err
		}
		s := domain.RestoreStock(snap)
		c, err := conditions(ctx, r.model, s, op.Date)
		if err == nil {
			err = placeConditions(ctx, r.model, s, op, &c)
		}
		if err != nil {
			return Result{}, err
		}
		e, err := decide(s, op, r.newID(), r.now(), c)
		if err != nil {
			return Result{}, hintLookAlike(ctx, &lookAlikes{model: r.model}, op.Product, err)
		}
		pos, err := r.log.Append(ctx, e)
		if err != nil {
			return Result{}, appendFailed(op, err)
		}
		// From here the event is in the log: a failure leaves the ledger's decision unknown.
		if err := r.projection.CatchUp(ctx); err != nil {
			return Result{}, outcomeUnknown(op, &pos[0], err)
		}
		out, err := r.model.EventOutcome(ctx, pos[0], e)
		if err != nil {
			return Result{}, outcomeUnknown(op, &pos[0], err)
		}
		if !out.Found {
			return Result{}, outcomeUnknown(op, &pos[0], fmt.Errorf("event %s is not in the read model after catching up", e.ID))
		}
		if out.Accepted {
			res := Result{Event: e, Stock: out.Stock, Attempts: attempt, Key: op.Key}
			if s.Backdated(op.Date) || len(s.Places()) > 1 || !op.Location.IsMain() || op.kind == domain.TypeStockTransferred {
				// Read after the catch-up that took the event in: later operations
				// shifted by it count.
				if now, err := r.model.Snapshot(ctx, op.Product); err == nil {
					if s.Backdated(op.Date) {
						res.Now = &now.Level
					}
					res.Places = placesOf(domain.RestoreStock(now))
				}
			}
			return res, nil
		}
		// Rejected: another operation on the product came first. Decide again on the new
		// state, which may now refuse the command without appending anything.
		r.backoff(ctx, attempt)
	}
	return Result{}, fmt.Errorf("%w: gave up after %d attempts on %q; try again", ErrConflict, r.maxAttempts, op.Product)
}

func decide(s *domain.Stock, op operation, eventID string, now time.Time, c domain.Conditions) (domain.Event, error) {
	m := domain.Metadata{
		EventID:      eventID,
		CommandID:    op.CommandID,
		BusinessDate: op.Date,
		RecordedAt:   now,
		RecordedBy:   op.Operator,
		Note:         op.Note,
		Location:     op.Location,
	}
	switch op.kind {
	case domain.TypeStockSold:
		return s.Sell(op.Quantity, m, c)
	case domain.TypeStockTransferred:
		return s.Transfer(op.Quantity, op.To, m, c)
	}
	return s.Restock(op.Quantity, m, c)
}

func (r recorder) already(op operation, prior domain.Outcome) (Result, error) {
	date, _ := domain.ParseBusinessDate(prior.Date)
	loc, _ := domain.ParseLocationID(prior.Location)
	to, _ := domain.ParseLocationID(prior.To)
	if prior.Type != op.kind || prior.Product != op.Product.String() || prior.Quantity != op.Quantity || loc != op.Location ||
		op.kind == domain.TypeStockTransferred && to != op.To ||
		(op.DateGiven && !date.Time().Equal(op.Date.Time())) || prior.Note != op.Note {
		note := ""
		if prior.Note != "" {
			note = fmt.Sprintf(" with note %q", prior.Note)
		}
		return Result{}, fmt.Errorf("%w: %q recorded a %s of %s %q on %s%s", ErrIdempotencyKeyReused, op.CommandID,
			WordsFor(prior.Type).Noun, prior.Quantity, prior.Product, prior.Date, note)
	}
	return Result{
		Event: domain.Event{Type: prior.Type, ID: prior.EventID, CommandID: op.CommandID, Product: op.Product, Quantity: prior.Quantity,
			BusinessDate: date, Location: loc, To: to},
		Stock:           prior.Stock,
		AlreadyRecorded: true,
		Key:             op.Key,
	}, nil
}

// backoff waits a short random time so that writers racing on one product spread out.
func (r recorder) backoff(ctx context.Context, attempt int) {
	d := time.Duration(rand.Int64N(int64(attempt)*int64(5*time.Millisecond)) + int64(time.Millisecond))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
