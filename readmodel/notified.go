package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/stockctl/stockctl/notify"
)

var _ notify.Store = (*DB)(nil)

// StartNotified prepares the notifier's watermarks. On its first start in this model
// (no notified rows) every partition of the bound log starts at the offset projected
// now, so turning notifications on does not send the history; later starts keep what
// was delivered. It returns whether this was the first start.
func (d *DB) StartNotified(ctx context.Context) (first bool, err error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("start notified: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM notified`).Scan(&n); err != nil {
		return false, fmt.Errorf("start notified: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	// Every partition gets a row, even one with nothing projected yet: an empty notified
	// table is what says "first start", and a later start must not skip what came since.
	_, err = tx.ExecContext(ctx, `WITH RECURSIVE parts(p) AS (
			SELECT 0 WHERE (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'partitions') > 0
			UNION ALL
			SELECT p + 1 FROM parts WHERE p + 1 < (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'partitions'))
		INSERT INTO notified (partition, next_offset, updated_at)
		SELECT p, coalesce((SELECT next_offset FROM offsets WHERE partition = p), 0), ? FROM parts`, now())
	if err != nil {
		return false, fmt.Errorf("start notified: %w", err)
	}
	return true, tx.Commit()
}

// PendingCrossings returns up to limit rows of crossings (docs/architecture.md, "Reorder
// points and alerts") at or past their partition's notified watermark, in (partition,
// offset, location) order. It implements notify.Store.
func (d *DB) PendingCrossings(ctx context.Context, limit int) ([]notify.Crossing, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT c.partition, c."offset", c.location, c.product_id, c.kind, c.stock_cents,
			c.min_cents, c.event_id, c.event_type, c.business_date, c.recorded_at
		FROM notified n JOIN crossings c ON c.partition = n.partition AND c."offset" >= n.next_offset
		ORDER BY c.partition, c."offset", c.location LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("pending crossings: %w", err)
	}
	defer rows.Close()
	var out []notify.Crossing
	for rows.Next() {
		var c notify.Crossing
		var min sql.NullInt64
		if err := rows.Scan(&c.Partition, &c.Offset, &c.Location, &c.Product, &c.Kind, &c.StockCents, &min,
			&c.EventID, &c.EventType, &c.BusinessDate, &c.RecordedAt); err != nil {
			return nil, fmt.Errorf("pending crossings: %w", err)
		}
		c.HasMin, c.MinCents = min.Valid, min.Int64
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending crossings: %w", err)
	}
	return out, nil
}

// MarkNotified records that every crossing of partition below next is delivered (or
// given up on). A watermark never goes back. It implements notify.Store.
func (d *DB) MarkNotified(ctx context.Context, partition int32, next int64) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO notified (partition, next_offset, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (partition) DO UPDATE SET next_offset = max(next_offset, excluded.next_offset), updated_at = excluded.updated_at`,
		partition, next, now())
	if err != nil {
		return fmt.Errorf("mark notified: %w", err)
	}
	return nil
}

// Notified returns each partition's notified watermark.
func (d *DB) Notified(ctx context.Context) (map[int32]int64, error) {
	return d.partitionOffsets(ctx, "notified", `SELECT partition, next_offset FROM notified`)
}

// carryNotified copies the live model's notified watermarks into the finished model at
// built, which no process has open, before it replaces the live one: what was sent is a
// side effect, not a fact of the log, and a rebuild must not send it again. A watermark
// past the rebuild's end (a shortened log, replayed with --allow-loss) is brought back to
// that end, so crossings the log holds there later are sent.
func carryNotified(ctx context.Context, built, live string) error {
	if _, err := os.Stat(live); os.IsNotExist(err) {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(built)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("carry notified: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // ATTACH is per connection
	if err := copyNotified(ctx, db, live); err != nil && ctx.Err() == nil {
		// A live model that cannot be read (damaged: the very thing a replay repairs)
		// has nothing to carry; the notifier then starts afresh, at what is projected.
		db.ExecContext(ctx, `DETACH DATABASE live`)
	} else if err != nil {
		return err
	}
	// Only the file is renamed into place: everything must be in it, none in a log.
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("carry notified: %w", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("carry notified: %w", err)
	}
	return syncFile(built)
}

// copyNotified copies the notified rows of the model at live into db's.
func copyNotified(ctx context.Context, db *sql.DB, live string) error {
	if _, err := db.ExecContext(ctx, `ATTACH DATABASE ? AS live`, "file:"+filepath.ToSlash(live)+"?mode=ro"); err != nil {
		return err
	}
	var has int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM live.sqlite_master WHERE type = 'table' AND name = 'notified'`).Scan(&has); err != nil {
		return err
	}
	if has > 0 {
		_, err := db.ExecContext(ctx, `INSERT OR REPLACE INTO main.notified (partition, next_offset, updated_at)
			SELECT n.partition, min(n.next_offset, coalesce(o.next_offset, 0)), n.updated_at
			FROM live.notified n LEFT JOIN main.offsets o ON o.partition = n.partition`)
		if err != nil {
			return err
		}
	}
	_, err := db.ExecContext(ctx, `DETACH DATABASE live`)
	return err
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }
