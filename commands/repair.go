package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/productid"
)

// Repair is a void, a correction, a count or an adjustment to record (DESIGN.md "Repairs
// are events"): a new event that names what it repairs.
type Repair struct {
	// Kind is domain.TypeOperationVoided, TypeOperationCorrected, TypeStockCounted or
	// TypeStockAdjusted.
	Kind domain.EventType
	// Target is the full event ID of the operation a void or a correction repairs (see
	// ResolveOperation for a prefix). Its product is the repair's.
	Target string
	// Product is the product counted or adjusted.
	Product domain.ProductID
	// Quantity is what was counted, the amount adjusted, or a correction's new quantity
	// (zero: the target's own).
	Quantity domain.Quantity
	// Out makes an adjustment take units out of stock.
	Out bool
	// Date is when the count or adjustment happened, or a correction's new date; when
	// not DateGiven, now for a count or adjustment and the target's date for a correction.
	Date      domain.BusinessDate
	DateGiven bool
	// Reason says why: required for a void and a correction, one of domain.AdjustReasons
	// for an adjustment, optional for a count.
	Reason string
	// Note is the correction's note (the target's own when not NoteGiven), or the count's
	// or adjustment's.
	Note      string
	NoteGiven bool
	CommandID string
	Operator  string
	// Key is the idempotency key CommandID was made from, empty when there was none.
	Key string
	// Location is where a count or an adjustment happens: main when zero.
	Location domain.LocationID
}

// RepairResult is a repair the ledger accepted.
type RepairResult struct {
	Event domain.Event
	// Target is the operation a void or a correction cancelled, as it was.
	Target *domain.Target
	// Delta is what the repair moved the product's stock by, in hundredths: for a count,
	// the difference between what was counted and Expected, the balance then.
	Delta    int64
	Expected domain.Quantity
	// Stock is the product's stock now; Here its stock now in the count's or the
	// adjustment's location, when not main.
	Stock           domain.Quantity
	Here            *domain.Quantity
	AlreadyRecorded bool
	Attempts        int
	Key             string
}

// Targets finds operations by event ID for voids and corrections.
type Targets interface {
	// Target returns the operation whose event ID is id as the rule sees it, nil when the
	// read model holds none.
	Target(ctx context.Context, id string) (*domain.Target, error)
	// TargetPlaces completes t, of a product kept in several locations, with the balances
	// around it in each location it moved.
	TargetPlaces(ctx context.Context, t *domain.Target) error
}

// RepairHandler records repairs.
type RepairHandler struct {
	r       recorder
	targets Targets
}

// NewRepairHandler returns a RepairHandler; newID returns a fresh unique event ID per call.
func NewRepairHandler(log EventLog, projection Projection, model ReadModel, targets Targets, newID func() string) RepairHandler {
	if targets == nil {
		panic("commands: nil dependency")
	}
	return RepairHandler{r: newRecorder(log, projection, model, newID), targets: targets}
}

// Handle decides the repair against the ledger as it stands, appends it with the
// product's next sequence number, and retries when another writer got there first,
// exactly as a sale does. A refusal (no such operation, voided already, closed period,
// a balance that would go negative) appends nothing.
func (h RepairHandler) Handle(ctx context.Context, rep Repair) (RepairResult, error) {
	words := WordsFor(rep.Kind).Verb
	res, err := h.handle(ctx, rep)
	if err != nil {
		return RepairResult{}, fmt.Errorf("%s: %w", words, err)
	}
	return res, nil
}

func (h RepairHandler) handle(ctx context.Context, rep Repair) (RepairResult, error) {
	r := h.r
	targeted := rep.Kind == domain.TypeOperationVoided || rep.Kind == domain.TypeOperationCorrected
	for attempt := 1; attempt <= r.maxAttempts; attempt++ {
		if err := r.projection.CatchUp(ctx); err != nil {
			return RepairResult{}, err
		}
		if prior, err := r.model.CommandOutcome(ctx, rep.CommandID); err != nil {
			return RepairResult{}, err
		} else if prior.Found {
			return alreadyRepaired(rep, prior)
		}
		var t *domain.Target
		product := rep.Product
		if targeted {
			var err error
			if t, err = h.targets.Target(ctx, rep.Target); err != nil {
				return RepairResult{}, err
			}
			if t == nil {
				return RepairResult{}, fmt.Errorf("%w: no operation has event ID %s (history -o json shows them)", domain.ErrNoSuchOperation, rep.Target)
			}
			product = t.Product
		}
		snap, err := r.model.Snapshot(ctx, product)
		if err != nil {
			return RepairResult{}, err
		}
		if !targeted && snap.Seq == 0 {
			return RepairResult{}, unknownProduct(ctx, &lookAlikes{model: r.model}, product)
		}
		s := domain.RestoreStock(snap)
		m := domain.Metadata{EventID: r.newID(), CommandID: rep.CommandID, BusinessDate: rep.Date, RecordedAt: r.now(),
			RecordedBy: rep.Operator, Note: rep.Note, Reason: rep.Reason, Location: rep.Location}
		if !rep.DateGiven {
			m.BusinessDate = domain.NewBusinessDate(m.RecordedAt)
		}
		q := rep.Quantity
		if rep.Kind == domain.TypeOperationCorrected && t != nil {
			if !rep.DateGiven {
				m.BusinessDate = t.Date
			}
			if q.IsZero() {
				q, _ = domain.QuantityFromCents(t.Moved())
			}
			if !rep.NoteGiven {
				m.Note = t.Note
			}
		}
		c, err := conditions(ctx, r.model, s, m.BusinessDate)
		if err == nil && !targeted {
			err = placeConditions(ctx, r.model, s, operation{Operation{Product: product, Date: m.BusinessDate, Location: rep.Location}, rep.Kind}, &c)
		}
		if err != nil {
			return RepairResult{}, err
		}
		if targeted {
			c.Target = t
			if c.Line, err = r.model.Timeline(ctx, product); err != nil {
				return RepairResult{}, err
			}
			for _, l := range s.RepairPlaces(t) {
				if c.PlaceLines == nil {
					if err = h.targets.TargetPlaces(ctx, t); err != nil {
						return RepairResult{}, err
					}
					c.PlaceLines = make(map[domain.LocationID]*domain.Timeline, 2)
				}
				if c.PlaceLines[l], err = r.model.PlaceTimeline(ctx, product, l); err != nil {
					return RepairResult{}, err
				}
			}
		}
		var e domain.Event
		switch rep.Kind {
		case domain.TypeOperationVoided:
			e, err = s.Void(rep.Target, m, c)
		case domain.TypeOperationCorrected:
			e, err = s.Correct(rep.Target, q, m, c)
		case domain.TypeStockCounted:
			e, err = s.Count(q, m, c)
		case domain.TypeStockAdjusted:
			e, err = s.Adjust(q, rep.Out, m, c)
		default:
			return RepairResult{}, fmt.Errorf("repair: no handler for %q", rep.Kind)
		}
		if err != nil {
			return RepairResult{}, err
		}
		// The projection will decide it on the same state (the sequence number sees to
		// that): its effect is known now.
		eff, err := s.Apply(e, c)
		if err != nil {
			return RepairResult{}, err
		}
		op := operation{Operation: Operation{Product: product, Quantity: q, Key: rep.Key}, kind: rep.Kind}
		pos, err := r.log.Append(ctx, e)
		if err != nil {
			return RepairResult{}, appendFailed(op, err)
		}
		if err := r.projection.CatchUp(ctx); err != nil {
			return RepairResult{}, outcomeUnknown(op, &pos[0], err)
		}
		out, err := r.model.EventOutcome(ctx, pos[0], e)
		if err != nil {
			return RepairResult{}, outcomeUnknown(op, &pos[0], err)
		}
		if !out.Found {
			return RepairResult{}, outcomeUnknown(op, &pos[0], fmt.Errorf("event %s is not in the read model after catching up", e.ID))
		}
		if out.Accepted {
			res := RepairResult{Event: e, Target: t, Delta: eff.Delta, Stock: s.Level(), Attempts: attempt, Key: rep.Key}
			if rep.Kind == domain.TypeOperationVoided {
				res.Delta = -t.Delta
			} else if rep.Kind == domain.TypeOperationCorrected {
				res.Delta = eff.Delta - t.Delta
			}
			res.Expected, _ = domain.QuantityFromCents(max(eff.Before, 0))
			if !targeted && (!rep.Location.IsMain() || len(s.Places()) > 1) {
				res.Expected, _ = domain.QuantityFromCents(max(eff.Place.Before, 0))
				here := s.PlaceLevel(rep.Location)
				res.Here = &here
			}
			return res, nil
		}
		r.backoff(ctx, attempt)
	}
	return RepairResult{}, fmt.Errorf("%w: gave up after %d attempts; try again", ErrConflict, r.maxAttempts)
}

// alreadyRepaired answers a repair whose command was accepted before: the same product,
// or the key was used for something else.
func alreadyRepaired(rep Repair, prior domain.Outcome) (RepairResult, error) {
	// The command must have been this kind of repair: a count under a void's key recorded
	// no count. (A correction's own row has the kind it corrected: it is known by not
	// being another repair.)
	otherKind := prior.Type != rep.Kind
	if rep.Kind == domain.TypeOperationCorrected {
		otherKind = prior.Type == domain.TypeOperationVoided || prior.Type == domain.TypeStockCounted || prior.Type == domain.TypeStockAdjusted
	}
	if otherKind || (rep.Kind == domain.TypeStockCounted || rep.Kind == domain.TypeStockAdjusted) && prior.Product != rep.Product.String() {
		return RepairResult{}, fmt.Errorf("%w: %q recorded a %s of %q", ErrIdempotencyKeyReused, rep.CommandID,
			WordsFor(prior.Type).Noun, prior.Product)
	}
	date, _ := domain.ParseBusinessDate(prior.Date)
	p, _ := domain.ParseProductID(prior.Product)
	loc, _ := domain.ParseLocationID(prior.Location)
	to, _ := domain.ParseLocationID(prior.To)
	return RepairResult{
		Event: domain.Event{Type: rep.Kind, ID: prior.EventID, CommandID: rep.CommandID, Product: p, Quantity: prior.Quantity, BusinessDate: date, Target: rep.Target,
			Location: loc, To: to},
		Stock:           prior.Stock,
		AlreadyRecorded: true,
		Key:             rep.Key,
	}, nil
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// ErrUnknownProduct means a count or an adjustment names a product the ledger has no
// operation for: most often a typo, and a first delivery is a restock.
var ErrUnknownProduct = errors.New("unknown product")

func unknownProduct(ctx context.Context, l *lookAlikes, p domain.ProductID) error {
	err := fmt.Errorf("%w: %s has no operations: counts and adjustments apply to products the ledger knows (a first delivery is a restock)",
		ErrUnknownProduct, productid.Quote(p.String()))
	if other, ok, ferr := l.find(ctx, p); ferr == nil && ok {
		return fmt.Errorf("%w; did you mean %s?", err, productid.Quote(other))
	}
	return err
}

// ErrAmbiguousID means an event ID prefix matches more than one operation.
var ErrAmbiguousID = errors.New("ambiguous event ID")

// Where returns where the repair applied: a count's or an adjustment's location, a
// void's or correction's operation's (and a transfer's destination; "" otherwise).
// Main is "main".
func (r RepairResult) Where() (location, to string) {
	if r.Target != nil {
		if r.Target.Kind == domain.TypeStockTransferred {
			to = r.Target.To.String()
		}
		return r.Target.Location.String(), to
	}
	if !r.Event.To.IsMain() {
		// Of a void already recorded: its transfer's destination (main is not told).
		to = r.Event.To.String()
	}
	return r.Event.Location.String(), to
}

// Message is the sentence that reports r, the same from the CLI and the API.
func (r RepairResult) Message() string {
	p := r.Event.Product.String()
	if r.AlreadyRecorded {
		// A count or an adjustment has no target to name.
		what := WordsFor(r.Event.Type).Noun
		if r.Event.Target != "" {
			what += " " + r.Event.Target
		}
		return fmt.Sprintf("already recorded: %s of %q (event %s); stock after it: %s", what, p, r.Event.ID, r.Stock)
	}
	signed := func(n int64) string {
		q, _ := domain.QuantityFromCents(abs(n))
		if n < 0 {
			return "-" + q.String()
		}
		return "+" + q.String()
	}
	now := r.Stock.String()
	if r.Here != nil {
		now = fmt.Sprintf("%s there, %s in all", r.Here, r.Stock)
	}
	switch r.Event.Type {
	case domain.TypeOperationVoided:
		q, _ := domain.QuantityFromCents(r.Target.Moved())
		return fmt.Sprintf("voided the %s of %s of %q%s on %s (%s): %s; stock now %s",
			WordsFor(r.Target.Kind).Noun, q, p, r.Target.Where(), r.Target.Date, r.Target.ID, r.Event.Reason, r.Stock)
	case domain.TypeOperationCorrected:
		q, _ := domain.QuantityFromCents(r.Target.Moved())
		return fmt.Sprintf("corrected the %s of %s of %q%s on %s to %s on %s: %s; stock now %s",
			WordsFor(r.Target.Kind).Noun, q, p, r.Target.Where(), r.Target.Date, r.Event.Quantity, r.Event.BusinessDate, r.Event.Reason, r.Stock)
	case domain.TypeStockCounted:
		if r.Delta == 0 {
			return fmt.Sprintf("counted %s of %s on %s: as the ledger expected; stock now %s", r.Event.Quantity, quoted(p, r), r.Event.BusinessDate, now)
		}
		return fmt.Sprintf("counted %s of %s on %s where the ledger expected %s: adjusted by %s; stock now %s",
			r.Event.Quantity, quoted(p, r), r.Event.BusinessDate, r.Expected, signed(r.Delta), now)
	}
	return fmt.Sprintf("adjusted %s by %s (%s) on %s; stock now %s", quoted(p, r), signed(r.Delta), r.Event.Reason, r.Event.BusinessDate, now)
}

// quoted names the product of a count or an adjustment message, and its location when
// not main.
func quoted(p string, r RepairResult) string {
	if r.Here != nil {
		return fmt.Sprintf("%q in %s", r.Event.Product.String(), r.Event.Location)
	}
	return fmt.Sprintf("%q", p)
}
