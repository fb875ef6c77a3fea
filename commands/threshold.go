package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// ErrNoThreshold means a clear names a scope that has no threshold: nothing to clear.
var ErrNoThreshold = errors.New("no threshold")

// ThresholdModel is what setting and clearing a threshold read from the read model.
type ThresholdModel interface {
	// Locations returns the locations operations may name.
	Locations(ctx context.Context) (*domain.Locations, error)
	// HasThreshold reports whether product p has a threshold of scope ("" its total,
	// else a location ID).
	HasThreshold(ctx context.Context, p domain.ProductID, scope string) (bool, error)
	Snapshot(ctx context.Context, p domain.ProductID) (domain.Snapshot, error)
	// EventOutcome returns the decision about event e, appended at pos: a threshold
	// event the projection passed is accepted unless it was rejected.
	EventOutcome(ctx context.Context, pos domain.Position, e domain.Event) (domain.Outcome, error)
}

// ThresholdChange is a threshold to set (Clear false) or the scope of one to clear.
type ThresholdChange struct {
	Threshold domain.Threshold
	Clear     bool
	Operator  string
	Note      string
}

// ThresholdResult is what the ledger made of a ThresholdChange.
type ThresholdResult struct {
	Event domain.Event
	// NeverStocked is true when the product has no accepted operation yet: the threshold
	// is kept, and watches a stock of zero.
	NeverStocked bool
	// Stock is the stock the threshold watches now, in hundredths.
	Stock int64
}

// ThresholdHandler sets and clears thresholds: one event of the product each, appended
// through the log and decided by the projection in log order like an operation.
type ThresholdHandler struct {
	log        EventLog
	projection Projection
	model      ThresholdModel
	newID      func() string
	now        func() time.Time
}

// NewThresholdHandler returns a ThresholdHandler; newID returns a fresh unique ID per call.
func NewThresholdHandler(log EventLog, projection Projection, model ThresholdModel, newID func() string) ThresholdHandler {
	if log == nil || projection == nil || model == nil || newID == nil {
		panic("commands: nil dependency")
	}
	return ThresholdHandler{log: log, projection: projection, model: model, newID: newID, now: time.Now}
}

// Handle checks the change against the caught-up read model, appends its event and waits
// until the ledger has decided it. A location must be declared and open to take a
// threshold (domain.ErrUnknownLocation, domain.ErrLocationClosed); clearing a scope with
// no threshold is ErrNoThreshold. Nothing is appended then.
func (h ThresholdHandler) Handle(ctx context.Context, cmd ThresholdChange) (ThresholdResult, error) {
	verb := "threshold set"
	if cmd.Clear {
		verb = "threshold clear"
	}
	res, err := h.handle(ctx, cmd)
	if err != nil {
		return ThresholdResult{}, fmt.Errorf("%s: %w", verb, err)
	}
	return res, nil
}

func (h ThresholdHandler) handle(ctx context.Context, cmd ThresholdChange) (ThresholdResult, error) {
	t := cmd.Threshold
	if err := h.projection.CatchUp(ctx); err != nil {
		return ThresholdResult{}, err
	}
	if cmd.Clear {
		has, err := h.model.HasThreshold(ctx, t.Product, t.Scope())
		if err != nil {
			return ThresholdResult{}, err
		}
		if !has {
			return ThresholdResult{}, fmt.Errorf("%w %s: nothing to clear (see stockctl threshold list)", ErrNoThreshold, scopeWords(t))
		}
	} else if t.PerLocation {
		locs, err := h.model.Locations(ctx)
		if err != nil {
			return ThresholdResult{}, err
		}
		if err := locs.Check(t.Location); err != nil {
			return ThresholdResult{}, err
		}
	}
	now := h.now()
	m := domain.Metadata{EventID: h.newID(), CommandID: h.newID(), BusinessDate: domain.NewBusinessDate(now), RecordedAt: now,
		RecordedBy: cmd.Operator, Note: cmd.Note}
	var e domain.Event
	if cmd.Clear {
		e = domain.ClearThreshold(t, m)
	} else {
		var err error
		if e, err = domain.SetThreshold(t, m); err != nil {
			return ThresholdResult{}, err
		}
	}
	pos, err := h.log.Append(ctx, e)
	if err != nil {
		var na notAppended
		if errors.As(err, &na) && na.NotAppended() {
			return ThresholdResult{}, fmt.Errorf("%w; nothing was recorded", err)
		}
		return ThresholdResult{}, h.unknown(t, nil, err)
	}
	if err := h.projection.CatchUp(ctx); err != nil {
		return ThresholdResult{}, h.unknown(t, &pos[0], err)
	}
	out, err := h.model.EventOutcome(ctx, pos[0], e)
	if err != nil {
		return ThresholdResult{}, h.unknown(t, &pos[0], err)
	}
	if out.Found && !out.Accepted {
		// A location closed between the check and the append: the ledger refused it.
		return ThresholdResult{}, h.refusal(t, out)
	}
	snap, err := h.model.Snapshot(ctx, t.Product)
	if err != nil {
		return ThresholdResult{}, err
	}
	s := domain.RestoreStock(snap)
	res := ThresholdResult{Event: e, NeverStocked: s.Seq() == 0, Stock: s.Level().Cents()}
	if t.PerLocation {
		res.Stock = s.PlaceLevel(t.Location).Cents()
	}
	return res, nil
}

func (h ThresholdHandler) refusal(t domain.Threshold, out domain.Outcome) error {
	locs, err := h.model.Locations(context.Background())
	if err == nil {
		if err := locs.Check(t.Location); err != nil {
			return err
		}
	}
	return fmt.Errorf("%w: the ledger refused the threshold of %q (%s)", ErrConflict, t.Product, out.Reason)
}

func (h ThresholdHandler) unknown(t domain.Threshold, acked *domain.Position, err error) error {
	what := "may have been recorded"
	if acked != nil {
		what = fmt.Sprintf("is in the log (partition %d, offset %d), but the read model could not take it in", acked.Partition, acked.Offset)
	}
	return fmt.Errorf("%w: the threshold %s %s: %w; run `stockctl threshold list` to see it, and the same command again if it is not there "+
		"(a setting applied twice is the same setting)", ErrOutcomeUnknown, scopeWords(t), what, err)
}

// scopeWords names a threshold's scope: `for P1` (its total) or `for P1 in north`.
func scopeWords(t domain.Threshold) string {
	if !t.PerLocation {
		return fmt.Sprintf("for %q (its total over all locations)", t.Product)
	}
	return fmt.Sprintf("for %q in %s", t.Product, t.Location)
}
