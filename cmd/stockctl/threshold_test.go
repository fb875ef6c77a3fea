package main_test

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// crossingLines returns the model's crossings as "product location kind stock min",
// in log order.
func crossingLines(t *testing.T, dir string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "operations.db")+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT product_id || ' ' || location || ' ' || kind || ' ' || stock_cents || ' ' || coalesce(min_cents, '-')
		FROM crossings ORDER BY partition, "offset", location`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// thresholdList returns `threshold list -o json` as "product location min reorder lead
// stock below" lines, location "-" for the total.
func thresholdList(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	r := mustRun(t, dir, append([]string{"threshold", "list", "-o", "json"}, args...)...)
	var list []struct {
		Product    string  `json:"product"`
		Location   *string `json:"location"`
		Min        string  `json:"min"`
		ReorderQty string  `json:"reorder_qty"`
		LeadDays   int     `json:"lead_time_days"`
		Stock      string  `json:"stock"`
		Below      bool    `json:"at_or_below_min"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatalf("threshold list -o json: %v\n%s", err, r.stdout)
	}
	out := []string{}
	for _, x := range list {
		loc := "-"
		if x.Location != nil {
			loc = *x.Location
		}
		out = append(out, strings.Join([]string{x.Product, loc, x.Min, x.ReorderQty, jsonInt(x.LeadDays), x.Stock, map[bool]string{true: "below", false: "ok"}[x.Below]}, " "))
	}
	return out
}

func jsonInt(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestThresholdsThroughTheBinary: thresholds set on a product's total and on a location
// show in threshold list, stock and stock --by-location; sales crossing below the
// minimum make one crossing per run, not one per sale; a replay and verify give the same
// thresholds and crossings. Bad inputs exit 2 and clearing a threshold that is not set
// exits 1, each with nothing written to the log.
func TestThresholdsThroughTheBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "location", "add", "north", "--name", "North warehouse")
	mustRun(t, dir, "restock", "P1", "30", "--date", "2024-05-01")
	r := mustRun(t, dir, "threshold", "set", "P1", "--min", "20", "--reorder-qty", "100", "--lead-time", "7d")
	if want := "threshold of P1 (total over all locations): min 20.00, reorder quantity 100.00, lead time 7 days; stock now 30.00"; strings.TrimSpace(r.stdout) != want {
		t.Errorf("threshold set said %q, want %q", r.stdout, want)
	}
	r = mustRun(t, dir, "threshold", "set", "P1", "--min", "5", "--location", "north", "--lead-time", "3")
	if !strings.Contains(r.stdout, "P1 in north is at or below its minimum now: it needs reordering") {
		t.Errorf("threshold set in north, which holds nothing, said %q", r.stdout)
	}
	r = mustRun(t, dir, "threshold", "set", "P2", "--min", "0")
	if !strings.Contains(r.stderr, "warning: P2 has no stock recorded yet (never restocked)") {
		t.Errorf("threshold set on a product never restocked: stderr %q, want a warning", r.stderr)
	}
	if want := "threshold of P2 (total over all locations): min 0.00, no reorder quantity, no lead time; stock now 0.00"; strings.TrimSpace(r.stdout) != want {
		t.Errorf("threshold set with neither a reorder quantity nor a lead time said %q, want %q", r.stdout, want)
	}
	mustRun(t, dir, "transfer", "P1", "8", "--from", "main", "--to", "north", "--date", "2024-05-02")
	for _, q := range []string{"12", "1", "1"} { // 30 → 18 (crossing), 17, 16: one crossing
		mustRun(t, dir, "sell", "P1", q, "--date", "2024-05-03")
	}
	mustRun(t, dir, "sell", "P1", "3", "--location", "north", "--date", "2024-05-03") // north 8 → 5, at its minimum: crossing
	wantList := []string{"P1 - 20.00 100.00 7 13.00 below", "P1 north 5.00 0.00 3 5.00 below", "P2 - 0.00 0.00 0 0.00 below"}
	if got := thresholdList(t, dir); !reflect.DeepEqual(got, wantList) {
		t.Errorf("threshold list =\n%q\nwant\n%q", got, wantList)
	}
	if got := thresholdList(t, dir, "--location", "north"); !reflect.DeepEqual(got, wantList[1:2]) {
		t.Errorf("threshold list --location north = %q", got)
	}
	wantCrossings := []string{"P1 north below_min 0 500", "P1  below_min 1800 2000", "P1 north below_min 500 500", "P2  below_min 0 0"}
	got := crossingLines(t, dir)
	if len(got) != len(wantCrossings) {
		t.Errorf("crossings %q, want %q (in some partition order)", got, wantCrossings)
	}
	for _, w := range wantCrossings {
		if !strings.Contains(strings.Join(got, ","), w) {
			t.Errorf("crossings %q lack %q", got, w)
		}
	}

	r = mustRun(t, dir, "stock")
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 2 || !strings.HasSuffix(lines[0], "min    status") ||
		!strings.HasSuffix(lines[1], "20.00  REORDER") {
		t.Errorf("stock with a threshold set:\n%s", r.stdout)
	}
	var levels []struct {
		Product string  `json:"product"`
		Min     *string `json:"min"`
		Below   bool    `json:"at_or_below_min"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, dir, "stock", "-o", "json").stdout), &levels); err != nil || len(levels) != 1 ||
		levels[0].Min == nil || *levels[0].Min != "20.00" || !levels[0].Below {
		t.Errorf("stock -o json: %+v, %v", levels, err)
	}
	r = mustRun(t, dir, "stock", "--by-location")
	for _, want := range []string{"P1       main      8.00", "P1       north     5.00   2024-05-03 00:00:00  5.00   REORDER", "P1       (total)   13.00                       20.00  REORDER"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stock --by-location lacks %q:\n%s", want, r.stdout)
		}
	}

	end := logEnd(t, dir)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"threshold", "set", "P1"}, 2, "--min is required"},
		{[]string{"threshold", "set", "P1", "--min", "-1"}, 2, `--min: invalid quantity: "-1"`},
		{[]string{"threshold", "set", "P1", "--min", "1.005"}, 2, "at most two decimal places"},
		{[]string{"threshold", "set", "P1", "--min", "1,5"}, 2, "use a dot for decimals (1.5)"},
		{[]string{"threshold", "set", "P1", "--min", "5", "--reorder-qty", "x"}, 2, "--reorder-qty: invalid quantity"},
		{[]string{"threshold", "set", "P1", "--min", "5", "--lead-time", "367d"}, 2, `--lead-time: "367d": give whole days from 0 to 366`},
		{[]string{"threshold", "set", "P1", "--min", "5", "--lead-time", "1w"}, 2, "--lead-time"},
		{[]string{"threshold", "set", "P1", "--min", "5", "--location", "south"}, 2, `unknown location: "south" (open locations: main, north)`},
		{[]string{"threshold", "set", "P1", "--min", "5", "--location", "North"}, 2, "lower case"},
		{[]string{"threshold", "set", "P1", "P2", "--min", "5"}, 2, "takes one PRODUCT, got 2"},
		{[]string{"threshold", "set", " ", "--min", "5"}, 2, "product"},
		{[]string{"threshold", "clear", "P1", "--location", "main"}, 1, `no threshold for "P1" in main: nothing to clear`},
		{[]string{"threshold", "clear", "P9"}, 1, `no threshold for "P9" (its total over all locations)`},
		{[]string{"threshold", "list", "--location", "south"}, 2, `unknown location: "south"`},
		{[]string{"threshold", "list", "-o", "xml"}, 2, "use table, json or csv"},
	} {
		if r := run(t, dir, tc.args...); r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
	if after := logEnd(t, dir); after != end {
		t.Errorf("refused threshold commands wrote to the log: it ends at %d, was %d", after, end)
	}

	mustRun(t, dir, "verify")
	mustRun(t, dir, "replay")
	if got := thresholdList(t, dir); !reflect.DeepEqual(got, wantList) {
		t.Errorf("after a replay, threshold list =\n%q\nwant\n%q", got, wantList)
	}
	if after := crossingLines(t, dir); !reflect.DeepEqual(after, got) {
		t.Errorf("after a replay, crossings %q, were %q", after, got)
	}
	r = mustRun(t, dir, "threshold", "clear", "P1", "--location", "north")
	if strings.TrimSpace(r.stdout) != "cleared the threshold of P1 in north" {
		t.Errorf("threshold clear said %q", r.stdout)
	}
	if got := thresholdList(t, dir); !reflect.DeepEqual(got, []string{wantList[0], wantList[2]}) {
		t.Errorf("after a clear, threshold list = %q", got)
	}
}
