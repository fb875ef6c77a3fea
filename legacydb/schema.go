package legacydb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// maxValueBytes bounds each value read: a valid one is a few dozen bytes, and a hostile
// one of megabytes is reported by its size, never read into memory or a message.
const maxValueBytes = 1024

// checkSchema checks that the database holds the original operations table with its five
// columns and returns the query that reads them, and whether it is in rowid order.
func checkSchema(ctx context.Context, tx *sql.Tx, path string) (query string, hasRowid bool, err error) {
	var kind string
	var withoutRowid bool
	err = tx.QueryRowContext(ctx, `SELECT type, wr FROM pragma_table_list
		WHERE schema = 'main' AND name = 'operations' COLLATE NOCASE`).Scan(&kind, &withoutRowid)
	if errors.Is(err, sql.ErrNoRows) {
		tables, err := names(ctx, tx, `SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')
			AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
		if err != nil {
			return "", false, failed(ctx, path, err)
		}
		if len(tables) == 0 {
			return "", false, fmt.Errorf("%w: %s has no table operations (it has no tables); give the original pipeline's database",
				ErrDatabase, path)
		}
		return "", false, fmt.Errorf("%w: %s has no table operations (its tables: %s); give the original pipeline's database",
			ErrDatabase, path, list(tables))
	}
	if err != nil {
		return "", false, failed(ctx, path, err)
	}
	if kind == "view" {
		var ledger int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema
			WHERE type = 'table' AND name = 'ledger' COLLATE NOCASE`).Scan(&ledger); err != nil {
			return "", false, failed(ctx, path, err)
		}
		if ledger > 0 {
			return "", false, fmt.Errorf("%w: %s is a stockctl read model, not the original pipeline's database: "+
				"to copy a ledger, use stockctl export and import the file, or stockctl log copy", ErrDatabase, path)
		}
	}
	if kind != "table" {
		what := kind + " table" // virtual or shadow
		if kind == "view" {
			what = kind
		}
		return "", false, fmt.Errorf("%w: %s: operations is a %s, not the original pipeline's table", ErrDatabase, path, what)
	}
	have, err := names(ctx, tx, `SELECT name FROM pragma_table_xinfo('operations')`)
	if err != nil {
		return "", false, failed(ctx, path, err)
	}
	lower := make([]string, len(have))
	for i, n := range have {
		lower[i] = strings.ToLower(n)
	}
	var missing []string
	for _, c := range columns {
		if !slices.Contains(lower, strings.ToLower(c)) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return "", false, fmt.Errorf("%w: %s: table operations has no column %s (its columns: %s); the original has %s",
			ErrDatabase, path, strings.Join(missing, ", "), list(have), strings.Join(columns[:], ", "))
	}
	// A column may be named rowid and hide the rowid: SQLite has three names for it.
	rowid := ""
	if !withoutRowid {
		for _, alias := range []string{"rowid", "_rowid_", "oid"} {
			if !slices.Contains(lower, alias) {
				rowid = alias
				break
			}
		}
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	if rowid == "" {
		// No rowid to read: the table's own order, numbered by Read.
		b.WriteString("0")
	} else {
		b.WriteString(rowid)
	}
	for _, c := range columns {
		// The CASE also drops the column's declared type, so that the driver hands over
		// the stored value as it is: modernc.org/sqlite turns text in a column declared
		// TIMESTAMP (as pandas declares dates) into a time.Time.
		fmt.Fprintf(&b, `, typeof("%[1]s"), octet_length("%[1]s"), CASE WHEN octet_length("%[1]s") <= %[2]d THEN "%[1]s" END`,
			c, maxValueBytes)
	}
	b.WriteString(" FROM main.operations")
	if rowid != "" {
		b.WriteString(" ORDER BY " + rowid)
	}
	return b.String(), rowid != "", nil
}

// names returns the first column of query's rows.
func names(ctx context.Context, tx *sql.Tx, query string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// list quotes up to 20 names for a message.
func list(names []string) string {
	const most = 20
	quoted := make([]string, 0, most+1)
	for i, n := range names {
		if i == most {
			quoted = append(quoted, fmt.Sprintf("and %d more", len(names)-most))
			break
		}
		quoted = append(quoted, quote(n))
	}
	return strings.Join(quoted, ", ")
}
