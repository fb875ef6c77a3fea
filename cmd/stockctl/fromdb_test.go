package main_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// originalSchema is the original pipeline's table, as its Python consumer creates it.
const originalSchema = `CREATE TABLE IF NOT EXISTS operations (operation_date TEXT, product_ID INTEGER, operation_qt INTEGER, stock INTEGER, operation_type TEXT)`

// originalDatabase writes a database like the original pipeline's, with these rows.
func originalDatabase(t *testing.T, path, schema string, rows [][]any) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(schema); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if _, err := db.Exec(`INSERT INTO operations VALUES (?, ?, ?, ?, ?)`, r...); err != nil {
			t.Fatal(err)
		}
	}
}

// The original repository's database: P1 24 in, 12 out, 10 out; P2 10 in, 2 out.
var originalRows = [][]any{
	{"2022-12-31 00:00:00", 1, 24, 24, "replenishment"},
	{"2022-12-31 00:00:00", 2, 10, 10, "replenishment"},
	{"2023-01-15 00:00:00", 1, 12, 12, "sales"},
	{"2023-04-20 00:00:00", 2, 2, 8, "sales"},
	{"2023-04-25 00:00:00", 1, 10, 2, "sales"},
}

// TestImportFromTheOriginalDatabase: import --from-db records the original database's
// rows once, recognises them when the sample file comes under the database's name, and
// refuses a database with an invalid row, naming its rowid, with nothing appended.
func TestImportFromTheOriginalDatabase(t *testing.T) {
	dir, files := t.TempDir(), t.TempDir()
	orig := filepath.Join(files, "Operations.db")
	originalDatabase(t, orig, originalSchema, originalRows)

	r := mustRun(t, dir, "import", "--from-db", orig)
	if !strings.Contains(r.stdout, "imported 5 of 5 rows") {
		t.Fatalf("import --from-db: %v", r)
	}
	if p1, p2 := stockOf(t, dir, "1"), stockOf(t, dir, "2"); p1 != "2.00" || p2 != "8.00" {
		t.Fatalf("after the original database: product 1 → %s, product 2 → %s; want 2.00 and 8.00", p1, p2)
	}
	h := history(t, dir, "1")
	if len(h) != 3 || h[1].Type != "sale" || h[1].Quantity != "12.00" || !strings.HasPrefix(h[1].Date, "2023-01-15") || h[1].Note != "imported from Operations.db" {
		t.Fatalf("product 1's history: %+v", h)
	}
	if r := mustRun(t, dir, "import", "--from-db", orig); !strings.Contains(r.stdout, "nothing to import: all 5 rows") {
		t.Fatalf("the database again: %v", r)
	}
	// The sample file holds the same five operations and one more.
	if r := mustRun(t, dir, "import", "--source", "Operations.db", sampleCSV); !strings.Contains(r.stdout, "imported 1 of 6 rows") {
		t.Fatalf("the sample file under the database's name: %v", r)
	}
	if p1 := stockOf(t, dir, "1"); p1 != "32.00" {
		t.Fatalf("product 1 → %s, want 32.00", p1)
	}

	// A typeless table, as a consumer that never declared types leaves it: a quantity
	// stored as text is read as the number; a row of an unknown type refuses the import.
	for _, tc := range []struct {
		name string
		bad  []any
		want string
	}{
		{"unknown type", []any{"2023-05-01 00:00:00", 1, 3, 35, "return"}, `invalid: rowid 3: operation_type "return": want sales or replenishment`},
		{"quantity not a number", []any{"2023-05-01 00:00:00", 1, "three", 35, "replenishment"}, `invalid: rowid 3: `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(t.TempDir(), "Operations.db")
			originalDatabase(t, path, `CREATE TABLE operations (operation_date, product_ID, operation_qt, stock, operation_type)`, [][]any{
				{"2022-12-31 00:00:00", "1", "24", "24", "replenishment"},
				{"2023-01-15 00:00:00", 1, "12", 12, "sales"},
				tc.bad,
			})
			mustRun(t, dir, "project", "--quiet")
			r := run(t, dir, "import", "--from-db", path)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "nothing was appended") {
				t.Fatalf("want exit 2 naming rowid 3 (%q), nothing appended: %v", tc.want, r)
			}
			if levels := stockLevels(t, dir); len(levels) != 0 {
				t.Fatalf("a refused database appended operations: %+v", levels)
			}
			r = mustRun(t, dir, "import", "--from-db", path, "--skip-invalid")
			if !strings.Contains(r.stdout, "imported 2 of 2 rows") || stockOf(t, dir, "1") != "12.00" {
				t.Fatalf("--skip-invalid: want the two valid rows, the text quantities read as numbers: %v", r)
			}
		})
	}

	// What is not the original database is refused with nothing written anywhere.
	for _, tc := range []struct{ name, path, want string }{
		{"missing", filepath.Join(files, "missing.db"), "no such file"},
		{"a stockctl read model", filepath.Join(dir, "operations.db"), "stockctl read model"},
	} {
		r := run(t, dir, "import", "--from-db", tc.path)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Fatalf("%s: want exit 2 with %q: %v", tc.name, tc.want, r)
		}
	}
	if _, err := os.Stat(filepath.Join(files, "missing.db")); !os.IsNotExist(err) {
		t.Fatalf("import --from-db created the missing database: %v", err)
	}
	for _, args := range [][]string{
		{"import", "--from-db", orig, sampleCSV},
		{"import", "--from-db", orig, "--delimiter", ","},
	} {
		if r := run(t, dir, args...); r.code != 2 {
			t.Fatalf("%q: want exit 2: %v", args, r)
		}
	}
}
