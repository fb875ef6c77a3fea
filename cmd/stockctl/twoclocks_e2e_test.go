package main_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestIssue17Transcript replays the issue's transcript through the binary: both
// backdated sales are refused (exit 1) with the date-aware message, since no stock
// existed before 2024-05-01, the sale dated 2024-05-02 is accepted, the original
// operations table lists the accepted rows in business-date order with positive
// quantities and a stock column that is their running balance, and stock shows the
// latest business date. A second product checks a backdated sale refused because a
// later balance would go negative, and one accepted between two operations.
func TestIssue17Transcript(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "P", "10", "--date", "2024-05-01")
	for _, c := range []struct{ qty, date, want string }{
		{"5", "2024-04-01", `insufficient stock for "P" on 2024-04-01: selling 5.00 would make its stock negative on 2024-04-01: 0.00 available then (no stock until 2024-05-01)`},
		{"4", "2024-04-15", `insufficient stock for "P" on 2024-04-15: selling 4.00 would make its stock negative on 2024-04-15: 0.00 available then (no stock until 2024-05-01)`},
	} {
		r := run(t, dir, "sell", "P", c.qty, "--date", c.date)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
			t.Errorf("sell P %s --date %s: want exit 1, nothing on stdout and %q on stderr, got %v", c.qty, c.date, c.want, r)
		}
	}
	if r := mustRun(t, dir, "sell", "P", "4", "--date", "2024-05-02"); !strings.Contains(r.stdout, "stock now 6.00") {
		t.Errorf("sell P 4 --date 2024-05-02: want stock now 6.00, got %v", r)
	}

	// Q: 10 on April 1st, 8 sold on May 1st: only 2 can be sold on April 15th, since the
	// balance on May 1st would go negative otherwise; 2 then fit.
	mustRun(t, dir, "restock", "Q", "10", "--date", "2024-04-01")
	mustRun(t, dir, "sell", "Q", "8", "--date", "2024-05-01")
	want := `insufficient stock for "Q" on 2024-04-15: selling 3.00 would make its stock negative on 2024-05-01: 2.00 available then`
	if r := run(t, dir, "sell", "Q", "3", "--date", "2024-04-15"); r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("sell Q 3 --date 2024-04-15: want exit 1 and %q, got %v", want, r)
	}
	mustRun(t, dir, "sell", "Q", "2", "--date", "2024-04-15")

	cols, rows := operations(t, dir)
	if strings.Join(cols, ",") != "operation_date,product_ID,operation_qt,stock,operation_type" {
		t.Errorf("operations columns %v, want the original five", cols)
	}
	wantRows := []operationRow{
		{"2024-04-01 00:00:00", "Q", 10, 10, "replenishment"},
		{"2024-04-15 00:00:00", "Q", 2, 8, "sales"},
		{"2024-05-01 00:00:00", "P", 10, 10, "replenishment"},
		{"2024-05-01 00:00:00", "Q", 8, 0, "sales"},
		{"2024-05-02 00:00:00", "P", 4, 6, "sales"},
	}
	if len(rows) != len(wantRows) {
		t.Fatalf("SELECT * FROM operations: %d rows, want %d: %v", len(rows), len(wantRows), rows)
	}
	// Same-date rows of different products may come in either order: compare by product.
	balance := map[string]float64{}
	prev := ""
	got := map[string][]operationRow{}
	for _, o := range rows {
		if o.Date < prev {
			t.Errorf("row %v comes after a row dated %s", o, prev)
		}
		prev = o.Date
		if o.Qty <= 0 {
			t.Errorf("row %v: operation_qt must be positive, the direction is in operation_type", o)
		}
		if o.Type == "sales" {
			balance[o.Product] -= o.Qty
		} else {
			balance[o.Product] += o.Qty
		}
		if math.Abs(balance[o.Product]-o.Stock) > 1e-9 || o.Stock < 0 {
			t.Errorf("row %v: stock %.2f, want the running balance %.2f", o, o.Stock, balance[o.Product])
		}
		got[o.Product] = append(got[o.Product], o)
	}
	for _, w := range wantRows {
		if len(got[w.Product]) == 0 || got[w.Product][0] != w {
			t.Errorf("want the row %v next for %s, got %v", w, w.Product, got[w.Product])
			continue
		}
		got[w.Product] = got[w.Product][1:]
	}
	levels := stockLevels(t, dir, "P", "Q")
	if len(levels) != 2 || levels[0].Stock != "6.00" || levels[0].LastDate != "2024-05-02 00:00:00" ||
		levels[1].Stock != "0.00" || levels[1].LastDate != "2024-05-01 00:00:00" {
		t.Errorf("stock P Q: want P 6.00 last 2024-05-02, Q 0.00 last 2024-05-01, got %+v", levels)
	}
}

// TestGenerateBackdated: generate --backdated 10 says how many rows it backdated, and
// the file imports whole, none refused by the rule in business-date order and no stock
// column mismatch; bad values of the options are invalid input (exit 2), nothing written.
func TestGenerateBackdated(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "late.csv")
	// 10% on this seed cuts 3 sales down: without the cut, import refuses them.
	r := mustRun(t, dir, "generate", "--products", "20", "--days", "150", "--seed", "1", "--backdated", "10", "--backdate-days", "60", "--out", file)
	m := regexp.MustCompile(`wrote (\d+) operations .*\n(\d+) of them backdated by up to 60 days \(sales cut down to the stock at their date: 3\)\n`).FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("generate --backdated: want the count of rows written and backdated, got %v", r)
	}
	total, _ := strconv.Atoi(m[1])
	backdated, _ := strconv.Atoi(m[2])
	if backdated < total/20 || backdated > total*15/100 {
		t.Errorf("%d of %d rows backdated, want about 10%%", backdated, total)
	}
	imp := mustRun(t, dir, "import", file)
	if want := fmt.Sprintf("imported %d of %d rows", total, total); !strings.Contains(imp.stdout+imp.stderr, want) ||
		!strings.Contains(imp.stdout+imp.stderr, "0 refused, 0 stock mismatches") {
		t.Errorf("import of the backdated file: want %q with none refused, got %v", want, imp)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--backdated", "60"}, "--backdated 60: give a percentage from 0 to 50"},
		{[]string{"--backdated", "-1"}, "--backdated -1: give a percentage from 0 to 50"},
		{[]string{"--backdated", "2", "--backdate-days", "0"}, "--backdate-days 0: give 1 to 3660"},
		{[]string{"--backdate-days", "30"}, "--backdate-days needs --backdated"},
	} {
		out := filepath.Join(dir, "bad.csv")
		r := run(t, dir, append([]string{"generate", "--out", out}, c.args...)...)
		if _, err := os.Stat(out); r.code != 2 || !strings.Contains(r.stderr, c.want) || err == nil {
			t.Errorf("generate %v: want exit 2, %q and no file, got %v (file: %v)", c.args, c.want, r, err)
		}
	}
}
