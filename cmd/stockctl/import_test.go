package main_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const sampleCSV = "../../data/operations.csv"

func TestImportTheSampleFile(t *testing.T) {
	dir := t.TempDir()
	r := mustRun(t, dir, "import", sampleCSV)
	if !strings.Contains(r.stdout, "imported 6 of 6 rows") {
		t.Fatalf("first import: %v", r)
	}
	levels := stockLevels(t, dir)
	if len(levels) != 2 || levels[0].Product != "1" || levels[0].Stock != "32.00" || levels[1].Product != "2" || levels[1].Stock != "8.00" {
		t.Fatalf("stock after the sample = %+v, want 1: 32.00 and 2: 8.00", levels)
	}
	again := mustRun(t, dir, "import", sampleCSV)
	if !strings.Contains(again.stdout, "nothing to import: all 6 rows") {
		t.Fatalf("second import: %v", again)
	}
	if got := tableCounts(t, filepath.Join(dir, "operations.db")); !strings.HasPrefix(got, "ledger=6 rejected=0 ") {
		t.Fatalf("after two imports: %s, want the 6 operations once", got)
	}
}

// The sample's stock column agrees with the ledger; a file whose column does not is
// refused whole, naming the line, unless --ignore-stock-column, which warns and imports.
func TestImportRefusesAStockColumnThatDisagrees(t *testing.T) {
	dir := t.TempDir()
	sample, err := os.ReadFile(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(sample, []byte("29/04/2023;1;30;32"), []byte("29/04/2023;1;30;326"), 1)
	path := filepath.Join(dir, "claims-326.csv")
	if err := os.WriteFile(path, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, "project", "--quiet")
	const mismatch = `line 7: the file says stock 326.00 for "1", the ledger computes 32.00`
	for _, args := range [][]string{{"import", path}, {"import", "--dry-run", path}} {
		r := run(t, dir, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "stock column: "+mismatch) || !strings.Contains(r.stderr, "nothing was appended") {
			t.Fatalf("%q: want exit 1 naming line 7, nothing appended: %v", args, r)
		}
		if levels := stockLevels(t, dir); len(levels) != 0 {
			t.Fatalf("%q appended operations: %+v", args, levels)
		}
	}
	r := mustRun(t, dir, "import", "--ignore-stock-column", path)
	if !strings.Contains(r.stderr, "warning: stock column: "+mismatch) || !strings.Contains(r.stdout, "imported 6 of 6 rows") {
		t.Fatalf("--ignore-stock-column: want a warning for line 7 and all rows imported: %v", r)
	}
}

func TestImportRefusesBadFilesWithoutAppending(t *testing.T) {
	const header = "operation_date;product_ID;operation_qt;stock\n"
	for _, tc := range []struct {
		name, file, want string
	}{
		{"31 February", header + "01/01/2024;P1;5;5\n31/02/2023;P1;5;10\n", `line 3: date "31/02/2023"`},
		{"bad quantity", header + "01/01/2024;P1;5;5\n02/01/2024;P1;1e3;\n", "line 3: quantity"},
		{"wrong header", "date;product;qty\n01/01/2024;P1;5\n", "want operation_date;product_ID;operation_qt;stock"},
		{"wrong delimiter", "operation_date,product_ID,operation_qt,stock\n01/01/2024,P1,5,5\n", `use --delimiter ","`},
		{"empty file", "", "the file is empty"},
		{"header only", header, "no operations"},
		{"binary garbage", header + "01/01/2024;P1;5;5\n\x00\x01\xfe\xff\n", "line 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "in.csv")
			os.WriteFile(path, []byte(tc.file), 0o644)
			mustRun(t, dir, "project", "--quiet") // an empty ledger, to see the import added nothing to it
			r := run(t, dir, "import", path)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("want exit 2 mentioning %q, got %v", tc.want, r)
			}
			if levels := stockLevels(t, dir); len(levels) != 0 {
				t.Fatalf("a refused file appended operations: %+v", levels)
			}
		})
	}
}

func TestImportReportsRefusedSales(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "in.csv")
	os.WriteFile(path, []byte("operation_date;product_ID;operation_qt\n01/01/2024;P1;5\n02/01/2024;P1;-8\n03/01/2024;P1;-2\n"), 0o644)
	mustRun(t, dir, "project", "--quiet")
	// A dry run gives the same verdict and exit code, and appends nothing.
	r := run(t, dir, "import", "--dry-run", path)
	if r.code != 1 || !strings.Contains(r.stderr, `refused: line 3: insufficient stock`) || !strings.Contains(r.stderr, "dry run: 1 row(s) would be refused") {
		t.Fatalf("--dry-run: want exit 1 listing line 3 as refused: %v", r)
	}
	if levels := stockLevels(t, dir); len(levels) != 0 {
		t.Fatalf("a dry run appended operations: %+v", levels)
	}
	r = run(t, dir, "import", path)
	if r.code != 1 || !strings.Contains(r.stderr, `refused: line 3: insufficient stock for "P1": 5.00 available, 8.00 requested`) {
		t.Fatalf("want exit 1 listing line 3 as refused: %v", r)
	}
	if levels := stockLevels(t, dir, "P1"); levels[0].Stock != "3.00" {
		t.Fatalf("stock = %+v, want 3.00 (5 restocked, 2 sold, 8 refused)", levels)
	}
}

// TestExportImportRoundTrip: the export of a ledger, imported into an empty one, gives
// the same operations and stock.
func TestExportImportRoundTrip(t *testing.T) {
	src := t.TempDir()
	gen := filepath.Join(src, "gen.csv")
	mustRun(t, src, "generate", "--products", "8", "--days", "60", "--seed", "3", "--out", gen)
	mustRun(t, src, "import", gen)
	mustRun(t, src, "sell", "P001", "1.25", "--date", "2024-03-15 10:30:00")
	exported := mustRun(t, src, "export")
	dst := t.TempDir()
	path := filepath.Join(dst, "export.csv")
	os.WriteFile(path, []byte(exported.stdout), 0o644)
	mustRun(t, dst, "import", path)
	if a, b := mustRun(t, src, "stock", "--output", "json").stdout, mustRun(t, dst, "stock", "--output", "json").stdout; a != b {
		t.Fatalf("stock differs after export and import:\n%s\n%s", a, b)
	}
	if a, b := mustRun(t, src, "export").stdout, mustRun(t, dst, "export").stdout; a != b {
		t.Fatal("the re-imported ledger exports differently")
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	a := mustRun(t, dir, "generate", "--products", "5", "--days", "30", "--seed", "9").stdout
	b := mustRun(t, dir, "generate", "--products", "5", "--days", "30", "--seed", "9").stdout
	c := mustRun(t, dir, "generate", "--products", "5", "--days", "30", "--seed", "10").stdout
	if a != b || a == c || !strings.HasPrefix(a, "\uFEFFoperation_date;product_ID;operation_qt;stock\r\n") {
		t.Fatalf("same seed must give the same file, another seed another: %d/%d/%d bytes", len(a), len(b), len(c))
	}
}

// TestDemo runs `stockctl demo`. Embedded broker only: demo always runs on its data
// directory's embedded broker.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	r := mustRunEnv(t, t.TempDir(), embeddedEnv, "demo", "--data-dir", dir)
	for _, want := range []string{"imported 6 rows of operations.csv", "imported 0 rows of operations.csv (6 already there", "refused (exit 1): sell: insufficient stock", "report of"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, r.stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "report", "index.html")); err != nil {
		t.Fatalf("demo wrote no report: %v", err)
	}
	// Issue 20's "done when": after the demo, a minimum of 400 for P001 makes alerts exit
	// 1 listing P001 with its days of cover. The demo's year ends this week, so sales are
	// recent enough to forecast from.
	mustRunEnv(t, dir, embeddedEnv, "threshold", "set", "P001", "--min", "400")
	r = runEnv(t, dir, embeddedEnv, "alerts", "-o", "csv")
	if r.code != 1 {
		t.Fatalf("alerts after the demo and P001 --min 400: exit %d, want 1: %v", r.code, r)
	}
	p001 := regexp.MustCompile(`(?m)^P001,,335\.00,400\.00,\d+\.\d{2},\d+\.\d,\d{4}-\d{2}-\d{2},`)
	if !p001.MatchString(r.stdout) {
		t.Errorf("alerts lacks P001 at 335.00 under its minimum of 400.00, with a daily rate, days of cover and a stock-out date:\n%s", r.stdout)
	}
	// The generated year's own sales are in the window: products with no threshold are
	// forecast to run out (with the year left in 2024, only the demo's sales of today were).
	if !regexp.MustCompile(`(?m)^P0\d\d,,[\d.]+,,\d+\.\d{2},\d+\.\d,[-\d]+,runs out within 14 days$`).MatchString(r.stdout) {
		t.Errorf("alerts lists no product forecast to run out within 14 days:\n%s", r.stdout)
	}
}

// TestHostileProductIDsRoundTrip: product IDs that look like SQL or HTML, once accepted,
// come back exactly from the log, the read model, the CSV export (and its re-import) and
// the report, where they show as text.
func TestHostileProductIDsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	ids := []string{`'; DROP TABLE operations; --`, `<script>alert(1)</script>`, `"quoted"; id`, "Café ☕ 10%"}
	for _, id := range ids {
		mustRun(t, dir, "restock", id, "3")
	}
	levels := stockLevels(t, dir)
	got := map[string]bool{}
	for _, l := range levels {
		got[l.Product] = true
	}
	for _, id := range ids {
		if !got[id] {
			t.Errorf("stock lacks %q: %+v", id, levels)
		}
	}
	csv := filepath.Join(t.TempDir(), "export.csv")
	os.WriteFile(csv, []byte(mustRun(t, dir, "export").stdout), 0o644)
	fresh := t.TempDir()
	mustRun(t, fresh, "import", csv)
	if a, b := mustRun(t, dir, "stock", "--output", "json").stdout, mustRun(t, fresh, "stock", "--output", "json").stdout; a != b {
		t.Fatalf("export and import changed product IDs:\n%s\n%s", a, b)
	}
	out := filepath.Join(t.TempDir(), "report")
	mustRun(t, dir, "report", "--out", out, "--format", "html")
	page, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(page), "<script>alert(1)</script>") || !strings.Contains(string(page), "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatal("the report does not show the HTML-looking product ID as text")
	}
}
