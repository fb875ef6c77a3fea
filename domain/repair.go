package domain

import (
	"errors"
	"fmt"
	"slices"
)

// Repairs are events (DESIGN.md "Repairs are events"): nothing in the log is deleted or
// edited. A void cancels an accepted operation as of its business date, a correction
// voids one and records its corrected form in one event, a count records what was
// physically counted and an adjustment moves the stock for a stated reason. Each names
// what it repairs, takes its product's next sequence number like any operation, and is
// decided by the same rule: the stock stays between zero and MaxQuantity at every
// business date.

// AdjustReasons are the reason codes of an adjustment.
var AdjustReasons = []string{"damaged", "lost", "expired", "found", "other"}

// MaxReasonLength bounds a repair's reason, in bytes.
const MaxReasonLength = 500

// Errors of repairs, checked with errors.Is.
var (
	// ErrNoSuchOperation means a void or correction names an event ID the ledger does
	// not hold as an operation.
	ErrNoSuchOperation = errors.New("no such operation")
	// ErrNotAccepted means the operation named was refused by the ledger's rule, so
	// there is nothing to void or correct.
	ErrNotAccepted = errors.New("operation not accepted")
	// ErrAlreadyVoided means the operation named was voided (or corrected) already.
	ErrAlreadyVoided = errors.New("operation already voided")
	// ErrNotCorrectable means the operation named cannot be corrected (a count: void it
	// and count again).
	ErrNotCorrectable = errors.New("operation cannot be corrected")
)

// Target is the operation a void or a correction names, as the read model holds it.
type Target struct {
	ID string
	// Kind is what the operation did: TypeStockSold, TypeStockRestocked,
	// TypeStockAdjusted or TypeStockCounted. A correction's own operation has the kind
	// of the operation it corrected.
	Kind    EventType
	Product ProductID
	Date    BusinessDate
	// Delta is the operation's signed movement, in hundredths.
	Delta int64
	// Rejected is true when the log holds the event but the rule refused it; Reason
	// then says why.
	Rejected bool
	Reason   string
	// VoidedBy is the event ID of the void or correction that cancelled it, if any.
	VoidedBy string
	// Note is its note, which a correction keeps unless given another.
	Note string
	// Prior and Rest are the balances after the other operations of its product and
	// date, before it and after it in log order.
	Prior, Rest Extremes
}

// Extremes are the lowest and highest of some balances, when Any.
type Extremes struct {
	Low, High int64
	Any       bool
}

func (x Extremes) with(o Extremes) Extremes {
	switch {
	case !x.Any:
		return o
	case !o.Any:
		return x
	}
	return Extremes{Low: min(x.Low, o.Low), High: max(x.High, o.High), Any: true}
}

func (x Extremes) shifted(d int64) Extremes {
	if !x.Any {
		return x
	}
	return Extremes{Low: x.Low + d, High: x.High + d, Any: true}
}

// Voided is what a void or a correction does to the operation it cancels.
type Voided struct {
	Target Target
	// Day is its date's balances once it is gone: the lowest and highest balance after
	// any remaining operation of that date, or, with none left, the balance before the
	// date (Day.Any false).
	Day Extremes
	// Start is the balance before its date's first operation.
	Start int64
}

// NegativeStockError refuses a repair or adjustment that would take a balance below
// zero. It matches ErrInsufficientStock with errors.Is.
type NegativeStockError struct {
	Product ProductID
	// Action says what was refused, as "voiding this restock".
	Action  string
	On      BusinessDate
	Balance Quantity // the balance on On before the repair
}

func (e *NegativeStockError) Error() string {
	return fmt.Sprintf("%s would make the stock of %s negative on %s (%s in stock then)", e.Action, e.Product, e.On.Day(), e.Balance)
}

// Is makes errors.Is(err, ErrInsufficientStock) true.
func (e *NegativeStockError) Is(target error) bool { return target == ErrInsufficientStock }

// Void decides cancelling the operation c.Target, whose event ID is target, as of its
// business date: it returns the OperationVoided event to append. It does not change s.
func (s *Stock) Void(target string, m Metadata, c Conditions) (Event, error) {
	e := newEvent(TypeOperationVoided, s, Quantity{}, m)
	e.Target = target
	if c.Target != nil && c.Target.ID == target {
		e.BusinessDate = c.Target.Date
	}
	if _, err := s.check(e, c); err != nil {
		return Event{}, err
	}
	return e, nil
}

// Correct decides replacing the operation c.Target, whose event ID is target, by one of
// the same kind of q units dated m.BusinessDate: it returns the OperationCorrected event.
func (s *Stock) Correct(target string, q Quantity, m Metadata, c Conditions) (Event, error) {
	e := newEvent(TypeOperationCorrected, s, q, m)
	e.Target = target
	if _, err := s.check(e, c); err != nil {
		return Event{}, err
	}
	return e, nil
}

// Count decides recording counted units physically counted at m.BusinessDate: it returns
// the StockCounted event. The difference with the ledger is decided when it is applied.
func (s *Stock) Count(counted Quantity, m Metadata, c Conditions) (Event, error) {
	e := newEvent(TypeStockCounted, s, counted, m)
	if _, err := s.check(e, c); err != nil {
		return Event{}, err
	}
	return e, nil
}

// Adjust decides moving the stock by q units, out of it when out, for m.Reason (one of
// AdjustReasons): it returns the StockAdjusted event.
func (s *Stock) Adjust(q Quantity, out bool, m Metadata, c Conditions) (Event, error) {
	e := newEvent(TypeStockAdjusted, s, q, m)
	e.Out = out
	if _, err := s.check(e, c); err != nil {
		return Event{}, err
	}
	return e, nil
}

// kindWords names an operation's kind in a refusal.
func kindWords(k EventType) string {
	switch k {
	case TypeStockSold:
		return "sale"
	case TypeStockRestocked:
		return "restock"
	case TypeStockAdjusted:
		return "adjustment"
	case TypeStockCounted:
		return "count"
	}
	return "operation"
}

// checkTarget checks that the operation a void or correction names can be repaired.
func (s *Stock) checkTarget(e Event, c Conditions) (*Target, error) {
	t := c.Target
	if t == nil || t.ID != e.Target {
		return nil, fmt.Errorf("%w: %s holds no operation with event ID %s", ErrNoSuchOperation, s.product, e.Target)
	}
	if t.Product != s.product {
		return nil, fmt.Errorf("%w: %s is an operation of %s, not of %s", ErrMalformedEvent, t.ID, t.Product, s.product)
	}
	if t.Rejected {
		return nil, fmt.Errorf("%w: %s was refused when it was recorded (%s): it never moved the stock", ErrNotAccepted, t.ID, t.Reason)
	}
	if t.VoidedBy != "" {
		return nil, fmt.Errorf("%w: %s was voided by %s", ErrAlreadyVoided, t.ID, t.VoidedBy)
	}
	if !s.mainOnly() {
		// Issue 19 in progress: a repair's balances per location are not wired yet.
		return nil, fmt.Errorf("%w: %s has stock in several locations; voiding or correcting its operations is not supported yet", ErrNotCorrectable, s.product)
	}
	if e.Type == TypeOperationCorrected && t.Kind == TypeStockCounted {
		return nil, fmt.Errorf("%w: %s is a count: void it and record the count again", ErrNotCorrectable, t.ID)
	}
	if !c.ClosedThrough.IsZero() && t.Date.Day() <= c.ClosedThrough.Day() {
		return nil, &PeriodClosedError{Through: c.ClosedThrough, Date: t.Date}
	}
	if c.Line == nil {
		return nil, fmt.Errorf("%w: deciding a repair of %s needs its balances by date", ErrMalformedEvent, s.product)
	}
	return t, nil
}

// repair decides a void or a correction against c.Line, which it changes and restores
// before it returns: the target's movement leaves its date (its date's later operations
// and every later date), the correction's operation joins its own date after the others,
// and every balance from the earlier of the two dates must stay within range.
func (s *Stock) repair(e Event, c Conditions) (Effect, error) {
	t, err := s.checkTarget(e, c)
	if err != nil {
		return Effect{}, err
	}
	line := c.Line
	sp := line.Span(t.Date)
	v := &Voided{Target: *t, Start: sp.At - sp.Net}
	v.Day = t.Prior.with(t.Rest.shifted(-t.Delta))
	day := v.Day
	if !day.Any {
		day = Extremes{Low: v.Start, High: v.Start}
	}
	voidChange, ok := line.reshape(t.Date, -t.Delta, day.Low, day.High)
	if !ok {
		return Effect{}, fmt.Errorf("%w: %s has no balance on %s, the date of %s", ErrMalformedEvent, s.product, t.Date, t.ID)
	}
	defer line.Revert(voidChange)
	eff := Effect{Voided: v}
	from := t.Date
	action := "voiding this " + kindWords(t.Kind)
	if e.Type == TypeOperationCorrected {
		action = "correcting this " + kindWords(t.Kind)
		if e.Quantity.IsZero() {
			return Effect{}, fmt.Errorf("%w: must be greater than zero", ErrInvalidQuantity)
		}
		if !c.ClosedThrough.IsZero() && e.BusinessDate.Day() <= c.ClosedThrough.Day() {
			return Effect{}, &PeriodClosedError{Through: c.ClosedThrough, Date: e.BusinessDate}
		}
		delta := e.Quantity.cents
		if t.Delta < 0 {
			delta = -delta
		}
		at := line.Span(e.BusinessDate)
		eff.Delta, eff.Before, eff.DateNet, eff.Backdated = delta, at.At, at.Net+delta, at.Later
		defer line.Revert(line.Add(e.BusinessDate, delta))
		if e.BusinessDate.Before(from) {
			from = e.BusinessDate
		}
	}
	lo, hi, loDate, hiDate := line.from(from)
	if lo < 0 {
		return Effect{}, &NegativeStockError{Product: s.product, Action: action, On: loDate, Balance: s.balanceBefore(line, loDate, lo, eff, t, e)}
	}
	if hi > MaxQuantity.cents {
		return Effect{}, fmt.Errorf("%w: %s would make %s hold %s on %s (the most is %s)", ErrStockOverflow, action, s.product,
			Quantity{cents: hi}, hiDate.Day(), MaxQuantity)
	}
	return eff, nil
}

// balanceBefore returns the balance a refused repair found on date on, for its message:
// the lowest balance it would have left, less what the repair moved there.
func (s *Stock) balanceBefore(line *Timeline, on BusinessDate, lo int64, eff Effect, t *Target, e Event) Quantity {
	moved := int64(0)
	if !on.Before(t.Date) {
		moved -= t.Delta
	}
	if e.Type == TypeOperationCorrected && !on.Before(e.BusinessDate) {
		moved += eff.Delta
	}
	return Quantity{cents: max(lo-moved, 0)}
}

// countOrAdjust decides a count or an adjustment: an operation after every other of its
// date whose movement is known only now for a count (counted less the balance then).
func (s *Stock) countOrAdjust(e Event, sp Span) (Effect, error) {
	eff := Effect{Before: sp.At, Backdated: sp.Later}
	var action string
	switch e.Type {
	case TypeStockCounted:
		eff.Delta = e.Quantity.cents - sp.At
		action = fmt.Sprintf("counting %s on %s", e.Quantity, e.BusinessDate.Day())
	default:
		if e.Quantity.IsZero() {
			return Effect{}, fmt.Errorf("%w: must be greater than zero", ErrInvalidQuantity)
		}
		if !slices.Contains(AdjustReasons, e.Reason) {
			return Effect{}, fmt.Errorf("%w: adjustment reason %q (want one of %v)", ErrMalformedEvent, e.Reason, AdjustReasons)
		}
		eff.Delta = e.Quantity.cents
		action = fmt.Sprintf("adding %s (%s)", e.Quantity, e.Reason)
		if e.Out {
			eff.Delta = -eff.Delta
			action = fmt.Sprintf("removing %s (%s)", e.Quantity, e.Reason)
		}
	}
	lo, loDate, hi, hiDate := sp.At+eff.Delta, e.BusinessDate, sp.At+eff.Delta, e.BusinessDate
	if sp.Later {
		if sp.Low+eff.Delta < lo {
			lo, loDate = sp.Low+eff.Delta, sp.LowDate
		}
		if sp.High+eff.Delta > hi {
			hi, hiDate = sp.High+eff.Delta, sp.HighDate
		}
	}
	if lo < 0 {
		return Effect{}, &NegativeStockError{Product: s.product, Action: action, On: loDate, Balance: Quantity{cents: max(lo-eff.Delta, 0)}}
	}
	if hi > MaxQuantity.cents {
		return Effect{}, fmt.Errorf("%w: %s would make %s hold %s on %s (the most is %s)", ErrStockOverflow, action, s.product,
			Quantity{cents: hi}, hiDate.Day(), MaxQuantity)
	}
	eff.DateNet = sp.Net + eff.Delta
	return eff, nil
}

// from returns the lowest and highest balance after any operation dated d or later,
// each first reached on the date returned; with none, the balance at d.
func (t *Timeline) from(d BusinessDate) (lo, hi int64, loDate, hiDate BusinessDate) {
	sp := t.Span(dateOf(seconds(d) - 1))
	if !sp.Later {
		return sp.At, sp.At, d, d
	}
	return sp.Low, sp.High, sp.LowDate, sp.HighDate
}

// reshape changes the balances of date d, which must exist, after one of its operations
// leaves it: its end and net move by delta, as does every later date, and low and high
// become the date's new extremes. The Change it returns is undone by Revert.
func (t *Timeline) reshape(d BusinessDate, delta, low, high int64) (Change, bool) {
	at := seconds(d)
	ci, ki := t.locate(at)
	if ci < 0 || t.chunks[ci].ticks[ki].at != at {
		return Change{}, false
	}
	c := t.chunks[ci]
	k := &c.ticks[ki]
	change := Change{at: at, delta: delta, prior: *k}
	change.prior.end, change.prior.low, change.prior.high = k.end+c.shift, k.low+c.shift, k.high+c.shift
	k.end += delta
	k.net += delta
	k.low, k.high = low-c.shift, high-c.shift
	t.shiftAfter(ci, ki, delta)
	c.recount()
	return change, true
}

// Reshape is reshape for the read model, which applies an accepted void to a product's
// timeline as the rule decided it (Effect.Voided).
func (t *Timeline) Reshape(d BusinessDate, delta, low, high int64) (Change, bool) {
	return t.reshape(d, delta, low, high)
}
