package web

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
)

// Repairer records voids, corrections, counts and adjustments; commands.RepairHandler is
// one.
type Repairer interface {
	Handle(ctx context.Context, r commands.Repair) (commands.RepairResult, error)
}

// OperationResolver finds the full event ID a unique prefix (at least MinIDPrefix
// characters) of an accepted or rejected operation stands for, as the CLI's void and
// correct do; a Store that implements it lets the API and the pages take a prefix.
// An ambiguous prefix is an error matching commands.ErrAmbiguousID.
type OperationResolver interface {
	ResolveOperation(ctx context.Context, prefix string) (string, error)
}

// MinIDPrefix is the shortest event ID prefix taken for a full ID.
const MinIDPrefix = 8

// repairInput is a repair as a form or a JSON request gives it: text, checked by the
// CLI's rules.
type repairInput struct {
	Kind domain.EventType
	// EventID is the operation a void or a correction repairs: a full ID or a prefix.
	EventID string
	Product string
	// Quantity: counted, adjusted (a leading minus takes units out), or a correction's new
	// quantity (empty: the target's own).
	Quantity string
	// Direction of an adjustment: "in", "out", or empty to follow Quantity's sign.
	Direction     string
	Date          string
	Reason, Note  string
	NoteGiven     bool
	Operator, Key string
	AllowFuture   bool
	// Location is where a count or an adjustment happens; empty: main.
	Location        string
	defaultOperator string
}

var (
	errReasonRequired = errors.New("reason is required: say why, e.g. \"typed 30 for 3\"")
	errAdjustReason   = fmt.Errorf("reason must be one of %s", strings.Join(domain.AdjustReasons, ", "))
	errDirection      = errors.New(`direction must be "in" or "out"`)
	errBadEventID     = errors.New("invalid event ID")
	zeroAmount        = regexp.MustCompile(`^0+(\.0{1,2})?$`)
)

// repairErrors classifies what only the repairs' input says.
var repairErrors = []commands.Sentinel{
	{Err: errReasonRequired, Class: commands.Invalid, Code: "invalid_reason", Field: "reason"},
	{Err: errAdjustReason, Class: commands.Invalid, Code: "invalid_reason", Field: "reason"},
	{Err: errDirection, Class: commands.Invalid, Code: "invalid_direction", Field: "direction"},
	{Err: errBadEventID, Class: commands.Invalid, Code: "invalid_event_id", Field: "event_id"},
}

// parse validates the input and returns the repair, or every wrong field's error in the
// order the forms show them. The event ID is checked for its shape only: resolve finds
// the operation.
func (in repairInput) parse(now time.Time) (commands.Repair, []*commands.FieldError) {
	rep := commands.Repair{Kind: in.Kind, Note: in.Note, NoteGiven: in.NoteGiven}
	var errs []*commands.FieldError
	fail := func(field string, err error) { errs = append(errs, &commands.FieldError{Field: field, Err: err}) }
	targeted := in.Kind == domain.TypeOperationVoided || in.Kind == domain.TypeOperationCorrected
	if targeted {
		id := strings.TrimSpace(in.EventID)
		if id == "" || len(id) > domain.MaxIDLength || commands.CheckText(id, domain.MaxIDLength) != nil || strings.ContainsAny(id, " /") {
			fail("event_id", fmt.Errorf("%w %q: give the event ID history -o json or the product page shows, or its first %d characters or more", errBadEventID, id, MinIDPrefix))
		}
		rep.Target = id
	}
	// The product, date, note, operator and key by the CLI's rules; the quantity below.
	product := in.Product
	if targeted {
		product = "x" // a void's product is its target's
	}
	op, perrs := commands.Input{Product: product, Quantity: "1", Date: in.Date, Note: in.Note, Operator: in.Operator,
		Key: in.Key, AllowFuture: in.AllowFuture, Location: strings.TrimSpace(in.Location)}.ParseAll(now, uuid.NewString)
	var later []*commands.FieldError
	for _, e := range perrs {
		if e.Field == "product" {
			errs = append(errs, e)
		} else {
			later = append(later, e)
		}
	}
	rep.Product, rep.Date, rep.DateGiven, rep.Location = op.Product, op.Date, strings.TrimSpace(in.Date) != "", op.Location
	q := strings.TrimSpace(in.Quantity)
	switch in.Kind {
	case domain.TypeStockCounted:
		if zeroAmount.MatchString(q) {
			rep.Quantity = domain.Quantity{}
		} else if v, err := domain.ParseQuantity(q); err != nil {
			fail("quantity", err)
		} else {
			rep.Quantity = v
		}
	case domain.TypeStockAdjusted:
		v, neg, err := domain.ParseSignedQuantity(strings.TrimPrefix(q, "+"))
		rep.Quantity, rep.Out = v, neg
		switch d := strings.ToLower(strings.TrimSpace(in.Direction)); {
		case err != nil:
			fail("quantity", err)
		case d == "out" && !neg, d == "in" && !neg:
			rep.Out = d == "out"
		case d == "in" && neg:
			fail("direction", fmt.Errorf("%w: a negative quantity takes units out, and direction says \"in\"", errDirection))
		case d != "" && d != "in" && d != "out":
			fail("direction", errDirection)
		}
	case domain.TypeOperationCorrected:
		if q != "" {
			if v, err := domain.ParseQuantity(q); err != nil {
				fail("quantity", err)
			} else {
				rep.Quantity = v
			}
		}
	}
	errs = append(errs, later...)
	reason := strings.TrimSpace(in.Reason)
	switch {
	case in.Kind == domain.TypeStockAdjusted:
		reason = strings.ToLower(reason)
		if !slices.Contains(domain.AdjustReasons, reason) {
			fail("reason", errAdjustReason)
		}
	case targeted && reason == "":
		fail("reason", errReasonRequired)
	default:
		if err := commands.CheckText(reason, commands.MaxNoteLength); err != nil {
			fail("reason", err)
		}
	}
	rep.Reason = reason
	if len(errs) > 0 {
		return rep, errs
	}
	rep.Operator = strings.TrimSpace(in.Operator)
	if rep.Operator == "" {
		rep.Operator = in.defaultOperator
	}
	rep.CommandID, rep.Key = op.CommandID, op.Key
	return rep, nil
}

// resolveTarget replaces a void's or correction's event ID prefix by the full ID, when
// the store can resolve prefixes.
func (s *Server) resolveTarget(ctx context.Context, rep *commands.Repair) error {
	if rep.Target == "" {
		return nil
	}
	r, ok := s.cfg.Store.(OperationResolver)
	if !ok {
		return nil
	}
	full, err := r.ResolveOperation(ctx, rep.Target)
	if err != nil {
		return err
	}
	if full != "" {
		rep.Target = full
	}
	return nil
}

// errNoRepairs answers a server built without a Repairer.
var errNoRepairs = errors.New("repairs are not available on this server")

// repair records a checked repair, serialised with the product's other operations in
// this process when the product is known before the target is read.
func (s *Server) repair(ctx context.Context, rep commands.Repair) (commands.RepairResult, error) {
	if s.cfg.Repairs == nil {
		return commands.RepairResult{}, errNoRepairs
	}
	if err := s.resolveTarget(ctx, &rep); err != nil {
		return commands.RepairResult{}, err
	}
	product := rep.Product.String()
	if rep.Target != "" {
		// The target's product, when there is one: the handler refuses the rest.
		product = ""
		if t, err := s.cfg.Store.Target(ctx, rep.Target); err != nil {
			return commands.RepairResult{}, err
		} else if t != nil {
			product = t.Product.String()
		}
	}
	if product != "" {
		unlock := s.locks.lock(product)
		defer unlock()
	}
	return s.cfg.Repairs.Handle(ctx, rep)
}
