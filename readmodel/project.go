package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/projections"
)

var _ projections.Store = (*DB)(nil)

// Project runs fn in one IMMEDIATE transaction and commits everything it wrote,
// offsets included, at once.
func (d *DB) Project(ctx context.Context, fn func(projections.Tx) error) (err error) {
	defer func() {
		// Another program held the write lock past the busy timeout: say so with ErrBusy,
		// which a following command waits out. The batch was rolled back whole.
		if isBusy(err) && !errors.Is(err, ErrBusy) {
			err = busyError(d.path)
		}
	}()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	// Statements run without the caller's cancellation: the driver starts a goroutine per
	// statement to watch a cancellable context, a third of a replay's time. The batch
	// still stops at the next check of ctx, and a failed batch rolls back whole.
	ptx := &projectTx{ctx: context.WithoutCancel(ctx), tx: tx}
	if d.bulk != nil {
		ptx.totals = newTotals()
		ptx.lines = d.lines
		ptx.places = d.places
		// The balances change in memory as events are applied: a batch that does not
		// commit takes its changes back.
		defer func() {
			if err != nil {
				ptx.revert()
			}
		}()
	}
	defer ptx.close()
	if err := fn(ptx); err != nil {
		return err
	}
	if err := ptx.flush(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if d.bulk != nil {
		d.bulk.add(ptx.totals)
	}
	return nil
}

// projectTx implements projections.Tx with statements prepared once per transaction.
// Accepted rows are buffered and inserted acceptRows at a time: one multi-row INSERT
// costs far less than as many single-row ones through database/sql.
type projectTx struct {
	ctx     context.Context
	tx      *sql.Tx
	stmts   map[string]*sql.Stmt
	pending []any       // ledgerColumns values per buffered row
	totals  *totals     // in a bulk load: what this transaction adds to the totals
	lines   timelines   // in a bulk load: every product's balances by date
	places  placeStocks // in a bulk load: every product's stock per location
	// placeUndo takes back the transaction's changes to places (see revert).
	placeUndo []placeUndo
	changes   []lineChange
	// repairIndexes is set once a bulk load has built the indexes a repair reads.
	repairIndexes bool
	// noThresholds holds the products whose stock row said they have no threshold.
	noThresholds map[string]bool
	crossPending []any // crossColumns values per buffered crossing
}

const (
	ledgerColumns = 23
	acceptRows    = 64
)

var ledgerInsert = `INSERT INTO ledger (partition, "offset", event_id, command_id, command_key,
	event_type, product_id, product_seq, qty_cents, stock_cents, business_date, recorded_at, recorded_by, note, date_cents,
	delta_cents, reason, counted_cents, corrects, location, to_location, to_cents, place_cents) VALUES `

func ledgerInsertOf(rows int) string {
	row := "(" + placeholders(ledgerColumns) + ")"
	return ledgerInsert + strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

var ledgerInsertFull = ledgerInsertOf(acceptRows)

// flush inserts the buffered ledger rows and crossings.
func (t *projectTx) flush() error {
	if err := t.flushCrossings(); err != nil {
		return err
	}
	n := len(t.pending) / ledgerColumns
	if n == 0 {
		return nil
	}
	query := ledgerInsertFull
	if n != acceptRows {
		query = ledgerInsertOf(n)
	}
	if err := t.exec(query, t.pending...); err != nil {
		return fmt.Errorf("accept: %w", err)
	}
	t.pending = t.pending[:0]
	return nil
}

func (t *projectTx) stmt(query string) (*sql.Stmt, error) {
	if s, ok := t.stmts[query]; ok {
		return s, nil
	}
	s, err := t.tx.PrepareContext(t.ctx, query)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = make(map[string]*sql.Stmt)
	}
	t.stmts[query] = s
	return s, nil
}

func (t *projectTx) exec(query string, args ...any) error {
	s, err := t.stmt(query)
	if err != nil {
		return err
	}
	_, err = s.ExecContext(t.ctx, args...)
	return err
}

func (t *projectTx) close() {
	for _, s := range t.stmts {
		s.Close()
	}
}

func (t *projectTx) NextOffset(partition int32) (int64, error) {
	s, err := t.stmt(`SELECT next_offset FROM offsets WHERE partition = ?`)
	if err != nil {
		return 0, fmt.Errorf("next offset: %w", err)
	}
	var n int64
	err = s.QueryRowContext(t.ctx, partition).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("next offset: %w", err)
	}
	return n, nil
}

func (t *projectTx) SetNextOffset(partition int32, next int64) error {
	err := t.exec(`INSERT INTO offsets (partition, next_offset, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at`,
		partition, next, time.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("set offset: %w", err)
	}
	return nil
}

func (t *projectTx) Stock(p domain.ProductID) (domain.Snapshot, error) {
	// Whether it has a threshold comes with it: most have none, and then the projection's
	// Thresholds needs no query of its own.
	s, err := t.stmt(`SELECT seq, stock_cents, last_date, date_net_cents, spread,
		EXISTS (SELECT 1 FROM thresholds WHERE thresholds.product_id = stock.product_id) FROM stock WHERE product_id = ?`)
	if err != nil {
		return domain.Snapshot{}, fmt.Errorf("stock: %w", err)
	}
	var seq, cents, net int64
	var last string
	var spread, watched bool
	err = s.QueryRowContext(t.ctx, p.String()).Scan(&seq, &cents, &last, &net, &spread, &watched)
	if err == nil && !watched {
		if t.noThresholds == nil {
			t.noThresholds = make(map[string]bool)
		}
		t.noThresholds[p.String()] = true
	}
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Snapshot{Product: p}, nil
	}
	if err != nil {
		return domain.Snapshot{}, fmt.Errorf("stock: %w", err)
	}
	snap, err := snapshot(p, seq, cents, last)
	snap.DateNet = net
	if err == nil && spread {
		snap.Places, err = t.placeStock(p)
	}
	return snap, err
}

func snapshot(p domain.ProductID, seq, cents int64, last string) (domain.Snapshot, error) {
	level, err := domain.QuantityFromCents(cents)
	if err != nil {
		return domain.Snapshot{}, fmt.Errorf("stock of %q: %w", p, err)
	}
	date, err := domain.ParseBusinessDate(last)
	if err != nil {
		return domain.Snapshot{}, fmt.Errorf("stock of %q: %w", p, err)
	}
	return domain.Snapshot{Product: p, Seq: seq, Level: level, LastDate: date}, nil
}

func (t *projectTx) PutStock(snap domain.Snapshot) error {
	err := t.exec(`INSERT INTO stock (product_id, seq, stock_cents, last_date, date_net_cents, spread) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (product_id) DO UPDATE SET seq = excluded.seq, stock_cents = excluded.stock_cents,
		last_date = excluded.last_date, date_net_cents = excluded.date_net_cents, spread = excluded.spread`,
		snap.Product.String(), snap.Seq, snap.Level.Cents(), snap.LastDate.String(), snap.DateNet, snap.Places != nil)
	if err != nil {
		return fmt.Errorf("put stock of %q: %w", snap.Product, err)
	}
	return t.putPlaces(snap.Product, snap.Places)
}

func (t *projectTx) AcceptedCommands(ids []string) (map[string]bool, error) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	found := make(map[string]bool)
	const chunk = 500
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		args := make([]any, len(part))
		for j, id := range part {
			args[j] = commandKey(id)
		}
		// A void has no ledger row: its command is found among the repairs.
		in := `(` + placeholders(len(part)) + `)`
		rows, err := t.tx.QueryContext(t.ctx, `SELECT command_id FROM ledger WHERE command_key IN `+in+`
			UNION ALL SELECT command_id FROM repairs WHERE command_key IN `+in, append(args, args...)...)
		if err != nil {
			return nil, fmt.Errorf("accepted commands: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("accepted commands: %w", err)
			}
			if want[id] {
				found[id] = true
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return found, nil
}

func (t *projectTx) Accept(pos domain.Position, e domain.Event, after domain.Snapshot, eff domain.Effect) error {
	kind := e.Type
	var corrects, counted any
	switch e.Type {
	case domain.TypeOperationVoided, domain.TypeOperationCorrected:
		if err := t.void(pos, e, after, eff); err != nil {
			return err
		}
		if e.Type == domain.TypeOperationVoided {
			return nil
		}
		kind, corrects = eff.Voided.Target.Kind, eff.Voided.Target.ID
		// A correction takes place where its target did.
		e.Location, e.To = eff.Voided.Target.Location, eff.Voided.Target.To
	case domain.TypeStockCounted:
		counted = e.Quantity.Cents()
		if err := t.repaired(pos, e, after, eff.Delta); err != nil {
			return err
		}
	case domain.TypeStockAdjusted:
		if err := t.repaired(pos, e, after, eff.Delta); err != nil {
			return err
		}
	}
	qty := abs(eff.Delta)
	if t.totals != nil && kind != domain.TypeStockTransferred {
		t.totals.count(e.Product.String(), e.BusinessDate, kind, eff.Delta, 1)
	}
	// Main's balances start as the product's, before this operation moves either.
	if eff.Spread {
		if err := t.spread(e.Product); err != nil {
			return err
		}
	}
	if err := t.balance(e, eff); err != nil {
		return err
	}
	// Once kept per location, the product's balances there move too.
	var to, toCents, placeCents any
	if after.Places != nil {
		places := []domain.PlaceEffect{eff.Place}
		if kind == domain.TypeStockTransferred {
			places = append(places, eff.To)
			qty, to, toCents = e.Quantity.Cents(), eff.To.Location.String(), eff.To.DateNet
		}
		for _, pe := range places {
			if err := t.addBalance(placeKey(e.Product, pe.Location), e.BusinessDate, pe.Delta, pe.After(), pe.Backdated); err != nil {
				return err
			}
		}
		placeCents = eff.Place.DateNet
	}
	t.pending = append(t.pending,
		pos.Partition, pos.Offset, e.ID, e.CommandID, commandKey(e.CommandID), string(kind),
		e.Product.String(), after.Seq, qty, eff.After(), e.BusinessDate.String(),
		e.RecordedAt.UTC().Format(time.RFC3339Nano), e.RecordedBy, e.Note, eff.DateNet,
		eff.Delta, e.Reason, counted, corrects, e.Location.String(), to, toCents, placeCents)
	if len(t.pending) == acceptRows*ledgerColumns {
		return t.flush()
	}
	return nil
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func (t *projectTx) Reject(pos domain.Position, e domain.Event, reason, detail string) error {
	// Where it was refused (migration 013): its own location, a void's or a correction's
	// target's (NULL when the target is unknown), none for an event of no product.
	var loc, to any
	switch {
	case e.Type == domain.TypeOperationVoided || e.Type == domain.TypeOperationCorrected:
		if err := t.flush(); err != nil {
			return err
		}
		if err := t.indexRepairs(); err != nil {
			return err
		}
		var l, d sql.NullString
		err := t.tx.QueryRowContext(t.ctx, `SELECT location, to_location FROM ledger WHERE event_id = ? LIMIT 1`, e.Target).Scan(&l, &d)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("reject %s: %w", e.ID, err)
		}
		if l.Valid {
			loc = l.String
		}
		if d.Valid {
			to = d.String
		}
	case !e.Product.IsZero():
		loc = e.Location.String()
		if e.Type == domain.TypeStockTransferred {
			to = e.To.String()
		}
	}
	err := t.exec(`INSERT INTO rejected_events (position, partition, "offset", event_id, command_id, event_type,
		product_id, qty_cents, expected_seq, reason, detail, business_date, recorded_at, recorded_by, note,
		location, to_location)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		pos.Key(), pos.Partition, pos.Offset, e.ID, e.CommandID, string(e.Type), e.Product.String(),
		e.Quantity.Cents(), e.ExpectedSeq, reason, detail, e.BusinessDate.String(),
		e.RecordedAt.UTC().Format(time.RFC3339Nano), e.RecordedBy, e.Note, loc, to)
	if err != nil {
		return fmt.Errorf("reject %s: %w", e.ID, err)
	}
	return nil
}

func (t *projectTx) Skip(pos domain.Position, reason, detail string) error {
	if len(detail) > 500 {
		detail = strings.ToValidUTF8(detail[:500], "")
	}
	err := t.exec(`INSERT INTO skipped_records (position, partition, "offset", reason, detail) VALUES (?, ?, ?, ?, ?)`,
		pos.Key(), pos.Partition, pos.Offset, reason, detail)
	if err != nil {
		return fmt.Errorf("skip: %w", err)
	}
	return nil
}

// commandKey hashes a command ID to 63 bits (FNV-1a) for a compact index; the ID itself
// is compared on a match.
func commandKey(id string) int64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return int64(h.Sum64() >> 1)
}

func (t *projectTx) Gap(partition int32, first, last int64, kind, detail string) error {
	err := t.exec(`INSERT OR IGNORE INTO log_gaps (partition, first_offset, last_offset, kind, detail) VALUES (?, ?, ?, ?, ?)`,
		partition, first, last, kind, detail)
	if err != nil {
		return fmt.Errorf("gap: %w", err)
	}
	return nil
}
