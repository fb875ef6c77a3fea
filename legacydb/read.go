// Package legacydb reads the original classroom pipeline's SQLite database, so that
// stockctl import --from-db can record its operations: the table operations, with
// operation_date (YYYY-MM-DD HH:MM:SS), product_ID, operation_qt (positive), stock (the
// balance after the row) and operation_type ('sales' or 'replenishment').
//
// Rows come back as ledgercsv rows, validated by the same domain and productid rules as
// a CSV import, so that the import command treats both sources alike.
package legacydb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/stockctl/stockctl/ledgercsv"
)

// ErrDatabase means the database as a whole cannot be read as the original pipeline's:
// no such file, not SQLite, no operations table, a missing column, a stockctl read model.
var ErrDatabase = errors.New("unreadable original database")

// columns are the original table's, in its order; SQLite matches names case-insensitively,
// so product_ID also finds product_id.
var columns = [...]string{"operation_date", "product_ID", "operation_qt", "stock", "operation_type"}

// Read opens path read-only and returns the rows of its operations table in rowid order,
// as ledgercsv rows whose Line is the row's rowid, one ledgercsv.RowError per invalid row
// (Line = rowid), and an error only when the database as a whole is unusable (wrapping
// ErrDatabase; a table with no rows is one) or ctx ends. It never creates or writes a
// file: a missing path stays missing.
//
// A table declared WITHOUT ROWID, or whose columns take all three of the rowid's names
// (rowid, _rowid_, oid), has no rowid to read: its rows are read in the table's own order
// and Line is the row's 1-based position in that order.
func Read(ctx context.Context, path string) ([]ledgercsv.Row, []ledgercsv.RowError, error) {
	return ReadAs(ctx, path, func(row ledgercsv.Row) ledgercsv.Row { return row })
}

// ReadAs reads the database as Read does and returns each valid row as as makes it, so a
// caller with its own row type builds its rows once, while reading.
func ReadAs[T any](ctx context.Context, path string, as func(ledgercsv.Row) T) ([]T, []ledgercsv.RowError, error) {
	wal, err := checkFile(path)
	if err != nil {
		return nil, nil, err
	}
	db, err := sql.Open("sqlite", dsn(path, wal))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrDatabase, path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	// One read transaction: the schema checked and the rows read are of one moment.
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, failed(ctx, path, err)
	}
	defer tx.Rollback()
	query, hasRowid, err := checkSchema(ctx, tx, path)
	if err != nil {
		return nil, nil, err
	}
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, nil, failed(ctx, path, err)
	}
	defer rows.Close()
	var good []T
	var bad []ledgercsv.RowError
	var cells [len(columns)]cell
	dest := make([]any, 0, 1+3*len(columns))
	var rowid int64
	dest = append(dest, &rowid)
	for i := range cells {
		dest = append(dest, &cells[i].kind, &cells[i].size, &cells[i].v)
	}
	for n := int64(1); rows.Next(); n++ {
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, failed(ctx, path, err)
		}
		if !hasRowid {
			rowid = n
		}
		row, err := rowFrom(int(rowid), cells)
		if err != nil {
			bad = append(bad, ledgercsv.RowError{Line: int(rowid), Msg: err.Error()})
			continue
		}
		good = append(good, as(row))
	}
	if err := rows.Err(); err != nil {
		return nil, nil, failed(ctx, path, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(good) == 0 && len(bad) == 0 {
		// As for a CSV file with a header and no rows: nothing to import is a mistake.
		return nil, nil, fmt.Errorf("%w: %s: table operations has no rows", ErrDatabase, path)
	}
	return good, bad, nil
}

// sqliteHeader starts every SQLite 3 database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// checkFile refuses what is not a SQLite file before SQLite opens it, with a plainer
// message than SQLite's, and reports whether the file is in WAL mode.
func checkFile(path string) (wal bool, err error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false, fmt.Errorf("%w: %s: no such file", ErrDatabase, path)
	case err != nil:
		return false, fmt.Errorf("%w: %v", ErrDatabase, err)
	case fi.IsDir():
		return false, fmt.Errorf("%w: %s is a directory; give the database file (Operations.db)", ErrDatabase, path)
	case fi.Size() == 0:
		return false, fmt.Errorf("%w: %s is empty, not a SQLite database", ErrDatabase, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("%w: %v", ErrDatabase, err)
	}
	defer f.Close()
	head := make([]byte, 100)
	if _, err := io.ReadFull(f, head); err != nil || !bytes.HasPrefix(head, sqliteHeader) {
		return false, fmt.Errorf("%w: %s is not a SQLite database", ErrDatabase, path)
	}
	// Bytes 18 and 19 are the read and write format versions, 2 in WAL mode.
	return head[18] == 2, nil
}

// dsn names path as a read-only SQLite URI. mode=ro never creates a missing file nor
// writes the database. A WAL-mode database with no -wal file beside it (no writer has
// it open; all its content is in the file) is opened immutable: read-only, SQLite
// would otherwise create -wal and -shm files beside it and leave them there.
func dsn(path string, wal bool) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter: file:/C:/dir/Operations.db
	}
	// Percent-encoded, so that '?', '#' and '%' in a name are the name's, not the URI's.
	u := "file:" + (&url.URL{Path: p}).EscapedPath() + "?mode=ro"
	if wal {
		if _, err := os.Stat(path + "-wal"); errors.Is(err, os.ErrNotExist) {
			u += "&immutable=1"
		}
	}
	return u
}

// failed wraps a SQLite error, or says the context ended when it did.
func failed(ctx context.Context, path string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("read %s: %w", path, ctx.Err())
	}
	return fmt.Errorf("%w: %s: %v", ErrDatabase, path, err)
}
