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
	// Location is where it happened (a transfer's source), To a transfer's destination.
	Location, To LocationID
	// Places are the locations it moved, for a product kept in several: its location,
	// and a transfer's destination after its source. Nil for a product kept in main only.
	Places []TargetPlace
}

// Moved returns how much the target moved, in hundredths: a transfer's quantity, the
// size of any other operation's movement.
func (t Target) Moved() int64 {
	if t.Kind == TypeStockTransferred && len(t.Places) > 1 {
		return max(t.Places[1].Delta, -t.Places[1].Delta)
	}
	return max(t.Delta, -t.Delta)
}

// Where names where the target happened, for a sentence: " from main to north" for a
// transfer, " in north" outside main, nothing in main.
func (t Target) Where() string {
	switch {
	case t.Kind == TypeStockTransferred:
		return fmt.Sprintf(" from %s to %s", t.Location, t.To)
	case !t.Location.IsMain():
		return " in " + t.Location.String()
	}
	return ""
}

// TargetPlace is what a repair's target did in one location: its signed movement there,
// and the balances there after the other operations of its date, before it and after it.
type TargetPlace struct {
	Location    LocationID
	Delta       int64
	Prior, Rest Extremes
}

// VoidedPlace is what a void or a correction does to one location's balances: as
// Voided's Day and Start, for that location.
type VoidedPlace struct {
	Location LocationID
	Delta    int64
	Day      Extremes
	Start    int64
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
	// Places are the same per location the target moved, for a product kept in several.
	Places []VoidedPlace
}

// NegativeStockError refuses a repair or adjustment that would take a balance below
// zero. It matches ErrInsufficientStock with errors.Is.
type NegativeStockError struct {
	Product ProductID
	// Action says what was refused, as "voiding this restock".
	Action  string
	On      BusinessDate
	Balance Quantity // the balance on On before the repair
	// Location is where the stock would go negative, named when InPlace (a product kept
	// in several locations).
	Location LocationID
	InPlace  bool
}

// Where names the stock that would go negative: "P1", or "P1 in north".
func (e *NegativeStockError) Where() string {
	if e.InPlace {
		return fmt.Sprintf("%s in %s", e.Product, e.Location)
	}
	return e.Product.String()
}

func (e *NegativeStockError) Error() string {
	return fmt.Sprintf("%s would make the stock of %s negative on %s (%s in stock then)", e.Action, e.Where(), e.On.Day(), e.Balance)
}

// Is makes errors.Is(err, ErrInsufficientStock) true.
func (e *NegativeStockError) Is(target error) bool { return target == ErrInsufficientStock }

// Void decides cancelling the operation c.Target, whose event ID is target, as of its
// business date: it returns the OperationVoided event to append. It does not change s.
func (s *Stock) Void(target string, m Metadata, c Conditions) (Event, error) {
	e := newEvent(TypeOperationVoided, s, Quantity{}, m)
	e.Target, e.Location = target, MainLocation // a void takes place where its target did
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
	e.Target, e.Location = target, MainLocation // a correction takes place where its target did
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

// RepairPlaces returns the locations whose balances by date (Conditions.PlaceLines)
// deciding a void or a correction of t needs: those t moved, for a product kept in
// several locations; none for one kept in main only, whose main is the product.
func (s *Stock) RepairPlaces(t *Target) []LocationID {
	if t == nil || s.mainOnly() || t.Product != s.product {
		return nil
	}
	out := make([]LocationID, len(t.Places))
	for i, p := range t.Places {
		out[i] = p.Location
	}
	return out
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
	case TypeStockTransferred:
		return "transfer"
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
	if e.Type == TypeOperationCorrected && t.Kind == TypeStockCounted {
		return nil, fmt.Errorf("%w: %s is a count: void it and record the count again", ErrNotCorrectable, t.ID)
	}
	if !c.ClosedThrough.IsZero() && t.Date.Day() <= c.ClosedThrough.Day() {
		return nil, &PeriodClosedError{Through: c.ClosedThrough, Date: t.Date}
	}
	if c.Line == nil {
		return nil, fmt.Errorf("%w: deciding a repair of %s needs its balances by date", ErrMalformedEvent, s.product)
	}
	if !s.mainOnly() {
		if len(t.Places) == 0 {
			return nil, fmt.Errorf("%w: deciding a repair of %s, kept in several locations, needs the locations %s moved", ErrMalformedEvent, s.product, t.ID)
		}
		for _, p := range t.Places {
			if c.PlaceLines[p.Location] == nil {
				return nil, fmt.Errorf("%w: deciding a repair of %s needs its balances by date in %s", ErrMalformedEvent, s.product, p.Location)
			}
		}
	} else if t.Kind == TypeStockTransferred || !t.Location.IsMain() {
		return nil, fmt.Errorf("%w: %s is kept in main only, but %s moved it elsewhere", ErrMalformedEvent, s.product, t.ID)
	}
	return t, nil
}

// repairLine is one balance a void or a correction changes: the product's total, or its
// stock in one location its target moved (place).
type repairLine struct {
	line        *Timeline
	place       bool
	loc         LocationID
	delta       int64 // the target's movement there
	prior, rest Extremes
	add         int64 // a correction's movement there
}

// unwind takes the target's movement out of l's line as of date d (its date's later
// operations and every later date) and returns what that did, to be undone by Revert.
func (l *repairLine) unwind(d BusinessDate) (VoidedPlace, Change, bool) {
	sp := l.line.Span(d)
	v := VoidedPlace{Location: l.loc, Delta: l.delta, Start: sp.At - sp.Net, Day: l.prior.with(l.rest.shifted(-l.delta))}
	day := v.Day
	if !day.Any {
		day = Extremes{Low: v.Start, High: v.Start}
	}
	change, ok := l.line.reshape(d, -l.delta, day.Low, day.High)
	return v, change, ok
}

// before returns the balance a refused repair found on date on in l, for its message:
// the lowest balance it would have left, less what the repair moved there.
func (l *repairLine) before(on BusinessDate, lo int64, t *Target, e Event) Quantity {
	moved := int64(0)
	if !on.Before(t.Date) {
		moved -= l.delta
	}
	if e.Type == TypeOperationCorrected && !on.Before(e.BusinessDate) {
		moved += l.add
	}
	return Quantity{cents: max(lo-moved, 0)}
}

// sign returns -1, 0 or 1 as n is negative, zero or positive.
func sign(n int64) int64 {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// repair decides a void or a correction against its target's balances: the product's
// (c.Line) and, for a product kept in several locations, each location the target moved
// (c.PlaceLines), which it changes and restores before it returns. The target's
// movement leaves its date (its date's later operations and every later date), the
// correction's operation joins its own date after the others, in the target's
// locations, and every balance from the earlier of the two dates must stay within range.
func (s *Stock) repair(e Event, c Conditions) (Effect, error) {
	t, err := s.checkTarget(e, c)
	if err != nil {
		return Effect{}, err
	}
	lines := []repairLine{{line: c.Line, delta: t.Delta, prior: t.Prior, rest: t.Rest}}
	for _, p := range t.Places {
		if s.mainOnly() {
			break // main's balances are the product's
		}
		lines = append(lines, repairLine{line: c.PlaceLines[p.Location], place: true, loc: p.Location, delta: p.Delta, prior: p.Prior, rest: p.Rest})
	}
	v := &Voided{Target: *t}
	for i := range lines {
		vp, change, ok := lines[i].unwind(t.Date)
		if !ok {
			return Effect{}, fmt.Errorf("%w: %s has no balance on %s, the date of %s", ErrMalformedEvent, s.product, t.Date, t.ID)
		}
		defer lines[i].line.Revert(change)
		if i == 0 {
			v.Day, v.Start = vp.Day, vp.Start
		} else {
			v.Places = append(v.Places, vp)
		}
	}
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
		// The corrected operation moves each balance the way the target did: a sale's
		// out of its location, a transfer's out of its source and into its destination
		// (and the product's total not at all).
		for i := range lines {
			l := &lines[i]
			l.add = sign(l.delta) * e.Quantity.cents
			if i == 0 && t.Kind != TypeStockTransferred && t.Delta >= 0 {
				l.add = e.Quantity.cents
			}
			at := l.line.Span(e.BusinessDate)
			pe := PlaceEffect{Location: l.loc, Delta: l.add, Before: at.At, DateNet: at.Net + l.add, Backdated: at.Later}
			switch i {
			case 0:
				eff.Delta, eff.Before, eff.DateNet, eff.Backdated = pe.Delta, pe.Before, pe.DateNet, pe.Backdated
			case 1:
				eff.Place = pe
			default:
				eff.To = pe
			}
			defer l.line.Revert(l.line.Add(e.BusinessDate, l.add))
		}
		if e.BusinessDate.Before(from) {
			from = e.BusinessDate
		}
	}
	// A location's shortage is what a person can act on: the places are checked first
	// (the product's total cannot go below zero unless one of them does).
	for _, i := range append(seqFrom(1, len(lines)), 0) {
		l := &lines[i]
		lo, hi, loDate, hiDate := l.line.from(from)
		if lo < 0 {
			return Effect{}, &NegativeStockError{Product: s.product, Action: action, On: loDate, Balance: l.before(loDate, lo, t, e),
				Location: l.loc, InPlace: l.place}
		}
		if hi > MaxQuantity.cents {
			where := s.product.String()
			if l.place {
				where += " in " + l.loc.String()
			}
			return Effect{}, fmt.Errorf("%w: %s would make %s hold %s on %s (the most is %s)", ErrStockOverflow, action, where,
				Quantity{cents: hi}, hiDate.Day(), MaxQuantity)
		}
	}
	return eff, nil
}

// seqFrom returns a, a+1, …, b-1.
func seqFrom(a, b int) []int {
	out := make([]int, 0, max(b-a, 0))
	for i := a; i < b; i++ {
		out = append(out, i)
	}
	return out
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
