package main_test

import (
	"strings"
	"testing"
)

// TestReadingByLocationThroughTheBinary: history and export (csv, jsonl) take
// --location: north's history has the transfer in and its sale with north's stock, main's
// the transfer out; the exports list each location's rows with its stock; an unknown or
// closed location is refused (exit 2, the open ones listed), and --format events or json
// with --location too.
func TestReadingByLocationThroughTheBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "location", "add", "north", "--name", "North warehouse")
	mustRun(t, dir, "location", "add", "east", "--name", "East")
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	mustRun(t, dir, "transfer", "P1", "4", "--from", "main", "--to", "north", "--date", "2024-05-02")
	mustRun(t, dir, "sell", "P1", "3", "--location", "north", "--date", "2024-05-03")
	mustRun(t, dir, "sell", "P1", "2", "--date", "2024-05-03")
	mustRun(t, dir, "location", "close", "east")

	rows := func(out string) []string {
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			got = append(got, strings.Join(strings.Split(strings.TrimRight(l, "\r"), ",")[:4], ","))
		}
		return got
	}
	north := rows(mustRun(t, dir, "history", "P1", "--location", "north", "-o", "csv").stdout)
	want := "date,type,location,quantity|2024-05-02 00:00:00,transfer in,main→north,4.00|2024-05-03 00:00:00,sale,north,3.00"
	if strings.Join(north, "|") != want {
		t.Errorf("history --location north =\n%q\nwant %q", strings.Join(north, "|"), want)
	}
	h := mustRun(t, dir, "history", "P1", "--location", "north", "-o", "json").stdout
	if !strings.Contains(h, `"stock": "4.00"`) || !strings.Contains(h, `"stock": "1.00"`) || strings.Contains(h, `"stock": "8.00"`) {
		t.Errorf("history --location north -o json: want north's stock 4.00 then 1.00:\n%s", h)
	}
	mainH := mustRun(t, dir, "history", "P1", "--location", "main").stdout
	if !strings.Contains(mainH, "transfer out") || strings.Contains(mainH, "transfer in") || !strings.Contains(mainH, "4.00") {
		t.Errorf("history --location main lacks the transfer out:\n%s", mainH)
	}
	mainJSON := mustRun(t, dir, "history", "P1", "--location", "main", "-o", "json").stdout
	for _, want := range []string{`"stock": "10.00"`, `"stock": "6.00"`, `"stock": "4.00"`} {
		if !strings.Contains(mainJSON, want) {
			t.Errorf("history --location main -o json lacks %s (main: 10, 6 after the transfer out, 4 after the sale):\n%s", want, mainJSON)
		}
	}

	csv := mustRun(t, dir, "export", "--location", "north").stdout
	if !strings.Contains(csv, "02/05/2024;P1;4;4\r\n") || !strings.Contains(csv, "03/05/2024;P1;-3;1\r\n") || strings.Count(csv, "\r\n") != 3 {
		t.Errorf("export --location north:\n%q", csv)
	}
	jsonl := mustRun(t, dir, "export", "--format", "jsonl", "--location", "main").stdout
	wantLines := []string{
		`{"operation_date":"2024-05-01 00:00:00","product_ID":"P1","operation_qt":10,"stock":10,"operation_type":"replenishment","location":"main"}`,
		`{"operation_date":"2024-05-02 00:00:00","product_ID":"P1","operation_qt":4,"stock":6,"operation_type":"transfer_out","location":"main"}`,
		`{"operation_date":"2024-05-03 00:00:00","product_ID":"P1","operation_qt":2,"stock":4,"operation_type":"sales","location":"main"}`,
	}
	if strings.TrimSpace(jsonl) != strings.Join(wantLines, "\n") {
		t.Errorf("export --format jsonl --location main:\n%s\nwant\n%s", jsonl, strings.Join(wantLines, "\n"))
	}
	// Without --location, the CSV export stays product-level: no transfer rows.
	if all := mustRun(t, dir, "export").stdout; strings.Count(all, "\r\n") != 4 {
		t.Errorf("export without --location:\n%q", all)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"history", "P1", "--location", "south"}, `unknown location: "south" (open locations: main, north)`},
		{[]string{"history", "P1", "--location", "east"}, `location closed: "east" (open locations: main, north)`},
		{[]string{"export", "--location", "south"}, `unknown location: "south" (open locations: main, north)`},
		{[]string{"export", "--format", "events", "--location", "north"}, "--location is for --format csv or jsonl"},
		{[]string{"export", "--format", "json", "--location", "north"}, "--location is for --format csv or jsonl"},
	} {
		if r := run(t, dir, tc.args...); r.code != 2 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
}
