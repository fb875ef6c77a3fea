package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/readmodel"
)

// repairedLedger records, through the binary, a ledger with every kind of event: sales
// and restocks of three products, a voided mistake, a count, an adjustment, a correction
// and a close, and a sale dated after the close.
func repairedLedger(t *testing.T, dir string) {
	t.Helper()
	mustRun(t, dir, "restock", "P1", "43", "--date", "2024-05-01")
	mustRun(t, dir, "restock", "P2", "10", "--date", "2024-05-01")
	mistake := eventIDOf(t, dir, "sell", "P1", "30", "--date", "2024-05-02")
	mustRun(t, dir, "void", mistake, "--reason", "typed 30 for 3")
	mustRun(t, dir, "sell", "P1", "3", "--date", "2024-05-02")
	mustRun(t, dir, "count", "P1", "37", "--date", "2024-05-03", "--reason", "monthly count")
	mustRun(t, dir, "adjust", "P2", "-2", "--reason", "damaged", "--date", "2024-05-03")
	box := eventIDOf(t, dir, "restock", "P3", "5", "--date", "2024-05-03")
	mustRun(t, dir, "correct", box, "--quantity", "6", "--reason", "miscounted the box")
	mustRun(t, dir, "close-period", "--through", "2024-05-03")
	mustRun(t, dir, "sell", "P2", "1", "--date", "2024-05-06")
}

// TestExportEventsRoundTrip: export --format events, read back by import --format events
// into an empty ledger, gives a read model identical table by table; a log event that
// was rejected (a stale writer's retry) is carried and rejected again; exporting the
// copy gives the same file; and a ledger with another partition count ends with the
// same operations, repairs and stock.
func TestExportEventsRoundTrip(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	repairedLedger(t, src)
	exported := mustRun(t, src, "export", "--format", "events")
	lines := strings.Split(strings.TrimSuffix(exported.stdout, "\n"), "\n")
	// 11 commands, the correction one event, the close one line (3 copies in the log).
	if len(lines) != 11 {
		t.Fatalf("export --format events wrote %d lines, want 11:\n%s", len(lines), exported.stdout)
	}
	if n := strings.Count(exported.stdout, `"type":"PeriodClosed"`); n != 1 {
		t.Errorf("the close is written %d times, want once", n)
	}
	// A stale retry of the first P1 sale: same expected_seq, another event ID.
	var sale map[string]any
	for _, l := range lines {
		if strings.Contains(l, `"type":"StockSold"`) && strings.Contains(l, `"product_id":"P1"`) {
			if err := json.Unmarshal([]byte(l), &sale); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	sale["event_id"] = "stale-retry-of-the-sale"
	stale, _ := json.Marshal(sale)
	file := filepath.Join(t.TempDir(), "ledger.jsonl")
	if err := os.WriteFile(file, []byte(exported.stdout+string(stale)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	copy1, copy2 := t.TempDir(), t.TempDir()
	r := mustRun(t, copy1, "import", "--format", "events", file)
	if !strings.Contains(r.stdout, "imported 12 events") || !strings.Contains(r.stdout, "1 rejected") {
		t.Errorf("import said %q, want 12 events, 1 rejected", r.stdout)
	}
	// The same events, each product's in the same order (a product's lines keep their
	// order; lines of products in different partitions may come in another).
	again := mustRun(t, copy1, "export", "--format", "events").stdout
	if want, _ := os.ReadFile(file); !slices.Equal(byProduct(t, again), byProduct(t, string(want))) {
		t.Errorf("the copy's export differs from the file it was imported from:\n got %s\nwant %s", again, want)
	}
	mustRun(t, copy2, "import", "--format", "events", file)
	diffs, err := readmodel.DiffFiles(context.Background(), filepath.Join(copy1, "operations.db"), "copy1",
		filepath.Join(copy2, "operations.db"), 10)
	// meta names the log each model was built from: another cluster ID, or on a real
	// cluster another topic.
	diffs = slices.DeleteFunc(diffs, func(d string) bool { return strings.HasPrefix(d, "meta: only in") })
	if err != nil || len(diffs) > 0 {
		t.Errorf("two imports of one file differ (%v):\n%s", err, strings.Join(diffs, "\n"))
	}
	// The source has no rejected event: every other table the same.
	diffs, err = readmodel.DiffFiles(context.Background(), filepath.Join(src, "operations.db"), "source",
		filepath.Join(copy1, "operations.db"), 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		if !strings.HasPrefix(d, "rejected_events: only in") && !strings.HasPrefix(d, "offsets: ") && !strings.HasPrefix(d, "meta: ") {
			t.Errorf("the source and its copy differ: %s", d)
		}
	}
	if status := strings.Join(strings.Fields(mustRun(t, copy1, "status").stdout), " "); !strings.Contains(status, "books closed through 2024-05-03") {
		t.Errorf("the copy's status does not say the books are closed through 2024-05-03:\n%s", status)
	}

	// Another partition count: the products land elsewhere, each keeps its order.
	one := t.TempDir()
	mustRun(t, one, "--partitions", "1", "import", "--format", "events", file)
	for _, args := range [][]string{{"export", "--format", "jsonl"}, {"stock"}, {"history", "P1", "-o", "json"}} {
		if a, b := withoutPositions(t, mustRun(t, copy1, args...).stdout), withoutPositions(t, mustRun(t, one, args...).stdout); a != b {
			t.Errorf("%q: 3 partitions and 1 differ:\n%s\n%s", args, a, b)
		}
	}
}

// byProduct is the events of a file, one line each with sorted keys, prefixed with their
// product and their number among its events, sorted: equal for two files with the same
// events in the same order per product.
func byProduct(t *testing.T, file string) []string {
	t.Helper()
	var out []string
	seen := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(file), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		p := fmt.Sprint(v["product_id"])
		seen[p]++
		j, _ := json.Marshal(v)
		out = append(out, fmt.Sprintf("%s %04d %s", p, seen[p], j))
	}
	slices.Sort(out)
	return out
}

// withoutPositions drops "partition" and "offset" from each JSON line or document of out.
func withoutPositions(t *testing.T, out string) string {
	t.Helper()
	if !strings.HasPrefix(strings.TrimSpace(out), "{") && !strings.HasPrefix(strings.TrimSpace(out), "[") {
		return out
	}
	var b bytes.Buffer
	d := json.NewDecoder(strings.NewReader(out))
	for d.More() {
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatal(err)
		}
		drop(v)
		j, _ := json.Marshal(v)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

func drop(v any) {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "partition")
		delete(v, "offset")
		for _, x := range v {
			drop(x)
		}
	case []any:
		for _, x := range v {
			drop(x)
		}
	}
}

// TestImportEventsRefusals: a ledger that holds events, a bad line, CSV flags and a
// filtered events export are refused with nothing written.
func TestImportEventsRefusals(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	mustRun(t, src, "restock", "P1", "5")
	file := filepath.Join(t.TempDir(), "ledger.jsonl")
	if err := os.WriteFile(file, []byte(mustRun(t, src, "export", "--format", "events").stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	end := logEnd(t, src)
	if r := run(t, src, "import", "--format", "events", file); r.code != 1 || !strings.Contains(r.stderr, "the ledger is not empty") {
		t.Errorf("import into a ledger with events: %v", r)
	}
	if logEnd(t, src) != end {
		t.Errorf("the refused import appended to the log")
	}
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	good, _ := os.ReadFile(file)
	if err := os.WriteFile(bad, append(good, []byte("{\"type\":\"StockSold\"}\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "new")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "--format", "events", bad}, "line 2: malformed event"},
		{[]string{"import", "--format", "events", "--source", "x", file}, "--source is for CSV files"},
		{[]string{"import", "--format", "xml", file}, `--format "xml"`},
		{[]string{"export", "--format", "events", "--product", "P1"}, "--format events writes the whole log"},
	} {
		r := run(t, empty, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Errorf("a refused import created the data directory %s (%v)", empty, err)
	}
}

// TestExportCarriesRepairs: json and jsonl list voided operations in their place, marked
// voided with the void's ID and reason and leaving the stock untouched, counts and
// adjustments with their own operation_type, and every ledger column in jsonl.
func TestExportCarriesRepairs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	repairedLedger(t, dir)
	objs := jsonLines(t, mustRun(t, dir, "export", "--format", "jsonl").stdout)
	everyLedgerColumn(t, dir, objs)
	// operation_date, product_ID, operation_qt, stock, operation_type, reason, counted, corrects, void_reason
	want := [][]string{
		{"2024-05-01 00:00:00", "P1", "43", "43", "replenishment", "", "<nil>", "<nil>", "<nil>"},
		{"2024-05-01 00:00:00", "P2", "10", "10", "replenishment", "", "<nil>", "<nil>", "<nil>"},
		{"2024-05-02 00:00:00", "P1", "-30", "43", "voided", "", "<nil>", "<nil>", "typed 30 for 3"},
		{"2024-05-02 00:00:00", "P1", "-3", "40", "sales", "", "<nil>", "<nil>", "<nil>"},
		{"2024-05-03 00:00:00", "P1", "-3", "37", "count_out", "monthly count", "37.00", "<nil>", "<nil>"},
		{"2024-05-03 00:00:00", "P2", "-2", "8", "adjustment_out", "damaged", "<nil>", "<nil>", "<nil>"},
		{"2024-05-03 00:00:00", "P3", "5", "0", "voided", "", "<nil>", "<nil>", "miscounted the box"},
		{"2024-05-03 00:00:00", "P3", "6", "6", "replenishment", "miscounted the box", "<nil>", "", "<nil>"},
		{"2024-05-06 00:00:00", "P2", "-1", "7", "sales", "", "<nil>", "<nil>", "<nil>"},
	}
	if len(objs) != len(want) {
		t.Fatalf("jsonl has %d lines, want %d", len(objs), len(want))
	}
	keys := []string{"operation_date", "product_ID", "operation_qt", "stock", "operation_type", "reason", "counted", "corrects", "void_reason"}
	for i, o := range objs {
		for j, k := range keys {
			got := fmt.Sprint(o[k])
			if k == "corrects" && want[i][j] == "" {
				// The correction's operation names the restock it replaced.
				if got != fmt.Sprint(objs[6]["event_id"]) {
					t.Errorf("line %d: corrects = %s, want the voided restock's %s", i+1, got, objs[6]["event_id"])
				}
				continue
			}
			if got != want[i][j] {
				t.Errorf("line %d: %s = %s, want %s", i+1, k, got, want[i][j])
			}
		}
		if voided := o["operation_type"] == "voided"; voided != (o["voided_by"] != nil) || voided != (o["voided_at"] != nil) {
			t.Errorf("line %d: operation_type %v with voided_by %v, voided_at %v", i+1, o["operation_type"], o["voided_by"], o["voided_at"])
		}
	}
	var ops []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, dir, "export", "--format", "json").stdout), &ops); err != nil {
		t.Fatal(err)
	}
	if len(ops) != len(want) {
		t.Fatalf("json has %d operations, want %d", len(ops), len(want))
	}
	for i, o := range ops {
		if fmt.Sprint(o["operation_type"]) != want[i][4] || fmt.Sprint(o["stock"]) != want[i][3] ||
			(want[i][4] == "voided") != (o["voided_by"] == objs[i]["voided_by"] && o["void_reason"] == want[i][8]) {
			t.Errorf("json operation %d: %v; want type %s, stock %s, and the void's ID and reason when voided", i+1, o, want[i][4], want[i][3])
		}
	}
	// The CSV has the operations in effect only.
	if csv := mustRun(t, dir, "export").stdout; strings.Count(csv, "\r\n") != 1+len(want)-2 {
		t.Errorf("the CSV export has %d lines, want a header and %d operations:\n%s", strings.Count(csv, "\r\n"), len(want)-2, csv)
	}
}
