package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
)

// contentTables are the tables that hold the read model's state.
var contentTables = []string{"ledger", "rejected_events", "skipped_records", "stock", "product_totals", "day_totals", "log_gaps", "offsets", "meta",
	"balances", "closed_periods", "repairs", "locations", "place_stock", "place_balances", "thresholds", "crossings"}

// notified is not compared: it records what the notifier sent, a side effect, not a
// fact of the log (a replay carries it over).

// Diff compares the contents of two read models table by table, inside SQLite, and
// describes at most max differences; none means they hold the same state. Row IDs that
// only record the order rows were written in are not compared.
func Diff(ctx context.Context, a, b *DB, max int) (diffs []string, err error) {
	// One connection for everything: the model allows one, and ATTACH is per connection.
	conn, err := a.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	defer conn.Close()
	return diff(ctx, conn, a.path, b.path, max)
}

// DiffFiles is Diff of two model files that no process is writing, such as a snapshot
// and a rebuild; a's rows are described as being in aName.
func DiffFiles(ctx context.Context, a, aName, b string, max int) ([]string, error) {
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(a)+"?mode=ro")
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	defer conn.Close()
	return diff(ctx, conn, aName, b, max)
}

// SnapshotTo copies the model, as one read transaction sees it, into a new file at path
// and returns the offsets it holds. Other processes may keep projecting into the live
// file; the copy's rows and offsets belong to one moment, so a rebuild up to exactly
// those offsets must match it.
func (d *DB) SnapshotTo(ctx context.Context, path string) (map[int32]int64, error) {
	if _, err := d.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	snap, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?mode=ro")
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	defer snap.Close()
	return (&DB{db: snap, path: path}).Offsets(ctx)
}

func diff(ctx context.Context, conn *sql.Conn, aName, bPath string, max int) (diffs []string, err error) {
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS other`, bPath); err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE other`)
	for _, table := range contentTables {
		cols, err := columns(ctx, conn, table)
		if err != nil {
			return nil, err
		}
		list := strings.Join(cols, ", ")
		for _, side := range []struct{ from, to, name string }{
			{"main", "other", aName}, {"other", "main", bPath},
		} {
			query := fmt.Sprintf(`SELECT %s FROM %s.%s EXCEPT SELECT %s FROM %s.%s LIMIT %d`,
				list, side.from, table, list, side.to, table, max)
			rows, err := conn.QueryContext(ctx, query)
			if err != nil {
				return nil, fmt.Errorf("diff %s: %w", table, err)
			}
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() && len(diffs) < max {
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return nil, fmt.Errorf("diff %s: %w", table, err)
				}
				diffs = append(diffs, fmt.Sprintf("%s: only in %s: %v", table, side.name, describe(cols, vals)))
			}
			if err := rows.Close(); err != nil {
				return nil, err
			}
		}
		if len(diffs) >= max {
			return diffs, nil
		}
	}
	return diffs, nil
}

// columns returns the compared columns of a table: all but the ledger's row IDs and the
// times offsets moved, which record when a model was built, not what it holds.
func columns(ctx context.Context, conn *sql.Conn, table string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		if (table == "ledger" && c == "id") || (table == "offsets" && c == "updated_at") {
			continue
		}
		cols = append(cols, `"`+c+`"`)
	}
	return cols, rows.Err()
}

func describe(cols []string, vals []any) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		v := vals[i]
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		parts[i] = fmt.Sprintf("%s=%v", strings.Trim(c, `"`), v)
	}
	return strings.Join(parts, " ")
}
