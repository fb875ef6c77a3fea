package main_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestImportIntoLocations: a location column (here between the date and the product)
// and --location for a whole file put rows where they say; rows are decided per
// (product, location) as sell decides them, at their business date; an unknown or closed
// location, and a cell contradicting --location, refuse the import (exit 2) with nothing
// appended; importing the same file again records nothing, and the same rows from the
// same source in another location are refused (exit 1) as moved.
func TestImportIntoLocations(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "location", "add", "north", "--name", "North")
	mustRun(t, dir, "location", "add", "south", "--name", "South")
	mustRun(t, dir, "location", "close", "south")
	write := func(sub, name, content string) string {
		t.Helper()
		p := filepath.Join(dir, sub, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const stock = "operation_date;location;product_ID;operation_qt\n01/03/2024;north;P1;10\n02/03/2024;;P1;4\n03/03/2024;north;P1;-3\n"
	first := write("a", "stock.csv", stock)
	if r := mustRun(t, dir, "import", first); !strings.Contains(r.stdout, "imported 3 of 3 rows") {
		t.Fatalf("location column: %v", r)
	}
	flag := write("a", "p2.csv", "operation_date;product_ID;operation_qt\n04/03/2024;P2;5\n")
	mustRun(t, dir, "import", "--location", "north", flag)
	want := []string{"P1 main 4.00", "P1 north 7.00", "P1 total 11.00", "P2 north 5.00", "P2 total 5.00"}
	if got := byLocation(t, dir); !reflect.DeepEqual(got, want) {
		t.Fatalf("stock --by-location = %q, want %q", got, want)
	}

	// Per location, as sell: north holds 7 (11 in all), so a sale of 8 there is refused,
	// and so is a sale of 8 on 02/03, when north held 10, since it would leave north at -1
	// after the sale of 3 on 03/03.
	for _, tc := range []struct{ name, row, date string }{
		{"now", "05/03/2024;P1;-8;north", "2024-03-05"},
		{"backdated", "02/03/2024;P1;-8;north", "2024-03-02"},
	} {
		p := write("b", tc.name+".csv", "operation_date;product_ID;operation_qt;location\n"+tc.row+"\n")
		r := run(t, dir, "import", p)
		if r.code != 1 || !strings.Contains(r.stderr, "refused: line 2:") || !strings.Contains(r.stderr, "north") {
			t.Fatalf("import of a sale of 8 in north (%s): want exit 1, line 2 refused: %v", tc.name, r)
		}
		if s := run(t, dir, "sell", "P1", "8", "--location", "north", "--date", tc.date); s.code != 1 {
			t.Fatalf("sell refuses what import refuses (%s): %v", tc.name, s)
		}
	}
	if got := byLocation(t, dir); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the refused sales: %q, want %q", got, want)
	}

	// Refused whole, nothing appended: the log's end and P1's history stay the same.
	mustRun(t, dir, "project", "--quiet")
	model := filepath.Join(dir, "operations.db")
	offsets, history := offsetsOf(t, model), mustRun(t, dir, "history", "P1").stdout
	for _, tc := range []struct {
		name, file string
		args       []string
		want       string
	}{
		{"unknown cell", "operation_date;product_ID;operation_qt;location\n06/03/2024;P3;1;\n06/03/2024;P3;1;west\n", nil,
			`line 3: unknown location: "west" (open locations: main, north)`},
		{"closed flag", "operation_date;product_ID;operation_qt\n06/03/2024;P3;1\n", []string{"--location", "south"}, "south"},
		{"unknown flag", "operation_date;product_ID;operation_qt\n06/03/2024;P3;1\n", []string{"--location", "west"}, "west"},
		{"contradiction", "operation_date;product_ID;operation_qt;location\n06/03/2024;P3;1;\n06/03/2024;P3;1;main\n",
			[]string{"--location", "north"}, `invalid: line 3: location "main" contradicts --location north`},
	} {
		p := write("c", strings.ReplaceAll(tc.name, " ", "-")+".csv", tc.file)
		r := run(t, dir, append(append([]string{"import"}, tc.args...), p)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Fatalf("%s: want exit 2 saying %q: %v", tc.name, tc.want, r)
		}
		if tc.name != "contradiction" && !strings.Contains(r.stderr, "north") {
			t.Fatalf("%s: the message lists no open location: %v", tc.name, r)
		}
		mustRun(t, dir, "project", "--quiet")
		if got := offsetsOf(t, model); got != offsets {
			t.Fatalf("%s appended: offsets %s, were %s", tc.name, got, offsets)
		}
		if got := mustRun(t, dir, "history", "P1").stdout; got != history {
			t.Fatalf("%s changed history:\n%s\nwas\n%s", tc.name, got, history)
		}
	}

	// The same file again records nothing; the same rows from the same source with the
	// main row now in north are refused as moved (exit 1), nothing appended.
	if r := mustRun(t, dir, "import", first); !strings.Contains(r.stdout, "nothing to import: all 3 rows") {
		t.Fatalf("re-import: %v", r)
	}
	moved := write("d", "stock.csv", strings.Replace(stock, "02/03/2024;;P1;4", "02/03/2024;north;P1;4", 1))
	r := run(t, dir, "import", moved)
	if r.code != 1 || !strings.Contains(r.stderr, "recorded in another location") || !strings.Contains(r.stderr, "line 3") {
		t.Fatalf("moved rows: want exit 1 naming line 3: %v", r)
	}
	mustRun(t, dir, "project", "--quiet")
	if got := offsetsOf(t, model); got != offsets {
		t.Fatalf("re-import or moved rows appended: offsets %s, were %s", got, offsets)
	}
	if got := byLocation(t, dir); !reflect.DeepEqual(got, want) {
		t.Fatalf("at the end: %q, want %q", got, want)
	}

	// Within one file: a row dated before the file's later rows in north is decided on
	// north's balances as the rows above left them (5 on 07/03, 3 taken on 08/03, 2 on
	// 09/03: accepted, north ends at 0).
	p4 := write("e", "p4.csv", "operation_date;product_ID;operation_qt;location\n07/03/2024;P4;5;north\n09/03/2024;P4;-2;north\n08/03/2024;P4;-3;north\n")
	if r := mustRun(t, dir, "import", p4); !strings.Contains(r.stdout, "imported 3 of 3 rows") {
		t.Fatalf("backdated row within the file: %v", r)
	}
	if got := byLocation(t, dir, "P4"); !reflect.DeepEqual(got, []string{"P4 north 0.00", "P4 total 0.00"}) {
		t.Fatalf("P4 by location = %q", got)
	}
}

// TestImportFromTheOriginalDatabaseIntoALocation: import --from-db --location north puts
// every row of the original database in north; an unknown location refuses it (exit 2).
func TestImportFromTheOriginalDatabaseIntoALocation(t *testing.T) {
	dir, files := t.TempDir(), t.TempDir()
	orig := filepath.Join(files, "Operations.db")
	originalDatabase(t, orig, originalSchema, originalRows)
	mustRun(t, dir, "location", "add", "north", "--name", "North")
	if r := run(t, dir, "import", "--from-db", orig, "--location", "west"); r.code != 2 || !strings.Contains(r.stderr, `unknown location: "west" (open locations: main, north)`) {
		t.Fatalf("--location west: want exit 2 listing main and north: %v", r)
	}
	if r := mustRun(t, dir, "import", "--from-db", orig, "--location", "north"); !strings.Contains(r.stdout, "imported 5 of 5 rows") {
		t.Fatalf("import --from-db --location north: %v", r)
	}
	want := []string{"1 north 2.00", "1 total 2.00", "2 north 8.00", "2 total 8.00"}
	if got := byLocation(t, dir); !reflect.DeepEqual(got, want) {
		t.Fatalf("stock --by-location = %q, want %q", got, want)
	}
}
