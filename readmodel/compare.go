package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// contentTables are the tables that hold the read model's state.
var contentTables = []string{"ledger", "rejected_events", "skipped_records", "stock", "product_totals", "day_totals", "offsets", "meta"}

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
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS other`, b.path); err != nil {
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
			{"main", "other", a.path}, {"other", "main", b.path},
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
