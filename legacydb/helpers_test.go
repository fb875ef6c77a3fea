package legacydb_test

import (
	"crypto/sha256"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/stockctl/stockctl/ledgercsv"
)

// The original pipeline's CREATE TABLE. Its source is lost: this is how a pandas/sqlite3
// consumer creates the table, with the column names and types of its CSV.
const originalSchema = `CREATE TABLE IF NOT EXISTS operations (operation_date TEXT, product_ID INTEGER, operation_qt INTEGER, stock INTEGER, operation_type TEXT)`

// typelessSchema has no column affinity: values keep the type Python inserted, such as
// TEXT '12' for a quantity.
const typelessSchema = `CREATE TABLE operations (operation_date, product_ID, operation_qt, stock, operation_type)`

// pandasSchema is what DataFrame.to_sql writes: an index column and dates declared
// TIMESTAMP, which modernc.org/sqlite would hand over as time.Time.
const pandasSchema = `CREATE TABLE "operations" ("index" INTEGER, "operation_date" TIMESTAMP, "product_ID" INTEGER, "operation_qt" INTEGER, "stock" INTEGER, "operation_type" TEXT)`

// makeDB creates name in a new temporary directory with the statements and returns its
// path.
func makeDB(t *testing.T, name string, stmts ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return path
}

// insert adds one row at rowid with the values, in the original's column order, bound
// as Go values: int64 → INTEGER, float64 → REAL, string → TEXT, []byte → BLOB, nil → NULL.
func insert(t *testing.T, path string, rowid int64, values ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	args := append([]any{rowid}, values...)
	if _, err := db.Exec(`INSERT INTO operations (rowid, operation_date, product_ID, operation_qt, stock, operation_type)
		VALUES (?, ?, ?, ?, ?, ?)`, args...); err != nil {
		t.Fatal(err)
	}
}

// dirState is the names and contents of the files in dir, to check that Read left it as
// it was. Of a -shm file only the name counts: a reader may take a read mark in it.
func dirState(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string][32]byte{}
	for _, e := range entries {
		if e.IsDir() {
			state[e.Name()+"/"] = [32]byte{}
			continue
		}
		if strings.HasSuffix(e.Name(), "-shm") {
			state[e.Name()] = [32]byte{}
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		state[e.Name()] = sha256.Sum256(b)
	}
	return state
}

func lines(rows []ledgercsv.Row) []int {
	var out []int
	for _, r := range rows {
		out = append(out, r.Line)
	}
	return out
}

func sameState(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
