package main_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// backdatedLedger records the example through the binary: restock P 10 on May
// 1st, sell 4 on May 2nd, then sell 3 dated May 1st at noon (backdated, accepted).
func backdatedLedger(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P", "10", "--date", "2024-05-01")
	mustRun(t, dir, "sell", "P", "4", "--date", "2024-05-02")
	mustRun(t, dir, "sell", "P", "3", "--date", "2024-05-01 12:00:00")
	return dir
}

// TestExportAndOperationsInBusinessDateOrder: after a backdated sale, the operations view,
// the CSV export (signed quantities) and the JSON Lines export list the rows in
// business-date order, each with the stock after it in that order: 10, 7, 3 (in the
// order recorded the May 2nd sale left 6).
func TestExportAndOperationsInBusinessDateOrder(t *testing.T) {
	t.Parallel()
	dir := backdatedLedger(t)
	_, ops := operations(t, dir)
	var view []string
	for _, o := range ops {
		view = append(view, fmt.Sprintf("%s|%s|%v|%v|%s", o.Date, o.Product, o.Qty, o.Stock, o.Type))
	}
	if want := []string{"2024-05-01 00:00:00|P|10|10|replenishment", "2024-05-01 12:00:00|P|3|7|sales",
		"2024-05-02 00:00:00|P|4|3|sales"}; !slices.Equal(view, want) {
		t.Errorf("SELECT * FROM operations:\n got %q\nwant %q", view, want)
	}
	out := mustRun(t, dir, "export").stdout
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(out, "\uFEFF"), "\r\n"), "\r\n")
	if want := []string{"operation_date;product_ID;operation_qt;stock", "01/05/2024;P;10;10",
		"01/05/2024 12:00:00;P;-3;7", "02/05/2024;P;-4;3"}; !slices.Equal(lines, want) {
		t.Errorf("export csv:\n got %q\nwant %q", lines, want)
	}
	var got []string
	for _, o := range jsonLines(t, mustRun(t, dir, "export", "--format", "jsonl").stdout) {
		got = append(got, fmt.Sprint(o["operation_date"], "|", o["operation_qt"], "|", o["stock"], "|", o["stock_after"]))
	}
	if want := []string{"2024-05-01 00:00:00|10|10|10.00", "2024-05-01 12:00:00|-3|7|7.00",
		"2024-05-02 00:00:00|-4|3|3.00"}; !slices.Equal(got, want) {
		t.Errorf("export jsonl:\n got %q\nwant %q", got, want)
	}
	// The file imports into an empty ledger with its stock column agreeing.
	file := filepath.Join(t.TempDir(), "ops.csv")
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, t.TempDir(), "import", file)
}

// TestReportAsOf: report --as-of D shows the stock at the end of D and the operations
// dated up to D only, a backdated one included; bad values are exit 2 with nothing
// written.
func TestReportAsOf(t *testing.T) {
	t.Parallel()
	dir := backdatedLedger(t)
	mustRun(t, dir, "sell", "P", "1", "--date", "2024-05-03")
	page := func(args ...string) string {
		out := filepath.Join(t.TempDir(), "r")
		mustRun(t, dir, append([]string{"report", "--format", "html", "--out", out}, args...)...)
		b, err := os.ReadFile(filepath.Join(out, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, c := range []struct {
		args       []string
		want, lack []string
	}{
		{[]string{"--as-of", "2024-05-01"}, []string{`<h1>Stock report as of the end of <span class="day">2024-05-01</span></h1>`, `<h2>Stock at the end of <span class="day">2024-05-01</span></h2>`,
			`<div class="n">2</div><div class="l">operations</div>`, `data-stock>7.00<`}, []string{"2024-05-02", "2024-05-03"}},
		{[]string{"--as-of", "2024-05-02", "--from", "2024-05-02"}, []string{`<h1>Stock report as of the end of <span class="day">2024-05-02</span>, operations from <span class="day">2024-05-02</span></h1>`,
			`<div class="n">1</div><div class="l">operation</div>`, `data-stock>3.00<`}, []string{"2024-05-03"}},
		{nil, []string{"<h2>Current stock</h2>", `<div class="n">4</div><div class="l">operations</div>`, `data-stock>2.00<`}, nil},
	} {
		p := page(c.args...)
		for _, w := range c.want {
			if !strings.Contains(p, w) {
				t.Errorf("report %v lacks %s", c.args, w)
			}
		}
		for _, w := range c.lack {
			if strings.Contains(p, w) {
				t.Errorf("report %v shows %s, dated after its day", c.args, w)
			}
		}
	}
	for _, args := range [][]string{{"--as-of", "2024-13-01"}, {"--as-of", "1899-12-31"}, {"--as-of", ""},
		{"--as-of", "2024-05-01", "--to", "2024-05-02"}, {"--as-of", "2024-05-01", "--from", "2024-05-02"}} {
		out := filepath.Join(t.TempDir(), "r")
		r := run(t, dir, append([]string{"report", "--out", out}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "--") {
			t.Errorf("want exit 2 naming the flag, got %v", r)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("report %v: %s written", args, out)
		}
	}
}
