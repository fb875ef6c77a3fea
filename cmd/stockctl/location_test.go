package main_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// byLocation returns `stock --by-location -o json` as "product location stock" lines,
// then "product total stock".
func byLocation(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	r := mustRun(t, dir, append([]string{"stock", "--by-location", "-o", "json"}, args...)...)
	var products []struct {
		Product   string `json:"product"`
		Stock     string `json:"stock"`
		Locations []struct {
			Location string `json:"location"`
			Stock    string `json:"stock"`
		} `json:"locations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &products); err != nil {
		t.Fatalf("stock --by-location -o json: %v\n%s", err, r.stdout)
	}
	var out []string
	for _, p := range products {
		for _, l := range p.Locations {
			out = append(out, p.Product+" "+l.Location+" "+l.Stock)
		}
		out = append(out, p.Product+" total "+p.Stock)
	}
	return out
}

// TestLocationsThroughTheBinary is the "done when": on a fresh data directory,
// north declared, 10 restocked, 4 moved to north, a sale of 5 there refused (4 available
// in north), a sale of 3 accepted: main 6, north 1, total 7, and the same after a replay;
// the stock per location --as-of each date, live and after the replay.
// Then the refusals: an unknown location (exit 2, listing the open ones), closing a
// location that holds stock (exit 1), declaring one twice (exit 1); and a location
// emptied by a transfer back closes, after which it is refused as closed.
func TestLocationsThroughTheBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if r := mustRun(t, dir, "location", "add", "north", "--name", "North warehouse"); strings.TrimSpace(r.stdout) != "added location north (North warehouse)" {
		t.Errorf("location add said %q", r.stdout)
	}
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	r := mustRun(t, dir, "transfer", "P1", "4", "--from", "main", "--to", "north", "--date", "2024-05-02")
	if want := `transferred 4.00 of "P1" from main to north on 2024-05-02 00:00:00; main now holds 6.00, north 4.00 (10.00 in all)`; strings.TrimSpace(r.stdout) != want {
		t.Errorf("transfer said %q, want %q", r.stdout, want)
	}
	r = run(t, dir, "sell", "P1", "5", "--location", "north", "--date", "2024-05-03")
	if r.code != 1 || !strings.Contains(r.stderr, `insufficient stock for "P1" in north: 4.00 available, 5.00 requested`) {
		t.Errorf("selling 5 in north, which holds 4: %v", r)
	}
	mustRun(t, dir, "sell", "P1", "3", "--location", "north", "--date", "2024-05-03")
	want := []string{"P1 main 6.00", "P1 north 1.00", "P1 total 7.00"}
	if got := byLocation(t, dir); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("stock --by-location = %q, want %q", got, want)
	}
	if levels := stockLevels(t, dir, "P1"); len(levels) != 1 || levels[0].Stock != "7.00" {
		t.Errorf("stock = %+v, want 7.00", levels)
	}
	mustRun(t, dir, "restock", "P2", "5", "--date", "2024-05-02")
	asOf := func(when string) {
		t.Helper()
		for _, tc := range []struct{ args, want []string }{
			{[]string{"--as-of", "2024-04-30"}, nil},
			{[]string{"--as-of", "2024-05-01"}, []string{"P1 main 10.00", "P1 total 10.00"}},
			{[]string{"--as-of", "2024-05-02"}, []string{"P1 main 6.00", "P1 north 4.00", "P1 total 10.00", "P2 main 5.00", "P2 total 5.00"}},
			{[]string{"--as-of", "2024-05-02", "--location", "north"}, []string{"P1 north 4.00", "P1 total 4.00"}},
			{[]string{"--as-of", "2024-05-03", "P1"}, []string{"P1 main 6.00", "P1 north 1.00", "P1 total 7.00"}},
		} {
			if got := byLocation(t, dir, tc.args...); strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("%s, stock --by-location %q = %q, want %q", when, tc.args, got, tc.want)
			}
		}
	}
	asOf("live")
	if r := run(t, dir, "stock", "--by-location", "--as-known-at", "2024-05-02"); r.code != 2 || !strings.Contains(r.stderr, "not kept per location") {
		t.Errorf("stock --by-location --as-known-at: %v", r)
	}
	mustRun(t, dir, "replay")
	if got := byLocation(t, dir, "P1"); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("after a replay, stock --by-location = %q, want %q", got, want)
	}
	asOf("after a replay")
	if got := byLocation(t, dir, "--location", "north"); strings.Join(got, ",") != "P1 north 1.00,P1 total 1.00" {
		t.Errorf("stock --location north = %q", got)
	}

	end := logEnd(t, dir)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sell", "P1", "1", "--location", "south"}, 2, `unknown location: "south" (open locations: main, north)`},
		{[]string{"sell", "P1", "1", "--location", "North"}, 2, "location IDs are lower case (north)"},
		{[]string{"transfer", "P1", "1", "--from", "north", "--to", "north"}, 2, "same location"},
		{[]string{"transfer", "P1", "2", "--from", "north", "--to", "main"}, 1, `insufficient stock for "P1" in north: 1.00 available`},
		{[]string{"location", "close", "north"}, 1, `"north" holds 1.00 units`},
		{[]string{"location", "close", "main"}, 2, "main cannot be closed"},
		{[]string{"location", "add", "north", "--name", "Again"}, 1, "location already exists"},
		{[]string{"location", "add", "south"}, 2, "name"},
	} {
		if r := run(t, dir, tc.args...); r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
	if logEnd(t, dir) != end {
		t.Errorf("the refusals appended to the log")
	}
	mustRun(t, dir, "transfer", "P1", "1", "--from", "north", "--to", "main")
	if r := mustRun(t, dir, "location", "close", "north"); !strings.Contains(r.stdout, "closed location north") {
		t.Errorf("location close said %q", r.stdout)
	}
	if r := run(t, dir, "restock", "P1", "1", "--location", "north"); r.code != 2 || !strings.Contains(r.stderr, `location closed: "north" (open locations: main)`) {
		t.Errorf("a restock into the closed north: %v", r)
	}
	list := mustRun(t, dir, "location", "list", "-o", "json").stdout
	if !strings.Contains(list, `"location": "north"`) || !strings.Contains(list, `"status": "closed"`) {
		t.Errorf("location list -o json:\n%s", list)
	}
	h := mustRun(t, dir, "history", "P1").stdout
	if !strings.Contains(h, "main→north") || !strings.Contains(h, "north→main") {
		t.Errorf("history lacks the transfers:\n%s", h)
	}
	mustRun(t, dir, "verify")
}
