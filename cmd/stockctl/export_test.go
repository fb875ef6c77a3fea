package main_test

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// exportFields are the keys of an `export --format jsonl` line, in their order.
var exportFields = []string{"operation_date", "product_ID", "operation_qt", "stock", "operation_type",
	"quantity", "delta", "stock_after", "event_id", "event_type", "command_id", "product_seq", "recorded_at", "recorded_by", "note",
	"partition", "offset", "location", "to_location", "reason", "counted", "corrects", "voided_by", "voided_at", "void_reason"}

// exportNote would be a formula in a spreadsheet; JSON carries it as it is.
const exportNote = `=1+1 "counted" twice, café`

// exportSample records the sample file, a sale of 4.25 with a note and an operator, and
// a sale dated before it: the ledger's order is not the business dates' order.
func exportSample(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mustRun(t, dir, "import", sampleCSV)
	mustRun(t, dir, "sell", "1", "4.25", "--date", "2023-05-01", "--note", exportNote, "--operator", "alice")
	mustRun(t, dir, "sell", "1", "1", "--date", "2023-02-01 09:30:00")
	return dir
}

// jsonLines parses `export --format jsonl` output: every line one object with exactly
// exportFields, in that order; numbers stay json.Number.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	if out == "" {
		return nil
	}
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("jsonl output does not end with a newline:\n%s", out)
	}
	var objs []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("line %d is not an object: %q", i+1, line)
		}
		obj := map[string]any{}
		var keys []string
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				t.Fatalf("line %d: %v: %q", i+1, err, line)
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("line %d: %v: %q", i+1, err, line)
			}
			keys = append(keys, k.(string))
			obj[k.(string)] = v
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
			t.Fatalf("line %d: the object does not end: %q", i+1, line)
		}
		if _, err := dec.Token(); err != io.EOF {
			t.Fatalf("line %d holds more than one object: %q", i+1, line)
		}
		if !slices.Equal(keys, exportFields) {
			t.Fatalf("line %d has the fields\n%v, want\n%v", i+1, keys, exportFields)
		}
		objs = append(objs, obj)
	}
	return objs
}

// TestExportJSONLines: --format jsonl writes one object per accepted operation with
// the original fields, exact decimal strings and the event's metadata, in ledger order,
// and every column of the read model's ledger row is in it.
func TestExportJSONLines(t *testing.T) {
	t.Parallel()
	dir := exportSample(t)
	objs := jsonLines(t, mustRun(t, dir, "export", "--format", "jsonl").stdout)

	// product_ID, product_seq, operation_date, operation_qt, stock, operation_type, quantity, stock_after
	want := [][]string{
		{"1", "1", "2022-12-31 00:00:00", "24", "24", "replenishment", "24.00", "24.00"},
		{"2", "1", "2022-12-31 00:00:00", "10", "10", "replenishment", "10.00", "10.00"},
		{"1", "2", "2023-01-15 00:00:00", "-12", "12", "sales", "12.00", "12.00"},
		// Recorded last, dated February: in its place, and the stock after it in that order.
		{"1", "6", "2023-02-01 09:30:00", "-1", "11", "sales", "1.00", "11.00"},
		{"2", "2", "2023-04-20 00:00:00", "-2", "8", "sales", "2.00", "8.00"},
		{"1", "3", "2023-04-25 00:00:00", "-10", "1", "sales", "10.00", "1.00"},
		{"1", "4", "2023-04-29 00:00:00", "30", "31", "replenishment", "30.00", "31.00"},
		{"1", "5", "2023-05-01 00:00:00", "-4.25", "26.75", "sales", "4.25", "26.75"},
	}
	if len(objs) != len(want) {
		t.Fatalf("jsonl has %d lines, want %d: %v", len(objs), len(want), objs)
	}
	keys := []string{"product_ID", "product_seq", "operation_date", "operation_qt", "stock", "operation_type", "quantity", "stock_after"}
	for i, o := range objs {
		for j, k := range keys {
			if got := fmt.Sprint(o[k]); got != want[i][j] {
				t.Errorf("line %d: %s = %s, want %s", i+1, k, got, want[i][j])
			}
		}
		for _, k := range []string{"quantity", "stock_after", "event_id", "command_id", "recorded_at", "recorded_by", "product_ID", "operation_date", "operation_type"} {
			if s, ok := o[k].(string); !ok || s == "" {
				t.Errorf("line %d: %s = %#v, want a non-empty string", i+1, k, o[k])
			}
		}
		if _, ok := o["note"].(string); !ok {
			t.Errorf("line %d: note = %#v, want a string", i+1, o["note"])
		}
		for _, k := range []string{"operation_qt", "stock", "product_seq", "partition", "offset"} {
			if _, ok := o[k].(json.Number); !ok {
				t.Errorf("line %d: %s = %#v, want a number", i+1, k, o[k])
			}
		}
		if _, err := time.Parse(time.RFC3339Nano, fmt.Sprint(o["recorded_at"])); err != nil {
			t.Errorf("line %d: recorded_at: %v", i+1, err)
		}
		// Business-date order: no line dated before the one above it.
		if i > 0 && fmt.Sprint(o["operation_date"]) < fmt.Sprint(objs[i-1]["operation_date"]) {
			t.Errorf("line %d: %s after %s: not in business-date order", i+1, o["operation_date"], objs[i-1]["operation_date"])
		}
	}
	if sale := objs[7]; sale["note"] != exportNote || sale["recorded_by"] != "alice" || !strings.HasPrefix(fmt.Sprint(sale["command_id"]), "key:") {
		t.Errorf("the sale of 4.25: note %q, recorded_by %q, command_id %q; want %q, alice, key:…",
			sale["note"], sale["recorded_by"], sale["command_id"], exportNote)
	}

	everyLedgerColumn(t, dir, objs)
}

// everyLedgerColumn: every column of the read model's ledger table is in the jsonl lines
// objs, one per row, with its exact value: lossless. The stock after a row is in
// business-date order, from balances (the stock_cents and date_cents columns are what
// its writer was told and its place within its date).
func everyLedgerColumn(t *testing.T, dir string, objs []map[string]any) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "operations.db")+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT * FROM ledger ORDER BY business_date, product_id, product_seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	cents := func(v any) string {
		n := v.(int64)
		if n < 0 {
			return fmt.Sprintf("-%d.%02d", -n/100, -n%100)
		}
		return fmt.Sprintf("%d.%02d", n/100, n%100)
	}
	same := func(v any) string { return fmt.Sprint(v) }
	field := map[string]struct {
		key    string
		render func(any) string
	}{
		"partition": {"partition", same}, "offset": {"offset", same}, "event_id": {"event_id", same},
		"command_id": {"command_id", same}, "product_id": {"product_ID", same}, "product_seq": {"product_seq", same},
		"qty_cents": {"quantity", cents}, "business_date": {"operation_date", same},
		"recorded_at": {"recorded_at", same}, "recorded_by": {"recorded_by", same}, "note": {"note", same},
		"event_type": {"event_type", same}, "delta_cents": {"delta", cents}, "reason": {"reason", same},
		"counted_cents": {"counted", func(v any) string {
			if v == nil {
				return "<nil>"
			}
			return cents(v)
		}},
		"corrects": {"corrects", same}, "voided_by": {"voided_by", same}, "voided_at": {"voided_at", same},
		"location": {"location", same}, "to_location": {"to_location", same},
	}
	// The row number; a hash of command_id; the stock told when recorded, and the running
	// total within the date that stock_after is made from.
	// place_cents and to_cents are the same running totals within a location.
	derived := map[string]bool{"id": true, "command_key": true, "stock_cents": true, "date_cents": true, "place_cents": true, "to_cents": true}
	n := 0
	for ; rows.Next(); n++ {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, c := range cols {
			f, ok := field[c]
			switch {
			case derived[c]:
			case !ok:
				t.Errorf("ledger column %q is not in the jsonl export", c)
			case n < len(objs) && f.render(vals[i]) != fmt.Sprint(objs[n][f.key]):
				t.Errorf("line %d: %s = %v, but the ledger's %s is %v", n+1, f.key, objs[n][f.key], c, vals[i])
			}
		}
	}
	if err := rows.Err(); err != nil || n != len(objs) {
		t.Fatalf("the ledger has %d rows, the export %d lines (%v)", n, len(objs), err)
	}
}

// exportedRows runs export in format with args and returns "product|YYYY-MM-DD|qty" per
// operation, in the order written.
func exportedRows(t *testing.T, dir, format string, args ...string) []string {
	t.Helper()
	out := mustRun(t, dir, append([]string{"export", "--format", format}, args...)...).stdout
	ops := []string{}
	switch format {
	case "csv":
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF")))
		r.Comma = ';'
		rows, err := r.ReadAll()
		if err != nil || len(rows) == 0 {
			t.Fatalf("export --format csv %v: %v:\n%s", args, err, out)
		}
		for _, row := range rows[1:] {
			d, err := time.Parse("02/01/2006", row[0][:10])
			if err != nil {
				t.Fatal(err)
			}
			ops = append(ops, row[1]+"|"+d.Format("2006-01-02")+"|"+row[2])
		}
	case "json":
		dec := json.NewDecoder(strings.NewReader(out))
		dec.UseNumber()
		var objs []map[string]any
		if err := dec.Decode(&objs); err != nil {
			t.Fatalf("export --format json %v: %v:\n%s", args, err, out)
		}
		for _, o := range objs {
			ops = append(ops, fmt.Sprint(o["product_ID"])+"|"+fmt.Sprint(o["operation_date"])[:10]+"|"+fmt.Sprint(o["operation_qt"]))
		}
	case "jsonl":
		for _, o := range jsonLines(t, out) {
			ops = append(ops, fmt.Sprint(o["product_ID"])+"|"+fmt.Sprint(o["operation_date"])[:10]+"|"+fmt.Sprint(o["operation_qt"]))
		}
	}
	return ops
}

// TestExportFilters: --from, --to and --product select the same operations in every
// format, in business-date order (one date's by product); an empty selection is an empty jsonl; an
// invalid value is exit 2 with nothing on standard output.
func TestExportFilters(t *testing.T) {
	t.Parallel()
	dir := exportSample(t)
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--product", "1", "--from", "2023-01-01"},
			[]string{"1|2023-01-15|-12", "1|2023-02-01|-1", "1|2023-04-25|-10", "1|2023-04-29|30", "1|2023-05-01|-4.25"}},
		{[]string{"--product", "1", "--from", "2023-01-01", "--to", "2023-04-25"},
			[]string{"1|2023-01-15|-12", "1|2023-02-01|-1", "1|2023-04-25|-10"}},
		{[]string{"--to", "2022-12-31"}, []string{"1|2022-12-31|24", "2|2022-12-31|10"}},
		{[]string{"--product", "2", "--product", "1", "--from", "2023-04-20", "--to", "2023-05-01"},
			[]string{"2|2023-04-20|-2", "1|2023-04-25|-10", "1|2023-04-29|30", "1|2023-05-01|-4.25"}},
		{[]string{"--from", "2030-01-01"}, []string{}},
		{[]string{"--product", "3"}, []string{}},
	}
	for _, c := range cases {
		for _, format := range []string{"csv", "json", "jsonl"} {
			if got := exportedRows(t, dir, format, c.args...); !slices.Equal(got, c.want) {
				t.Errorf("export --format %s %v:\n got %q\nwant %q", format, c.args, got, c.want)
			}
		}
	}
	if out := mustRun(t, dir, "export", "--format", "jsonl", "--from", "2030-01-01").stdout; out != "" {
		t.Errorf("export --format jsonl of nothing writes %q", out)
	}

	invalid := [][]string{
		{"--from", "2023-13-01"}, {"--to", "nope"}, {"--from", ""}, {"--from", "1800-01-01"},
		{"--from", "2023-05-01", "--to", "2023-01-01"}, {"--product", ""}, {"--product", "a\x01"},
		{"--decimal-comma"}, {"extra"},
	}
	for _, args := range invalid {
		for _, format := range []string{"csv", "json", "jsonl"} {
			if format == "csv" && args[0] == "--decimal-comma" {
				continue
			}
			r := run(t, dir, append([]string{"export", "--format", format}, args...)...)
			if r.code != 2 || r.stdout != "" || !strings.HasPrefix(r.stderr, "stockctl: ") {
				t.Errorf("want exit 2, nothing on stdout and a message, got %v", r)
			}
		}
	}
	if r := run(t, dir, "export", "--format", "xml"); r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "use csv, json, jsonl or events") {
		t.Errorf("export --format xml: %v", r)
	}
}
