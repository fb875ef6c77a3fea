package readmodel

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// The balances table (migration 007) holds each product's balance by business date. A
// shared model keeps it in SQL, row by row; a model made by Create (a replay) keeps it in
// memory as one domain.Timeline per product and writes it once, in Finish.

// timelines are the balances of a bulk load, by product and by product and location:
// keyed by the struct, not a joined string, so that no event allocates a key.
type timelines map[balanceKey]*domain.Timeline

// lineChange is one change a bulk load's transaction made to a timeline.
type lineChange struct {
	line   *domain.Timeline
	change domain.Change
}

// revert takes back the transaction's changes to the timelines, latest first.
func (t *projectTx) revert() {
	for i := len(t.changes) - 1; i >= 0; i-- {
		t.changes[i].line.Revert(t.changes[i].change)
	}
	t.changes = nil
	for i := len(t.placeUndo) - 1; i >= 0; i-- {
		u := t.placeUndo[i]
		if u.had {
			t.places[u.product] = u.old
		} else {
			delete(t.places, u.product)
		}
	}
	t.placeUndo = nil
}

func (t *projectTx) balance(e domain.Event, eff domain.Effect) error {
	return t.addBalance(productKey(e.Product), e.BusinessDate, eff.Delta, eff.After(), eff.Backdated)
}

// addBalance records an operation of delta dated d among k's balances: after is the
// balance right after it, backdated whether later dates exist, which it shifts.
func (t *projectTx) addBalance(k balanceKey, d domain.BusinessDate, delta, after int64, backdated bool) error {
	if t.lines != nil {
		line := t.lines[k]
		if line == nil {
			line = domain.NewTimeline(nil)
			t.lines[k] = line
		}
		t.changes = append(t.changes, lineChange{line, line.Add(d, delta)})
		return nil
	}
	table, cond, args := k.sql(d.String())
	keyCols, keyVals := "product_id", "?1"
	if k.location != "" {
		keyCols, keyVals = "product_id, location_id", "?1, ?3"
	}
	// The operation comes after every other of its date, so the date's balance becomes
	// the balance after it, whether the date had operations before or not.
	err := t.exec(`INSERT INTO `+table+` (`+keyCols+`, business_date, end_cents, net_cents, low_cents, high_cents)
		VALUES (`+keyVals+`, ?2, ?4, ?5, ?4, ?4)
		ON CONFLICT DO UPDATE SET end_cents = excluded.end_cents,
		net_cents = net_cents + excluded.net_cents, low_cents = min(low_cents, excluded.end_cents),
		high_cents = max(high_cents, excluded.end_cents)`,
		append(padArgs(args), after, delta)...)
	if err == nil && backdated {
		err = t.exec(`UPDATE `+table+` SET end_cents = end_cents + ?4, low_cents = low_cents + ?4, high_cents = high_cents + ?4
			WHERE `+cond+` AND business_date > ?2`, append(padArgs(args), delta)...)
	}
	if err != nil {
		return fmt.Errorf("balances of %s: %w", k, err)
	}
	return nil
}

// padArgs gives a product key's arguments a placeholder ?3, so that both kinds of key
// number the arguments after them alike.
func padArgs(args []any) []any {
	if len(args) == 2 {
		return append(args, "")
	}
	return args
}

func (t *projectTx) Span(p domain.ProductID, d domain.BusinessDate) (domain.Span, error) {
	return t.spanAt(productKey(p), d)
}

// PlaceSpan implements projections.Tx.
func (t *projectTx) PlaceSpan(p domain.ProductID, l domain.LocationID, d domain.BusinessDate) (domain.Span, error) {
	return t.spanAt(placeKey(p, l), d)
}

func (t *projectTx) spanAt(k balanceKey, d domain.BusinessDate) (domain.Span, error) {
	if t.lines != nil {
		if line := t.lines[k]; line != nil {
			return line.Span(d), nil
		}
		return domain.Span{Date: d}, nil
	}
	return spanOf(t.ctx, t.tx, k, d)
}

// queryer is what span needs of a connection or transaction.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// span reads the product's balances around d from the balances table: the date at or
// before d, then the later dates' extremes, each first reached on the earliest date (as
// domain.Timeline.Span), so that a replay and a live model word a refusal alike.
func span(ctx context.Context, q queryer, p domain.ProductID, d domain.BusinessDate) (domain.Span, error) {
	return spanOf(ctx, q, productKey(p), d)
}

// balanceKey names a set of balances by date: a product's (table balances), or a
// product's in one location (place_balances, location set).
type balanceKey struct {
	product  string
	location string // "" for the product as a whole
}

func productKey(p domain.ProductID) balanceKey { return balanceKey{product: p.String()} }

func placeKey(p domain.ProductID, l domain.LocationID) balanceKey {
	return balanceKey{product: p.String(), location: l.String()}
}

// sql returns the key's table and its condition on ?1 (product) and ?3 (location), with
// the arguments for ?1 to ?3 given the date for ?2.
func (k balanceKey) sql(day string) (table, cond string, args []any) {
	if k.location == "" {
		return "balances", "product_id = ?1", []any{k.product, day}
	}
	return "place_balances", "product_id = ?1 AND location_id = ?3", []any{k.product, day, k.location}
}

func (k balanceKey) String() string {
	if k.location == "" {
		return fmt.Sprintf("%q", k.product)
	}
	return fmt.Sprintf("%q in %s", k.product, k.location)
}

// spanOf reads k's balances around d (see span).
func spanOf(ctx context.Context, q queryer, k balanceKey, d domain.BusinessDate) (domain.Span, error) {
	s := domain.Span{Date: d}
	day := d.String()
	table, cond, args := k.sql(day)
	p := k
	var at string
	err := q.QueryRowContext(ctx, `SELECT business_date, end_cents, net_cents FROM `+table+`
		WHERE `+cond+` AND business_date <= ?2 ORDER BY business_date DESC LIMIT 1`, args...).Scan(&at, &s.At, &s.Net)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("balances of %s: %w", p, err)
	}
	if at != day {
		s.Net = 0
	}
	var next, low, high sql.NullString
	err = q.QueryRowContext(ctx, `SELECT
		(SELECT business_date FROM `+table+` WHERE `+cond+` AND business_date > ?2 ORDER BY business_date LIMIT 1),
		(SELECT business_date || ' ' || low_cents FROM `+table+` WHERE `+cond+` AND business_date > ?2 ORDER BY low_cents, business_date LIMIT 1),
		(SELECT business_date || ' ' || high_cents FROM `+table+` WHERE `+cond+` AND business_date > ?2 ORDER BY high_cents DESC, business_date LIMIT 1)`,
		args...).Scan(&next, &low, &high)
	if err != nil {
		return s, fmt.Errorf("balances of %s: %w", p, err)
	}
	if !next.Valid {
		return s, nil
	}
	s.Later = true
	if s.Next, err = domain.ParseBusinessDate(next.String); err != nil {
		return s, fmt.Errorf("balances of %s: %w", p, err)
	}
	if s.LowDate, s.Low, err = dateAndCents(low.String); err != nil {
		return s, fmt.Errorf("balances of %s: %w", p, err)
	}
	if s.HighDate, s.High, err = dateAndCents(high.String); err != nil {
		return s, fmt.Errorf("balances of %s: %w", p, err)
	}
	return s, nil
}

// dateAndCents splits "YYYY-MM-DD HH:MM:SS N".
func dateAndCents(s string) (domain.BusinessDate, int64, error) {
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return domain.BusinessDate{}, 0, fmt.Errorf("balance %q", s)
	}
	d, err := domain.ParseBusinessDate(s[:i])
	if err != nil {
		return d, 0, err
	}
	var n int64
	_, err = fmt.Sscan(s[i+1:], &n)
	return d, n, err
}

// Span returns product p's balances around business date d, for a writer deciding an
// operation dated before the product's latest.
func (d *DB) Span(ctx context.Context, p domain.ProductID, date domain.BusinessDate) (domain.Span, error) {
	return span(ctx, d.db, p, date)
}

// Timeline returns product p's balances by business date, every date of it.
func (d *DB) Timeline(ctx context.Context, p domain.ProductID) (*domain.Timeline, error) {
	return timelineOf(ctx, d.db, p)
}

func timelineOf(ctx context.Context, q rowsQueryer, p domain.ProductID) (*domain.Timeline, error) {
	return timelineAt(ctx, q, productKey(p))
}

// timelineAt reads k's balances by date.
func timelineAt(ctx context.Context, q rowsQueryer, k balanceKey) (*domain.Timeline, error) {
	table, cond, args := k.sql("")
	p := k
	rows, err := q.QueryContext(ctx, `SELECT business_date, end_cents, net_cents, low_cents, high_cents
		FROM `+table+` WHERE `+cond+` AND ?2 = ?2 ORDER BY business_date`, args...)
	if err != nil {
		return nil, fmt.Errorf("balances of %s: %w", p, err)
	}
	defer rows.Close()
	var dates []domain.DateBalance
	for rows.Next() {
		var b domain.DateBalance
		var day string
		if err := rows.Scan(&day, &b.End, &b.Net, &b.Low, &b.High); err != nil {
			return nil, fmt.Errorf("balances of %s: %w", p, err)
		}
		if b.Date, err = domain.ParseBusinessDate(day); err != nil {
			return nil, fmt.Errorf("balances of %s: %w", p, err)
		}
		dates = append(dates, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("balances of %s: %w", p, err)
	}
	return domain.NewTimeline(dates), nil
}

// write stores a bulk load's balances, in key order, several rows per statement: a
// product's in balances, a product's in one location in place_balances.
func (t timelines) write(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write balances: %w", err)
	}
	defer tx.Rollback()
	keys := make([]balanceKey, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b balanceKey) int {
		return cmp.Or(strings.Compare(a.product, b.product), strings.Compare(a.location, b.location))
	})
	for _, table := range []struct {
		name, columns string
		places        bool
	}{
		{"balances", "product_id, business_date, end_cents, net_cents, low_cents, high_cents", false},
		{"place_balances", "product_id, location_id, business_date, end_cents, net_cents, low_cents, high_cents", true},
	} {
		if err := t.writeTable(ctx, tx, keys, table.name, table.columns, table.places); err != nil {
			return fmt.Errorf("write %s: %w", table.name, err)
		}
	}
	return tx.Commit()
}

func (t timelines) writeTable(ctx context.Context, tx *sql.Tx, keys []balanceKey, table, cols string, places bool) error {
	columns, rows := strings.Count(cols, ",")+1, 64
	row := "(" + placeholders(columns) + ")"
	insert := func(n int) string {
		return `INSERT INTO ` + table + ` (` + cols + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
	}
	full, err := tx.PrepareContext(ctx, insert(rows))
	if err != nil {
		return err
	}
	defer full.Close()
	args := make([]any, 0, columns*rows)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		var err error
		if len(args) == cap(args) {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insert(len(args)/columns), args...)
		}
		args = args[:0]
		return err
	}
	for _, k := range keys {
		product, location := k.product, k.location
		if (location != "") != places {
			continue
		}
		var werr error
		t[k].Each(func(b domain.DateBalance) {
			if werr != nil {
				return
			}
			if places {
				args = append(args, product, location)
			} else {
				args = append(args, product)
			}
			args = append(args, b.Date.String(), b.End, b.Net, b.Low, b.High)
			if len(args) == cap(args) {
				werr = flush()
			}
		})
		if werr != nil {
			return werr
		}
	}
	return flush()
}

// ClosedThrough returns the last closed day of partition, zero when none is.
func (t *projectTx) ClosedThrough(partition int32) (domain.BusinessDate, error) {
	s, err := t.stmt(`SELECT through FROM closed_periods WHERE partition = ?`)
	if err != nil {
		return domain.BusinessDate{}, fmt.Errorf("closed period: %w", err)
	}
	var day string
	err = s.QueryRowContext(t.ctx, partition).Scan(&day)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.BusinessDate{}, nil
	}
	if err != nil {
		return domain.BusinessDate{}, fmt.Errorf("closed period: %w", err)
	}
	return domain.ParseBusinessDate(day)
}

// ClosePeriod records partition's copy of an accepted PeriodClosed event.
func (t *projectTx) ClosePeriod(pos domain.Position, e domain.Event) error {
	err := t.exec(`INSERT INTO closed_periods (partition, through, event_id, "offset", recorded_at, recorded_by, note)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (partition) DO UPDATE SET through = excluded.through, event_id = excluded.event_id,
		"offset" = excluded."offset", recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by, note = excluded.note`,
		pos.Partition, e.BusinessDate.Day(), e.ID, pos.Offset, e.RecordedAt.UTC().Format(time.RFC3339Nano), e.RecordedBy, e.Note)
	if err != nil {
		return fmt.Errorf("close period: %w", err)
	}
	return nil
}

// ClosedThrough returns the last closed day of the books: the latest close any
// partition has taken in (every partition holds a copy of each close).
func (d *DB) ClosedThrough(ctx context.Context) (domain.BusinessDate, error) {
	var day sql.NullString
	if err := d.db.QueryRowContext(ctx, `SELECT max(through) FROM closed_periods`).Scan(&day); err != nil {
		return domain.BusinessDate{}, fmt.Errorf("closed period: %w", err)
	}
	if !day.Valid {
		return domain.BusinessDate{}, nil
	}
	return domain.ParseBusinessDate(day.String)
}
