package legacydb_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/legacydb"
	"github.com/stockctl/stockctl/readmodel"
)

// readModelSchema is enough of a stockctl read model to look like one: a ledger table,
// operations a view over it, in WAL mode as stockctl keeps it.
var readModelSchema = []string{
	`PRAGMA journal_mode=WAL`,
	`CREATE TABLE ledger (id INTEGER PRIMARY KEY, event_type TEXT, product_id TEXT, qty_cents INTEGER,
		stock_cents INTEGER, business_date TEXT)`,
	`INSERT INTO ledger VALUES (1, 'StockRestocked', '1', 2400, 2400, '2022-12-31 00:00:00')`,
	`CREATE VIEW operations AS SELECT business_date AS operation_date, product_id AS product_ID,
		CASE event_type WHEN 'StockSold' THEN -qty_cents ELSE qty_cents END / 100.0 AS operation_qt,
		stock_cents / 100.0 AS stock,
		CASE event_type WHEN 'StockSold' THEN 'sales' ELSE 'replenishment' END AS operation_type FROM ledger`,
}

// A database that is not the original pipeline's is refused whole, saying what it is,
// and is left as it was: a missing file is not created, a WAL file gets no -wal or -shm.
func TestReadRefusesDatabase(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T) string
		msg  []string
	}{
		{"missing file", func(t *testing.T) string { return filepath.Join(t.TempDir(), "Operations.db") },
			[]string{"Operations.db: no such file"}},
		{"directory", func(t *testing.T) string { return t.TempDir() }, []string{"is a directory"}},
		{"empty file", func(t *testing.T) string { return writeFile(t, "") }, []string{"is empty, not a SQLite database"}},
		{"text file", func(t *testing.T) string {
			return writeFile(t, "operation_date;product_ID;operation_qt;stock\n31/12/2022;1;24;24\n")
		}, []string{"is not a SQLite database"}},
		{"SQLite header, then garbage", func(t *testing.T) string {
			return writeFile(t, "SQLite format 3\x00"+strings.Repeat("\xff", 5000))
		}, []string{"unreadable original database"}},
		{"no tables", func(t *testing.T) string { return makeDB(t, "Operations.db", `PRAGMA user_version = 1`) },
			[]string{"has no table operations (it has no tables)"}},
		{"other tables", func(t *testing.T) string {
			return makeDB(t, "Operations.db", `CREATE TABLE stock_levels (a)`, `CREATE TABLE "prod""ucts" (a)`)
		}, []string{`has no table operations (its tables: "prod\"ucts", "stock_levels")`}},
		{"missing columns", func(t *testing.T) string {
			return makeDB(t, "Operations.db", `CREATE TABLE operations (operation_date TEXT, Product_Id INTEGER, operation_qt INTEGER)`)
		}, []string{`table operations has no column stock, operation_type (its columns: "operation_date", "Product_Id", "operation_qt")`}},
		{"empty table", func(t *testing.T) string { return makeDB(t, "Operations.db", originalSchema) },
			[]string{"Operations.db: table operations has no rows"}},
		{"virtual table", func(t *testing.T) string {
			return makeDB(t, "Operations.db", `CREATE VIRTUAL TABLE operations USING fts5(operation_date, product_ID, operation_qt, stock, operation_type)`)
		}, []string{"operations is a virtual table, not the original pipeline's table"}},
		{"stockctl read model", func(t *testing.T) string { return makeDB(t, "stockctl.db", readModelSchema...) },
			[]string{"is a stockctl read model, not the original pipeline's database", "stockctl export", "log copy"}},
		{"stockctl read model made by readmodel", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "readmodel.db")
			db, err := readmodel.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			return path
		}, []string{"is a stockctl read model"}},
		{"stockctl read model open in another process", func(t *testing.T) string {
			// Its -wal and -shm files exist while it is open: read through them.
			path := filepath.Join(t.TempDir(), "readmodel.db")
			db, err := readmodel.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Status(context.Background()); err != nil {
				t.Fatal(err)
			}
			return path
		}, []string{"is a stockctl read model"}},
		{"a view", func(t *testing.T) string {
			return makeDB(t, "Operations.db", `CREATE TABLE t (a)`, `CREATE VIEW operations AS SELECT a AS operation_date FROM t`)
		}, []string{"operations is a view, not the original pipeline's table"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.make(t)
			dir := filepath.Dir(path)
			before := dirState(t, dir)
			rows, bad, err := legacydb.Read(context.Background(), path)
			if !errors.Is(err, legacydb.ErrDatabase) || rows != nil || bad != nil {
				t.Fatalf("Read: %v, %d rows, %d row errors; want ErrDatabase alone", err, len(rows), len(bad))
			}
			for _, m := range tc.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not say %q", err, m)
				}
			}
			if after := dirState(t, dir); !sameState(before, after) {
				t.Errorf("Read changed %s: %v -> %v", dir, before, after)
			}
		})
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "Operations.db")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
