package readmodel

import (
	"context"
	"fmt"
	"strings"
)

// contentTables are the tables that hold the read model's state, each with the columns
// that identify a row in a stable order.
var contentTables = []struct{ name, order string }{
	{"ledger", `partition, "offset"`},
	{"rejected_events", `partition, "offset"`},
	{"skipped_records", `partition, "offset"`},
	{"stock", "product_id"},
	{"offsets", "partition"},
	{"meta", "key"},
}

// Diff compares the contents of two read models table by table and describes the first
// differences it finds, at most max of them; none means they hold the same state.
func Diff(ctx context.Context, a, b *DB, max int) ([]string, error) {
	var diffs []string
	for _, t := range contentTables {
		ra, err := a.rows(ctx, t.name, t.order)
		if err != nil {
			return nil, err
		}
		rb, err := b.rows(ctx, t.name, t.order)
		if err != nil {
			return nil, err
		}
		if len(ra) != len(rb) {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows in %s, %d in %s", t.name, len(ra), a.path, len(rb), b.path))
		}
		for i := 0; i < min(len(ra), len(rb)) && len(diffs) < max; i++ {
			if ra[i] != rb[i] {
				diffs = append(diffs, fmt.Sprintf("%s row %d: %s ≠ %s", t.name, i+1, ra[i], rb[i]))
			}
		}
		if len(diffs) >= max {
			return diffs[:max], nil
		}
	}
	return diffs, nil
}

// rows returns every row of a table as one string per row, ordered by order.
func (d *DB) rows(ctx context.Context, table, order string) ([]string, error) {
	rows, err := d.db.QueryContext(ctx, fmt.Sprintf(`SELECT * FROM %s ORDER BY %s`, table, order))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		var b strings.Builder
		for i, v := range vals {
			if i > 0 {
				b.WriteString("|")
			}
			if table == "ledger" && cols[i] == "id" {
				continue // a row ID, not content
			}
			fmt.Fprintf(&b, "%v", v)
		}
		out = append(out, b.String())
	}
	return out, rows.Err()
}
