package main_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// levelsAt runs stockctl stock --output json with args and returns its lines, as
// "P 10.00 2024-05-01".
func levelsAt(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	r := mustRunEnv(t, dir, env, append([]string{"stock", "--output", "json"}, args...)...)
	var levels []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &levels); err != nil {
		t.Fatalf("stock --output json: %v\n%v", err, r)
	}
	var out []string
	for _, l := range levels {
		if _, ok := l["operations"]; ok && strings.Contains(strings.Join(args, " "), "--as-") {
			t.Errorf("stock %q tells operations, a count of now: %v", args, l)
		}
		out = append(out, strings.TrimSpace(l["product"].(string)+" "+l["stock"].(string)+" "+
			strings.TrimSuffix(l["last_operation_date"].(string), " 00:00:00")))
	}
	return strings.Join(out, ", ")
}

// TestStockAndHistoryAsOf: the transcript through the binary. Stock as of a day
// counts the operations dated up to its end; history lists them by business date with a
// balance that never contradicts itself; a backdated restock leaves the latest date as
// stock's last_operation_date; a moment's table says which moment it is.
func TestStockAndHistoryAsOf(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P", "10", "--date", "2024-05-01")
	mustRun(t, dir, "sell", "P", "4", "--date", "2024-05-02")
	for _, tc := range []struct{ args, want string }{
		{"P --as-of 2024-04-30", "P 0.00"},
		{"--as-of 2024-04-30", ""},
		{"P --as-of 2024-05-01", "P 10.00 2024-05-01"},
		{"P --as-of 2024-05-02", "P 6.00 2024-05-02"},
		{"P", "P 6.00 2024-05-02"},
		{"P --as-of 2099-12-31", "P 6.00 2024-05-02"},
	} {
		if got := levelsAt(t, dir, nil, strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("stock %s: got %q, want %q", tc.args, got, tc.want)
		}
	}

	// Backdated before the first restock: accepted, and the latest date stays the latest.
	mustRun(t, dir, "restock", "P", "3", "--date", "2024-04-15")
	if got := levelsAt(t, dir, nil, "P"); got != "P 9.00 2024-05-02" {
		t.Errorf("stock after a backdated restock: %q", got)
	}
	if got := levelsAt(t, dir, nil, "P", "--as-of", "2024-04-30"); got != "P 3.00 2024-04-15" {
		t.Errorf("stock as of 2024-04-30 after the backdated restock: %q", got)
	}
	var lines []string
	for _, h := range history(t, dir, "P") {
		lines = append(lines, h.Date[:10]+" "+h.Type+" "+h.Quantity+" "+h.Stock)
	}
	if got, want := strings.Join(lines, "; "), "2024-04-15 restock 3.00 3.00; 2024-05-01 restock 10.00 13.00; 2024-05-02 sale 4.00 9.00"; got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}

	r := mustRun(t, dir, "stock", "P", "--as-of", "2024-05-01")
	if !strings.HasPrefix(r.stdout, "as of 2024-05-01 23:59:59 (business date)\nproduct") || !strings.Contains(r.stdout, "13.00") {
		t.Errorf("stock --as-of's table does not say its moment first:\n%s", r.stdout)
	}
	r = mustRun(t, dir, "history", "P", "--as-of", "2024-05-01", "--output", "csv")
	if got := strings.Count(r.stdout, "\n"); got != 3 || strings.Contains(r.stdout, "2024-05-02") {
		t.Errorf("history --as-of 2024-05-01 as CSV: want the header and 2 rows, got:\n%s", r.stdout)
	}
	r = mustRun(t, dir, "history", "P", "--as-of", "2024-04-01", "--output", "json")
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("history before the product's first operation: want [], got %v", r)
	}
	if r := run(t, dir, "history", "NEVER-SEEN", "--as-of", "2024-05-01"); r.code != 1 {
		t.Errorf("history of a product never seen, as of a date: want exit 1, got %v", r)
	}
}

// TestAsKnownAtIsLocalTime: --as-known-at reads the machine's clock (TZ): the second a
// restock was recorded, written in Tokyo time, counts it; the second before does not.
func TestAsKnownAtIsLocalTime(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P", "10", "--date", "2024-05-01")
	var recorded struct {
		RecordedAt string `json:"recorded_at"`
	}
	var entries []json.RawMessage
	r := mustRun(t, dir, "history", "P", "--output", "json")
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil || len(entries) != 1 {
		t.Fatalf("history: %v\n%v", err, r)
	}
	json.Unmarshal(entries[0], &recorded)
	at, err := time.Parse(time.RFC3339Nano, recorded.RecordedAt)
	if err != nil {
		t.Fatal(err)
	}
	tokyo := time.FixedZone("JST", 9*3600)
	env := []string{"TZ=Asia/Tokyo"}
	local := func(t time.Time) string { return t.In(tokyo).Format("2006-01-02 15:04:05") }
	if got := levelsAt(t, dir, env, "--as-known-at", local(at)); got != "P 10.00 2024-05-01" {
		t.Errorf("known at the second it was recorded (%s Tokyo): %q", local(at), got)
	}
	if got := levelsAt(t, dir, env, "--as-known-at", local(at.Add(-time.Second))); got != "" {
		t.Errorf("known a second before it was recorded (%s Tokyo): %q", local(at.Add(-time.Second)), got)
	}
	if got := levelsAt(t, dir, env, "P", "--as-of", "2024-04-30", "--as-known-at", local(at)); got != "P 0.00" {
		t.Errorf("known, but as of the day before its date: %q", got)
	}
}

// TestAsOfBadValues: a wrong moment is invalid input (exit 2) naming its flag, and
// nothing else happens.
func TestAsOfBadValues(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"stock", "--as-of", "2024-13-01"},
		{"stock", "P", "--as-of", "01/05/2024"},
		{"history", "P", "--as-of", "yesterday"},
		{"stock", "--as-known-at", "2024-05-03 25:00:00"},
		{"history", "P", "--as-known-at", "now"},
	} {
		r := run(t, dir, args...)
		flag := args[len(args)-2]
		if r.code != 2 || !strings.HasPrefix(r.stderr, "stockctl: "+flag+": invalid date") || r.stdout != "" {
			t.Errorf("%q: want exit 2 and a message naming %s, got %v", args, flag, r)
		}
	}
}
