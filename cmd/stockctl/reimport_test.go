package main_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sampleLF is the sample file as an editor saves it again: LF line ends, no BOM, and a
// final newline.
func sampleLF(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimPrefix(string(raw), "\uFEFF")
	return strings.ReplaceAll(s, "\r\n", "\n") + "\n"
}

// stockOf returns product p's stock, or "" when the ledger does not know it.
func stockOf(t *testing.T, dir, p string) string {
	t.Helper()
	for _, l := range stockLevels(t, dir) {
		if l.Product == p {
			return l.Stock
		}
	}
	return ""
}

// TestReimportTranscript is the transcript of issue 13: the sample imported, then a
// re-saved copy, a grown copy, a copy in another dialect, each under its own name. No line
// doubles the stock: product 1 stays at 32, then 30 once the grown file's new sale is in.
func TestReimportTranscript(t *testing.T) {
	dir, files := t.TempDir(), t.TempDir()
	lf := writeFile(t, files, "operations-lf.csv", sampleLF(t))
	grown := writeFile(t, files, "operations-grown.csv", sampleLF(t)+"30/04/2023;1;-2;30\n")
	// Another dialect: ',' separators, ISO dates, explicit decimals, rows in another order.
	dialect := writeFile(t, files, "operations-iso.csv", "operation_date,product_ID,operation_qt,stock\n"+
		"2022-12-31,2,10.00,10\n2022-12-31,1,24.00,24\n2023-01-15,1,-12.00,12\n2023-04-20,2,-2,8\n2023-04-25,1,-10,2\n2023-04-29,1,30.00,32.00\n")

	mustRun(t, dir, "import", sampleCSV)
	want := func(step, p1, p2 string) {
		t.Helper()
		if got1, got2 := stockOf(t, dir, "1"), stockOf(t, dir, "2"); got1 != p1 || got2 != p2 {
			t.Fatalf("after %s: product 1 → %s, product 2 → %s; want %s and %s", step, got1, got2, p1, p2)
		}
	}
	want("the sample", "32.00", "8.00")

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"the re-saved copy", []string{"import", lf}},
		{"the grown copy", []string{"import", grown}},
		{"the re-saved copy, dry run", []string{"import", "--dry-run", lf}},
	} {
		r := run(t, dir, tc.args...)
		if r.code != 1 || !strings.Contains(r.stderr, "nothing was appended") ||
			!strings.Contains(r.stderr, `look already recorded from source "operations.csv"`) ||
			!strings.Contains(r.stderr, "--source operations.csv") ||
			// The balance right after the copy's row by date: the 24 recorded on 2022-12-31
			// and the copy's 24 (in log order it was 56: the stock of 32 plus 24).
			!strings.Contains(r.stderr, `stock column: line 2: the file says stock 24.00 for "1", the ledger computes 48.00`) ||
			strings.Contains(r.stderr, "dated before operations recorded earlier") { // copies are not rows entered late
			t.Fatalf("%s under its own name: want exit 1, the first mismatches and the source that recorded its rows: %v", tc.name, r)
		}
		want(tc.name, "32.00", "8.00")
	}

	if r := mustRun(t, dir, "import", "--source", "operations.csv", lf); !strings.Contains(r.stdout, "nothing to import: all 6 rows") {
		t.Fatalf("re-saved copy under the sample's source: %v", r)
	}
	r := mustRun(t, dir, "import", "--source", "operations.csv", "--delimiter", ",", "--date-format", "yyyy-mm-dd", dialect)
	if !strings.Contains(r.stdout, "nothing to import: all 6 rows") {
		t.Fatalf("the same rows in another dialect and order, under the sample's source: %v", r)
	}
	want("the copies under the sample's source", "32.00", "8.00")

	if r := mustRun(t, dir, "import", "--source", "operations.csv", "--dry-run", grown); !strings.Contains(r.stdout, "would append 1, 6 already recorded") {
		t.Fatalf("dry run of the grown copy: %v", r)
	}
	want("the dry run", "32.00", "8.00")
	if r := mustRun(t, dir, "import", "--source", "operations.csv", grown); !strings.Contains(r.stdout, "imported 1 of 7 rows") {
		t.Fatalf("grown copy under the sample's source: %v", r)
	}
	want("the grown copy under the sample's source", "30.00", "8.00")
	if r := mustRun(t, dir, "import", "--source", "operations.csv", grown); !strings.Contains(r.stdout, "nothing to import: all 7 rows") {
		t.Fatalf("grown copy again: %v", r)
	}
	if got := tableCounts(t, filepath.Join(dir, "operations.db")); !strings.HasPrefix(got, "ledger=7 rejected=0 ") {
		t.Fatalf("after the transcript: %s, want the 7 operations once", got)
	}
}

// TestReimportIdenticalRowsAndSources: identical rows in one file are as many operations;
// a file that grows by one more identical row records one more; the same rows under
// another source name are new operations, refused by a stock column and recorded with
// --ignore-stock-column, and recorded as they are without one.
func TestReimportIdenticalRowsAndSources(t *testing.T) {
	dir, files := t.TempDir(), t.TempDir()
	const header = "operation_date;product_ID;operation_qt\n"
	twice := writeFile(t, files, "restocks.csv", header+"01/03/2024;P9;5\n01/03/2024;P9;5\n")
	thrice := writeFile(t, files, "restocks-3.csv", header+"01/03/2024;P9;5\n01/03/2024;P9;5\n01/03/2024;P9;5\n")

	mustRun(t, dir, "import", twice)
	if got := stockOf(t, dir, "P9"); got != "10.00" {
		t.Fatalf("two identical rows: stock %s, want 10.00 (two operations)", got)
	}
	mustRun(t, dir, "import", twice)
	if r := mustRun(t, dir, "import", "--source", "restocks.csv", thrice); !strings.Contains(r.stdout, "imported 1 of 3 rows") {
		t.Fatalf("the file with a third identical row: %v", r)
	}
	if got := stockOf(t, dir, "P9"); got != "15.00" {
		t.Fatalf("after the grown file: stock %s, want 15.00", got)
	}
	// Without a stock column, another source is other operations, as documented.
	mustRun(t, dir, "import", "--source", "supplier-b", twice)
	if got := stockOf(t, dir, "P9"); got != "25.00" {
		t.Fatalf("the same rows from another source: stock %s, want 25.00", got)
	}

	// With a stock column, the evidence refuses them, and --ignore-stock-column imports.
	withStock := writeFile(t, files, "with-stock.csv", "operation_date;product_ID;operation_qt;stock\n02/03/2024;P9;-5;20\n")
	mustRun(t, dir, "import", "--source", "one", withStock)
	r := run(t, dir, "import", "--source", "two", withStock)
	if r.code != 1 || !strings.Contains(r.stderr, `looks already recorded from source "one"`) {
		t.Fatalf("the same sale from source two: want exit 1 naming source one: %v", r)
	}
	if got := stockOf(t, dir, "P9"); got != "20.00" {
		t.Fatalf("a refused import changed the stock to %s", got)
	}
	r = mustRun(t, dir, "import", "--source", "two", "--ignore-stock-column", withStock)
	if !strings.Contains(r.stdout, "imported 1 of 1 rows") || !strings.Contains(r.stderr, "warning: stock column: line 2") {
		t.Fatalf("--ignore-stock-column: want the row recorded with a warning: %v", r)
	}
	if got := stockOf(t, dir, "P9"); got != "15.00" {
		t.Fatalf("after --ignore-stock-column: stock %s, want 15.00", got)
	}
}

// TestImportStockColumnCauses: the likely cause of a stock column that disagrees, for
// another file under the same name and for a row entered late, dated in the past.
func TestImportStockColumnCauses(t *testing.T) {
	dir, files := t.TempDir(), t.TempDir()
	const header = "operation_date;product_ID;operation_qt;stock\n"
	first := writeFile(t, t.TempDir(), "export.csv", header+"31/12/2022;1;24;24\n15/01/2023;1;-1;23\n")
	second := writeFile(t, t.TempDir(), "export.csv", header+"15/01/2023;1;-1;22\n")
	mustRun(t, dir, "import", first)
	r := run(t, dir, "import", second)
	if r.code != 1 || !strings.Contains(r.stderr, `stock column (recorded earlier): line 2: the file says stock 22.00 for "1", the ledger computes 23.00`) ||
		!strings.Contains(r.stderr, `match operations recorded earlier from source "export.csv" but claim another stock`) ||
		!strings.Contains(r.stderr, "looks like another file with the same name") {
		t.Fatalf("another day's export.csv: want exit 1 saying it looks like another file with the same name: %v", r)
	}
	if got := stockOf(t, dir, "1"); got != "23.00" {
		t.Fatalf("after the refusal: stock %s, want 23.00", got)
	}
	mustRun(t, dir, "import", "--source", "export-2023-01-16.csv", second)
	if got := stockOf(t, dir, "1"); got != "22.00" {
		t.Fatalf("under a name of its own: stock %s, want 22.00", got)
	}

	// The sample's source system got a sale of 20/04 late and recomputed the balances.
	late := writeFile(t, files, "operations.csv", header+"31/12/2022;1;24;24\n31/12/2022;2;10;10\n15/01/2023;1;-12;12\n"+
		"20/04/2023;1;-1;11\n20/04/2023;2;-2;8\n25/04/2023;1;-10;1\n29/04/2023;1;30;31\n")
	dir = t.TempDir()
	mustRun(t, dir, "import", sampleCSV)
	r = run(t, dir, "import", late)
	// Line 5 itself agrees (11 is the balance right after it by date); the two later rows
	// recorded earlier were told 2 and 32, before it existed.
	if r.code != 1 || !strings.Contains(r.stderr, `likely cause: line 5 ("1", 2023-04-20) is new and dated before operations recorded earlier `+
		`(latest 2023-04-29): the 2 row(s) recorded earlier whose stock differs were given their balance before it existed`) ||
		strings.Contains(r.stderr, "same name") || strings.Contains(r.stderr, "stock column: line 5") {
		t.Fatalf("a row entered late: want exit 1 naming line 5 as dated before product 1's operations recorded earlier: %v", r)
	}
	// A file whose stock column was computed in file order, with a row entered late.
	inFileOrder := writeFile(t, files, "file-order.csv", header+"01/05/2024;P;10;10\n20/05/2024;P;-2;8\n10/05/2024;P;-3;5\n")
	if r := run(t, t.TempDir(), "import", inFileOrder); r.code != 1 ||
		!strings.Contains(r.stderr, `likely cause: line 4 ("P", 2024-05-10) is dated before an operation above it or in the ledger `+
			`(latest 2024-05-20) and its stock is the stock after the rows in file order: the ledger compares a row's stock with `+
			`the balance right after it by business date (7.00 here)`) {
		t.Fatalf("a stock column in file order: want exit 1 saying so: %v", r)
	}
	// Recorded anyway, the balances by date are the file's.
	mustRun(t, dir, "import", "--ignore-stock-column", late)
	_, ops := operations(t, dir)
	var stocks []float64
	for _, o := range ops {
		if o.Product == "1" {
			stocks = append(stocks, o.Stock)
		}
	}
	if !slices.Equal(stocks, []float64{24, 12, 11, 1, 31}) {
		t.Fatalf("operations of product 1 after --ignore-stock-column: stock column %v, want the file's 24 12 11 1 31", stocks)
	}
}

// TestImportSourceNames: rows piped in have no name, and a name is what re-imports are
// recognised by; a name that cannot be one is refused before anything is appended.
func TestImportSourceNames(t *testing.T) {
	dir, files := t.TempDir(), t.TempDir()
	mustRun(t, dir, "project", "--quiet")
	long := writeFile(t, files, strings.Repeat("x", 210)+".csv", sampleLF(t))
	ok := writeFile(t, files, "ok.csv", sampleLF(t))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"import", long}, "source has 214 characters, at most 200 allowed); give one with --source NAME"},
		{[]string{"import", "--source", "a\tb", ok}, "--source contains the non-printable character U+0009"},
		{[]string{"import", "--source", " ", ok}, "--source: give a name"},
	} {
		if r := run(t, dir, tc.args...); r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Fatalf("%q: want exit 2 with %q: %v", tc.args, tc.want, r)
		}
	}
	if levels := stockLevels(t, dir); len(levels) != 0 {
		t.Fatalf("refused source names appended operations: %+v", levels)
	}
	r := runStdin(t, dir, sampleLF(t), "import", "-")
	if r.code != 2 || !strings.Contains(r.stderr, "--source NAME") {
		t.Fatalf("import - without --source: want exit 2 asking for --source: %v", r)
	}
	if r := runStdin(t, dir, sampleLF(t), "import", "--source", "operations.csv", "-"); r.code != 0 {
		t.Fatalf("import - --source operations.csv: %v", r)
	}
	if r := mustRun(t, dir, "import", sampleCSV); !strings.Contains(r.stdout, "nothing to import") {
		t.Fatalf("the file, after its rows came through standard input under its name: %v", r)
	}
}

// TestImportRecognisesRowsOfEarlierVersions: a ledger whose rows an earlier stockctl
// imported (command IDs made of the file's digest and the line) records nothing when the
// same file is imported again, and names that import when a changed copy is refused.
func TestImportRecognisesRowsOfEarlierVersions(t *testing.T) {
	dir := t.TempDir()
	brokers, topic, env := rawLog(t, dir)
	mustRunEnv(t, dir, env, "restock", "Z", "1") // creates the topic, on real Kafka too
	raw, err := os.ReadFile(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	fileID := hex.EncodeToString(sum[:8])
	seq := map[string]int64{}
	for i, line := range strings.Split(strings.TrimPrefix(string(raw), "\uFEFF"), "\r\n")[1:] {
		f := strings.Split(line, ";")
		date, _ := time.Parse("02/01/2006", f[0])
		typ, qty := domain.TypeStockRestocked, f[2]
		if strings.HasPrefix(qty, "-") {
			typ, qty = domain.TypeStockSold, qty[1:]
		}
		p, _ := domain.ParseProductID(f[1])
		q, _ := domain.ParseQuantity(qty)
		seq[f[1]]++
		b, err := domain.MarshalEvent(domain.Event{Type: typ, ID: fmt.Sprintf("legacy-%d", i), CommandID: fmt.Sprintf("import:%s:%d", fileID, i+2),
			Product: p, Quantity: q, ExpectedSeq: seq[f[1]], BusinessDate: domain.NewBusinessDate(date), RecordedAt: time.Now(), RecordedBy: "old", Note: "imported"})
		if err != nil {
			t.Fatal(err)
		}
		testkafka.ProduceTo(t, brokers, topic, eventlog.PartitionFor([]byte(f[1]), 3), []byte(f[1]), b)
	}
	r := mustRunEnv(t, dir, env, "import", sampleCSV)
	if !strings.Contains(r.stdout, "nothing to import: all 6 rows") {
		t.Fatalf("the file an earlier version imported: %v", r)
	}
	lf := writeFile(t, t.TempDir(), "operations.csv", sampleLF(t))
	r = runEnv(t, dir, env, "import", lf)
	if r.code != 1 || !strings.Contains(r.stderr, "an import made before stockctl named import sources") {
		t.Fatalf("a changed copy of a file an earlier version imported: want exit 1 naming that import: %v", r)
	}
	if levels := stockLevelsEnv(t, dir, env, "1"); levels[0].Stock != "32.00" {
		t.Fatalf("product 1: %+v, want 32.00", levels)
	}
}

// runStdin runs stockctl with stdin as its standard input.
func runStdin(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	r, err := invokeStdin(dir, nil, strings.NewReader(stdin), args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestImportKilledAtRandomPoints: an import killed at a random moment and then run to the
// end, ten times over, records each row exactly once, identical rows included, and gives
// the stock a single uninterrupted import gives.
func TestImportKilledAtRandomPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("long: many processes")
	}
	files := t.TempDir()
	gen := filepath.Join(files, "gen.csv")
	mustRun(t, t.TempDir(), "generate", "--products", "60", "--days", "365", "--seed", "9", "--out", gen)
	raw, err := os.ReadFile(gen)
	if err != nil {
		t.Fatal(err)
	}
	// Without the stock column, and with every 7th row, if a restock, written twice (up to
	// 300): identical rows.
	var b strings.Builder
	b.WriteString("operation_date;product_ID;operation_qt\n")
	rows, dups := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(strings.TrimPrefix(string(raw), "\uFEFF")), "\r\n")[1:] {
		f := strings.Split(line, ";")
		row := strings.Join(f[:3], ";") + "\n"
		b.WriteString(row)
		rows++
		if dups < 300 && !strings.HasPrefix(f[2], "-") && rows%7 == 0 {
			b.WriteString(row)
			rows, dups = rows+1, dups+1
		}
	}
	file := writeFile(t, files, "ops.csv", b.String())

	ref := t.TempDir()
	mustRun(t, ref, "project", "--quiet") // as each trial's ledger starts
	full := mustRun(t, ref, "import", "--quiet", file)
	want := mustRun(t, ref, "stock", "--output", "json").stdout

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 13))
	t.Logf("random seed %d; %d rows (%d written twice); a whole import takes %s", seed, rows, dups, full.elapsed)
	// recorded counts the accepted operations; the ledger accepts a command once, so a
	// row imported twice would be two commands, and more operations than rows.
	recorded := func(dir string) int {
		mustRun(t, dir, "project", "--quiet")
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "operations.db")+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM ledger`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	partial := 0
	// Kill moments are drawn at random from a window that starts as the whole import's
	// time and narrows towards the appending: a kill that found nothing recorded moves
	// its start later, one that found everything moves its end earlier. On a loaded
	// machine the appending is a small, moving part of the run.
	lo, hi := time.Duration(0), full.elapsed
	for i := 0; i < 10; i++ {
		dir := t.TempDir()
		mustRun(t, dir, "project", "--quiet")
		cmd := exec.Command(binary, "--data-dir", dir, "import", "--quiet", file)
		cmd.Env = append(cleanEnv(), realKafkaEnv(dir)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		// A random moment in the window; not a synchronisation.
		at := lo + time.Duration(rng.Int64N(int64(hi-lo)+1))
		select {
		case <-exited:
		case <-time.After(at):
			cmd.Process.Kill()
			<-exited
		}
		n := recorded(dir)
		if n > rows {
			t.Fatalf("trial %d, killed after %s: %d operations for a file of %d rows", i+1, at, n, rows)
		}
		switch {
		case n == 0:
			lo = at
		case n == rows:
			hi = at
		default:
			partial++
		}
		if hi-lo < 10*time.Millisecond { // the window closed: open it again around here
			lo, hi = max(lo-full.elapsed/4, 0), min(hi+full.elapsed/4, full.elapsed)
		}
		mustRun(t, dir, "import", "--quiet", file)
		if n2 := recorded(dir); n2 != rows {
			t.Fatalf("trial %d, killed after %s with %d rows recorded, then run to the end: %d operations, want each of the %d rows once",
				i+1, at, n, n2, rows)
		}
		if got := mustRun(t, dir, "stock", "--output", "json").stdout; got != want {
			t.Fatalf("trial %d: stock after the kill and a full run differs from one uninterrupted import:\n%s\n%s", i+1, got, want)
		}
		t.Logf("trial %d: killed after %s with %d of %d rows recorded; each once after the re-run", i+1, at, n, rows)
	}
	if partial == 0 {
		t.Fatalf("no kill landed while the rows were being appended (whole import %s)", full.elapsed)
	}
	t.Logf("%d of 10 kills left the import partly recorded", partial)
}

// TestConcurrentImportsOfOneFile: two processes import the same file at the same time.
// The log accepts each row once, whichever process appended it first, and each process
// says how many rows it recorded and how many the other did: together, the file once.
func TestConcurrentImportsOfOneFile(t *testing.T) {
	if testing.Short() {
		t.Skip("long: a 21,000-row file twice")
	}
	dir := t.TempDir()
	env := sharedLog(t, dir)
	file := filepath.Join(t.TempDir(), "ops.csv")
	mustRun(t, t.TempDir(), "generate", "--products", "60", "--days", "365", "--seed", "9", "--out", file)
	mustRunEnv(t, dir, env, "project", "--quiet")
	results := make(chan result, 2)
	for range 2 {
		go func() {
			r, err := invoke(dir, env, "import", file)
			if err != nil {
				r.code, r.stderr = -1, err.Error()
			}
			results <- r
		}()
	}
	// A process that starts while the other's rows are being projected finds some of them
	// already recorded.
	summary := regexp.MustCompile(`^imported (\d+) of (\d+) rows .*?; (\d+) already recorded(?:, (\d+) recorded meanwhile by another import of the same source)?, 0 refused`)
	recorded, rows := 0, 0
	for range 2 {
		r := <-results
		if r.code != 0 {
			t.Fatalf("concurrent import: %v", r)
		}
		if strings.HasPrefix(r.stdout, "nothing to import") {
			continue // it started after the other had finished
		}
		m := summary.FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("concurrent import's summary: %v", r)
		}
		n, _ := strconv.Atoi(m[1])
		rows, _ = strconv.Atoi(m[2])
		already, _ := strconv.Atoi(m[3])
		others, _ := strconv.Atoi(m[4])
		if n+already+others != rows {
			t.Fatalf("an import says it recorded %d, found %d already recorded and the other recorded %d, of %d rows: %v", n, already, others, rows, r)
		}
		recorded += n
		t.Logf("%s", strings.TrimSpace(r.stdout))
	}
	if recorded != rows {
		t.Fatalf("the two imports say they recorded %d rows of a %d-row file", recorded, rows)
	}
	if got := tableCounts(t, filepath.Join(dir, "operations.db")); !strings.HasPrefix(got, fmt.Sprintf("ledger=%d ", rows)) {
		t.Fatalf("after two concurrent imports: %s, want each of the %d rows once", got, rows)
	}
}
