package main_test

import (
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pageWords is an HTML page's text as a reader sees it, spaces collapsed, without its
// charts, styles and scripts.
func pageWords(page string) string {
	page = regexp.MustCompile(`(?s)<(svg|style|script)\b.*?</(svg|style|script)>`).ReplaceAllString(page, " ")
	page = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " ")
	return strings.Join(strings.Fields(html.UnescapeString(page)), " ")
}

// locationLedger records P1 restocked 10 in main, 4 moved to north, 3 sold in north and
// 2 in main (main 4, north 1), P2 restocked 7 in main, and east added and closed.
func locationLedger(t *testing.T, dir string) {
	mustRun(t, dir, "location", "add", "north", "--name", "North warehouse")
	mustRun(t, dir, "location", "add", "east", "--name", "East")
	mustRun(t, dir, "restock", "P1", "10", "--date", "2024-05-01")
	mustRun(t, dir, "restock", "P2", "7", "--date", "2024-05-01")
	mustRun(t, dir, "transfer", "P1", "4", "--from", "main", "--to", "north", "--date", "2024-05-02")
	mustRun(t, dir, "sell", "P1", "3", "--location", "north", "--date", "2024-05-03")
	mustRun(t, dir, "sell", "P1", "2", "--date", "2024-05-03")
	mustRun(t, dir, "location", "close", "east")
}

// TestReportByLocationThroughTheBinary: report --location north is north's report: its
// title names north, 1 operation (a transfer is not counted), 3 units sold (not main's 2, nor 5), no restock, P1's stock 1.00 in
// north (not 4 in main, nor 5 over all), the transfer in listed, P2 (never in north)
// absent; with --as-of the day of the transfer, north's stock then (4.00); main's
// report has main's figures; an unknown or closed location is refused with exit 2
// naming the open ones, and no report is written.
func TestReportByLocationThroughTheBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	locationLedger(t, dir)
	report := func(args ...string) string {
		out := filepath.Join(t.TempDir(), "r")
		mustRun(t, dir, append([]string{"report", "--format", "html", "--out", out}, args...)...)
		b, err := os.ReadFile(filepath.Join(out, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		return pageWords(string(b))
	}
	north := report("--location", "north")
	for _, want := range []string{"Stock report of location north, all operations",
		"1 product with operations 1 operation 3 units sold 0 units restocked", "Current stock in north product stock last operation P1 1.00 2024-05-03",
		"2024-05-03 P1 sale 3.00 1.00", "2024-05-02 P1 transfer in 4.00 4.00"} {
		if !strings.Contains(north, want) {
			t.Errorf("report --location north lacks %q:\n%s", want, north)
		}
	}
	for _, not := range []string{"P2", "5 units sold", "17 units restocked", "per location"} {
		if strings.Contains(north, not) {
			t.Errorf("report --location north shows %q:\n%s", not, north)
		}
	}
	main := report("--location", "main")
	for _, want := range []string{"Stock report of location main", "2 units sold", "17 units restocked",
		"2024-05-02 P1 transfer out 4.00 6.00", "P1 4.00 2024-05-03"} {
		if !strings.Contains(main, want) {
			t.Errorf("report --location main lacks %q:\n%s", want, main)
		}
	}
	asOf := report("--location", "north", "--as-of", "2024-05-02")
	if !strings.Contains(asOf, "Stock report of location north as of the end of 2024-05-02") ||
		!strings.Contains(asOf, "Stock at the end of 2024-05-02 in north product stock last operation P1 4.00 2024-05-02") {
		t.Errorf("report --location north --as-of 2024-05-02:\n%s", asOf)
	}
	for _, tc := range []struct{ loc, want string }{
		{"south", `report: --location: unknown location: "south" (open locations: main, north)`},
		{"east", `report: --location: location closed: "east" (open locations: main, north)`},
	} {
		out := filepath.Join(t.TempDir(), "r")
		r := run(t, dir, "report", "--location", tc.loc, "--out", out)
		if _, err := os.Stat(out); r.code != 2 || !strings.Contains(r.stderr, tc.want) || err == nil {
			t.Errorf("report --location %s: exit %d, stderr %q, %s written: %v; want exit 2, %q and nothing", tc.loc, r.code, r.stderr, out, err == nil, tc.want)
		}
	}
}

// TestServeDashboardByLocation: the dashboard has no location select with main alone;
// with north added it has one listing the open locations; ?location=north shows
// north's views (3 units sold, P1 1.00 in north, the select on north) and the live
// fragment's URL keeps the location; the fragment alone filters too; an unknown or
// closed location answers 400 naming the open ones.
func TestServeDashboardByLocation(t *testing.T) {
	t.Parallel()
	alone := t.TempDir()
	mustRun(t, alone, "restock", "P1", "10", "--date", "2024-05-01")
	s := startServe(t, alone, nil)
	if r := s.get("/"); r.status != 200 || strings.Contains(r.body, `name="location"`) {
		t.Errorf("the dashboard with main alone: %d, a location select: %v", r.status, strings.Contains(r.body, `name="location"`))
	}

	dir := t.TempDir()
	locationLedger(t, dir)
	s = startServe(t, dir, nil)
	all := s.get("/")
	if all.status != 200 || !strings.Contains(all.body, `<select name="location">`) || !strings.Contains(all.body, `<option value="north">North warehouse (north)</option>`) ||
		strings.Contains(all.body, `value="east"`) || !strings.Contains(pageWords(all.body), "5 units sold") {
		t.Errorf("the dashboard with north: %d\n%s", all.status, all.body)
	}
	north := s.get("/?location=north")
	words := pageWords(north.body)
	if north.status != 200 || !strings.Contains(north.body, `<option value="north" selected>`) ||
		!strings.Contains(north.body, `data-live="/fragments/dashboard?location=north"`) {
		t.Errorf("/?location=north: %d\n%s", north.status, north.body)
	}
	for _, want := range []string{"All operations in location north", "3 units sold", "0 units restocked", "Current stock in north product stock last operation P1 1.00"} {
		if !strings.Contains(words, want) {
			t.Errorf("/?location=north lacks %q:\n%s", want, words)
		}
	}
	if strings.Contains(words, "5 units sold") || strings.Contains(words, "P2") {
		t.Errorf("/?location=north shows all locations' figures:\n%s", words)
	}
	// The view has no record order: the heading must not claim one.
	if !strings.Contains(words, "Operations, newest first") || strings.Contains(words, "most recently recorded") {
		t.Errorf("/?location=north: the operations heading claims a record order the location's list lacks:\n%s", words)
	}
	if !strings.Contains(pageWords(all.body), "Operations, most recently recorded first") {
		t.Errorf("the whole dashboard lost its heading \"Operations, most recently recorded first\":\n%s", pageWords(all.body))
	}
	if f := s.get("/fragments/dashboard?location=north"); f.status != 200 || !strings.Contains(pageWords(f.body), "3 units sold") {
		t.Errorf("/fragments/dashboard?location=north: %d\n%s", f.status, pageWords(f.body))
	}
	for _, tc := range []struct{ path, want string }{
		{"/?location=south", `unknown location: &#34;south&#34; (open locations: main, north)`},
		{"/?location=east", `location closed: &#34;east&#34; (open locations: main, north)`},
		{"/fragments/dashboard?location=south", `unknown location: "south" (open locations: main, north)`},
	} {
		if r := s.get(tc.path); r.status != 400 || !strings.Contains(r.body, tc.want) {
			t.Errorf("%s: %d, want 400 and %q:\n%s", tc.path, r.status, tc.want, r.body)
		}
	}
}
