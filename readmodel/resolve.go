package readmodel

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stockctl/stockctl/domain"
)

// MinIDPrefix is the shortest prefix of an event ID ResolveOperation accepts, as git
// takes a commit's: 8 characters, the first group of a UUID.
const MinIDPrefix = 8

// maxCandidates is how many matches an ambiguous prefix lists.
const maxCandidates = 5

var (
	// ErrAmbiguousID means an event ID prefix matches more than one operation, or is
	// too short to name one: the front end maps it to its invalid-input code.
	ErrAmbiguousID = errors.New("ambiguous event ID")
	// ErrNotAnOperation means an event ID names a void, which cancels an operation but
	// is none itself. The error matches domain.ErrNoSuchOperation as well: a refusal.
	ErrNotAnOperation = errors.New("not an operation")
)

// shortIDError is a prefix too short to name an operation: as invalid as an ambiguous one.
type shortIDError struct{ msg string }

func (e *shortIDError) Error() string { return e.msg }

// Is makes errors.Is(err, ErrAmbiguousID) true.
func (e *shortIDError) Is(target error) bool { return target == ErrAmbiguousID }

// notOperationError is a void's event ID given for an operation's.
type notOperationError struct{ msg string }

func (e *notOperationError) Error() string { return e.msg }

// Is makes errors.Is true for ErrNotAnOperation and domain.ErrNoSuchOperation.
func (e *notOperationError) Is(target error) bool {
	return target == ErrNotAnOperation || target == domain.ErrNoSuchOperation
}

// ResolveOperation returns the full event ID of the operation idOrPrefix names: its
// event ID, or a prefix of at least MinIDPrefix characters that only it starts with.
// Operations are the ledger's rows (sales, restocks, counts, adjustments, a correction's
// new operation) and rejected events, which a void is refused for with its own reason. A
// prefix matching several lists up to five of them (ErrAmbiguousID); one naming a void
// says which operation that void cancelled (ErrNotAnOperation); one naming nothing wraps
// domain.ErrNoSuchOperation.
func (d *DB) ResolveOperation(ctx context.Context, idOrPrefix string) (string, error) {
	id := strings.TrimSpace(idOrPrefix)
	if id == "" {
		return "", &shortIDError{"no event ID given: give one (history -o json shows them)"}
	}
	// A full ID is answered by the equality probe, whatever its length.
	if ok, err := d.exists(ctx, `SELECT 1 FROM ledger WHERE event_id = ? LIMIT 1`, id); err != nil || ok {
		return id, err
	}
	if len(id) < MinIDPrefix {
		if ok, err := d.isRepair(ctx, id); err != nil || ok {
			return d.notOperation(ctx, id, err)
		}
		if ok, err := d.exists(ctx, `SELECT 1 FROM rejected_events WHERE event_id = ? LIMIT 1`, id); err != nil || ok {
			return id, err
		}
		return "", &shortIDError{fmt.Sprintf("event ID %q is too short: give at least %d characters (history -o json shows them)", id, MinIDPrefix)}
	}
	// The range, not substr, lets ledger_event and repairs_event find the
	// matches; one more than listed tells that there are more. A void is in repairs only
	// (a correction, count or adjustment has its ledger row): it is listed among the
	// matches as a void, with its target's date and quantity.
	inRange := func(col string) string {
		if successor(id) == "" {
			return col + ` >= ?1`
		}
		return col + ` >= ?1 AND ` + col + ` < ?2`
	}
	matches, err := d.candidates(ctx, `SELECT event_id, product_id, event_type, business_date, delta_cents, voided_by IS NOT NULL
		FROM ledger WHERE `+inRange("event_id")+`
		UNION ALL
		SELECT r.event_id, r.product_id, r.event_type, coalesce(l.business_date, r.business_date), coalesce(l.delta_cents, 0), 0
		FROM repairs AS r LEFT JOIN ledger AS l ON l.event_id = r.target_event_id
		WHERE `+inRange("r.event_id")+` AND r.event_type = '`+string(domain.TypeOperationVoided)+`'
		ORDER BY 1 LIMIT ?3`, id)
	if err != nil {
		return "", err
	}
	if len(matches) == 1 && matches[0].kind == string(domain.TypeOperationVoided) {
		return d.notOperation(ctx, matches[0].id, nil)
	}
	if len(matches) == 0 {
		// Rejected events have no index on their ID: they are read only when nothing in
		// effect or voided matched, and they are few.
		if matches, err = d.candidates(ctx, `SELECT DISTINCT event_id, product_id, event_type, business_date,
			iif(event_type = 'StockSold', -qty_cents, qty_cents), 0
			FROM rejected_events WHERE `+inRange("event_id")+` ORDER BY 1 LIMIT ?3`, id); err != nil {
			return "", err
		}
	}
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("%w: no operation has an event ID starting with %s (history -o json shows them)", domain.ErrNoSuchOperation, id)
	case 1:
		return matches[0].id, nil
	}
	lines := make([]string, 0, len(matches))
	for i, m := range matches {
		if i == maxCandidates {
			lines = append(lines, "  …")
			break
		}
		lines = append(lines, "  "+m.String())
	}
	return "", fmt.Errorf("%w: %s is the start of several event IDs: give more characters\n%s", ErrAmbiguousID, id, strings.Join(lines, "\n"))
}

// candidate is an operation an event ID prefix matched.
type candidate struct {
	id, product, kind, date string
	delta                   int64
	voided                  bool
}

func (c candidate) String() string {
	q := centsString(c.delta)
	if c.delta < 0 {
		q = centsString(-c.delta)
	}
	kind := domain.EventType(c.kind)
	s := fmt.Sprintf("%s  %s  %s  %s  %s", c.id, c.product, kindName(kind), strings.TrimSuffix(c.date, " 00:00:00"), q)
	if c.voided {
		s += "  (voided)"
	}
	return s
}

// kindName names an event's kind as history shows it.
func kindName(k domain.EventType) string {
	switch k {
	case domain.TypeStockAdjusted:
		return "adjustment"
	case domain.TypeStockCounted:
		return "count"
	case domain.TypeOperationVoided:
		return "void"
	case domain.TypeOperationCorrected:
		return "correction"
	}
	return operationName(k)
}

func (d *DB) candidates(ctx context.Context, query, lo string) ([]candidate, error) {
	rows, err := d.db.QueryContext(ctx, query, lo, successor(lo), maxCandidates+1)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", lo, err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.product, &c.kind, &c.date, &c.delta, &c.voided); err != nil {
			return nil, fmt.Errorf("resolve %s: %w", lo, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (d *DB) exists(ctx context.Context, query string, args ...any) (bool, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return false, fmt.Errorf("resolve: %w", err)
	}
	defer rows.Close()
	found := rows.Next()
	return found, rows.Err()
}

func (d *DB) isRepair(ctx context.Context, id string) (bool, error) {
	return d.exists(ctx, `SELECT 1 FROM repairs WHERE event_id = ? AND event_type = ?`, id, string(domain.TypeOperationVoided))
}

// notOperation refuses the void whose event ID is id, naming what it cancelled.
func (d *DB) notOperation(ctx context.Context, id string, err error) (string, error) {
	if err != nil {
		return "", err
	}
	var target string
	if err := d.db.QueryRowContext(ctx, `SELECT coalesce(target_event_id, '') FROM repairs WHERE event_id = ?`, id).Scan(&target); err != nil {
		return "", fmt.Errorf("resolve %s: %w", id, err)
	}
	return "", &notOperationError{fmt.Sprintf("%s is a void of %s, not an operation: give the operation's own event ID", id, target)}
}

// successor is the least string greater than every string starting with p, "" when
// there is none (p all 0xff bytes): the exclusive end of p's range.
func successor(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}
