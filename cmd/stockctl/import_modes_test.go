package main_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// modesFile has two invalid rows (lines 3 and 5), a sale the stock cannot cover (line 6)
// and three rows to record (lines 2, 4 and 7).
const modesFile = "operation_date;product_ID;operation_qt;stock\n" +
	"01/01/2024;P1;10;10\n" +
	"32/01/2024;P1;5;15\n" +
	"02/01/2024;P2;4;4\n" +
	"03/01/2024;P1;abc;\n" +
	"04/01/2024;P2;-9;\n" +
	"05/01/2024;P1;-3;7\n"

// verdict is what an import said about the rows: its invalid:, refused: and warning:
// lines, in order.
func verdict(r result) []string {
	var out []string
	for _, line := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(line, "invalid: ") || strings.HasPrefix(line, "refused: ") || strings.HasPrefix(line, "warning: ") {
			out = append(out, line)
		}
	}
	return out
}

// TestImportDryRunAndSkipInvalid: without --skip-invalid a file with invalid rows is
// refused whole (exit 2), dry run or not. With it, the dry run and the import list the
// same invalid lines (3, 5) and the same refused line (6) and exit 1 alike; the dry run
// appends nothing and says it would append 3, the import records exactly lines 2, 4 and
// 7. Run again, they find the 3 recorded. A file whose only problems are invalid rows is
// imported with --skip-invalid with exit 0, its invalid lines listed.
func TestImportDryRunAndSkipInvalid(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "modes.csv")
	if err := os.WriteFile(path, []byte(modesFile), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, "project", "--quiet")
	nothing := func(after string) {
		t.Helper()
		if got := exportedRows(t, dir, "csv"); len(got) != 0 {
			t.Fatalf("%s appended %q", after, got)
		}
	}
	invalid := []string{"invalid: line 3: ", "invalid: line 5: "}
	for _, args := range [][]string{{"import", "--dry-run", path}, {"import", path}} {
		r := run(t, dir, args...)
		v := verdict(r)
		if r.code != 2 || len(v) != 2 || !strings.HasPrefix(v[0], invalid[0]) || !strings.HasPrefix(v[1], invalid[1]) ||
			!strings.Contains(r.stderr, "2 invalid row(s) in "+path+"; nothing was appended") {
			t.Fatalf("%q: want exit 2 listing lines 3 and 5 and nothing appended, got %v", args, r)
		}
		nothing(strings.Join(args, " "))
	}

	dry := run(t, dir, "import", "--dry-run", "--skip-invalid", path)
	nothing("a dry run")
	real := run(t, dir, "import", "--skip-invalid", path)
	for _, r := range []result{dry, real} {
		v := verdict(r)
		if r.code != 1 || len(v) != 3 || !strings.HasPrefix(v[0], invalid[0]) || !strings.HasPrefix(v[1], invalid[1]) ||
			!strings.HasPrefix(v[2], `refused: line 6: insufficient stock for "P2": 4.00 available, 9.00 requested`) {
			t.Errorf("want exit 1 listing lines 3 and 5 invalid and line 6 refused, got %v", r)
		}
	}
	if !slices.Equal(verdict(dry), verdict(real)) {
		t.Errorf("the dry run's verdict differs from the import's:\n%q\n%q", verdict(dry), verdict(real))
	}
	if want := `dry run: 4 rows from source "modes.csv"; would append 3, 0 already recorded, 1 refused, 0 stock mismatches`; !strings.Contains(dry.stdout, want) ||
		!strings.Contains(dry.stderr, "dry run: 1 row(s) would be refused") {
		t.Errorf("the dry run does not say %q: %v", want, dry)
	}
	if !strings.Contains(real.stdout, "imported 3 of 4 rows from "+path) || !strings.Contains(real.stderr, "1 row(s) refused by the ledger") {
		t.Errorf("the import does not say it imported 3 of the 4 valid rows: %v", real)
	}
	recorded := []string{"P1|2024-01-01|10", "P2|2024-01-02|4", "P1|2024-01-05|-3"} // export: by business date
	if got := exportedRows(t, dir, "csv"); !slices.Equal(got, recorded) {
		t.Fatalf("the ledger holds %q, want lines 2, 4 and 7: %q", got, recorded)
	}

	// Again: the 3 rows are found recorded, line 6 is still refused, nothing is added.
	dry = run(t, dir, "import", "--dry-run", "--skip-invalid", path)
	real = run(t, dir, "import", "--skip-invalid", path)
	if dry.code != 1 || !strings.Contains(dry.stdout, "would append 0, 3 already recorded, 1 refused") ||
		real.code != 1 || !strings.Contains(real.stdout, "imported 0 of 4 rows") || !strings.Contains(real.stdout, "3 already recorded") ||
		!slices.Equal(verdict(dry), verdict(real)) {
		t.Errorf("importing again: want exit 1, 3 already recorded and the same verdict, got\n%v\n%v", dry, real)
	}
	if got := exportedRows(t, dir, "csv"); !slices.Equal(got, recorded) {
		t.Fatalf("importing again changed the ledger: %q", got)
	}

	// Invalid rows and nothing refused: exit 0, the invalid lines listed.
	other := filepath.Join(dir, "other.csv")
	if err := os.WriteFile(other, []byte("operation_date;product_ID;operation_qt\n06/01/2024;P3;2\n07/01/2024;P3;x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "import", "--skip-invalid", other)
	if v := verdict(r); r.code != 0 || len(v) != 1 || !strings.HasPrefix(v[0], "invalid: line 3: ") || !strings.Contains(r.stdout, "imported 1 of 1 rows") {
		t.Errorf("--skip-invalid with no refusal: want exit 0 listing line 3, got %v", r)
	}
	if got := exportedRows(t, dir, "csv"); !slices.Equal(got, append(recorded, "P3|2024-01-06|2")) {
		t.Errorf("the ledger holds %q, want P3's valid row added", got)
	}
}
