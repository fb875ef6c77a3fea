package main_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/stockctl/stockctl/internal/testkafka"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// setThresholdRows writes threshold rows straight into the read model's thresholds
// table, the reader's input (what `stockctl threshold set` leaves there).
func setThresholdRows(t *testing.T, dir string, rows ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "operations.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, r := range rows {
		var p, loc string
		var minC, reorder, lead int64
		fmt.Sscan(r, &p, &minC, &reorder, &lead)
		if i := strings.Index(p, "@"); i >= 0 {
			p, loc = p[:i], p[i+1:]
		}
		if _, err := db.Exec(`INSERT INTO thresholds VALUES (?, ?, ?, ?, ?, 'test', '2024-01-01T00:00:00Z', 'test')`, p, loc, minC, reorder, lead); err != nil {
			t.Fatal(err)
		}
	}
}

// suggested is the documented reorder rule, computed here in units as fractions:
// need = min + sold ÷ window × (lead + window) − stock; order max(reorder, ceil(need))
// when need > 0.
func suggested(stock, sold, min, reorder, lead, window int64) string {
	need := big.NewRat(min-stock, 1)
	need.Add(need, new(big.Rat).Mul(big.NewRat(sold, window), big.NewRat(lead+window, 1)))
	if need.Sign() <= 0 {
		return "0.00"
	}
	units := new(big.Int).Quo(need.Num(), need.Denom())
	if !need.IsInt() {
		units.Add(units, big.NewInt(1))
	}
	return fmt.Sprintf("%d.00", max(units.Int64(), reorder))
}

// TestAlertsAndReorderThroughTheBinary: on a ledger dated around today, alerts lists the
// stock at zero, then those at or below their minimum (earliest stock-out first, the one
// with no forecast last), then the one forecast to run out within 14 days, and exits 1;
// --horizon 30d adds the one running out in 22 days; nothing listed exits 0; bad input
// exits 2 and an absent ledger 3. JSON gives nulls for no forecast. reorder lists the
// quantities of the documented rule, computed here, and CSV ready for a supplier.
func TestAlertsAndReorderThroughTheBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	today := time.Now()
	day := func(n int) string { return today.AddDate(0, 0, n).Format("2006-01-02") }
	for _, op := range [][]string{
		{"restock", "PA", "100", day(-40)}, {"sell", "PA", "56", day(-10)}, // 2 a day, 44 left: 22 days
		{"restock", "PB", "10", day(-40)}, {"sell", "PB", "10", day(-5)}, // zero
		{"restock", "PC", "50", day(-40)}, {"sell", "PC", "14", day(-3)}, // 0.5 a day, 36 left, min 40
		{"restock", "PD", "30", day(-40)},                                // no sale, min 50
		{"restock", "PE", "20", day(-40)}, {"sell", "PE", "19", day(-1)}, // 1 left: out tomorrow
		{"restock", "PF", "500", day(-40)}, {"sell", "PF", "1", day(-1)}, // plenty
	} {
		mustRun(t, dir, op[0], op[1], op[2], "--date", op[3])
	}
	setThresholdRows(t, dir, "PC 4000 10000 10", "PD 5000 0 0")

	r := run(t, dir, "alerts")
	if r.code != 1 || !strings.Contains(r.stderr, "4 stocks need attention") {
		t.Fatalf("alerts: want exit 1 and \"5 stocks need attention\", got %v", r)
	}
	var order []string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n")[1:] {
		order = append(order, strings.Fields(l)[0])
	}
	if got := strings.Join(order, " "); got != "PB PC PD PE" {
		t.Errorf("alerts listed %q, want PB (zero), PC, PD (below the minimum, no forecast last), PE (forecast)\n%s", got, r.stdout)
	}
	wantLines := []string{
		"PB       (total)   0.00          0.36        0.0            " + day(0) + "     out of stock",
		"PC       (total)   36.00  40.00  0.50        72.0           " + day(72) + "     at or below its minimum",
		"PD       (total)   30.00  50.00                                            at or below its minimum",
		"PE       (total)   1.00          0.68        1.5            " + day(1) + "     runs out within 14 days",
	}
	for _, w := range wantLines {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("alerts lacks the line %q:\n%s", w, r.stdout)
		}
	}
	if r = run(t, dir, "alerts", "--horizon", "30d"); !strings.Contains(r.stdout, "PA  ") ||
		strings.Index(r.stdout, "PA  ") < strings.Index(r.stdout, "PE  ") {
		t.Errorf("alerts --horizon 30d: want PA (22 days of cover) after PE:\n%s", r.stdout)
	}

	var list []map[string]any
	r = run(t, dir, "alerts", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || r.code != 1 || len(list) != 4 {
		t.Fatalf("alerts -o json: %v, %d entries; %v", err, len(list), r)
	}
	if d := list[2]; d["product"] != "PD" || d["daily_rate"] != nil || d["days_of_cover"] != nil || d["stockout_date"] != nil ||
		d["location"] != nil || d["min"] != "50.00" || d["reason"] != "below_min" {
		t.Errorf("alerts -o json: PD = %v, want nulls for its forecast and its location, min 50.00", d)
	}
	if e := list[3]; e["daily_rate"] != 0.6786 || e["stockout_date"] != day(1) || e["reason"] != "forecast" {
		t.Errorf("alerts -o json: PE = %v, want rate 0.6786 (19/28), out %s", e, day(1))
	}

	// Nothing yet as of 41 days ago: exit 0, the header alone.
	if r := run(t, dir, "alerts", "--as-of", day(-41)); r.code != 0 || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("alerts --as-of before every operation: want exit 0 and a header, got %v", r)
	}
	for _, bad := range [][]string{
		{"--window", "0d"}, {"--horizon", "soon"}, {"--as-of", "2024-02-30"}, {"--location", "nowhere"}, {"-o", "xml"}, {"PA"},
	} {
		if r := run(t, dir, append([]string{"alerts"}, bad...)...); r.code != 2 || r.stdout != "" {
			t.Errorf("alerts %q: want exit 2 and nothing written, got %v", bad, r)
		}
		if bad[0] == "--horizon" {
			continue
		}
		if r := run(t, dir, append([]string{"reorder"}, bad...)...); r.code != 2 || r.stdout != "" {
			t.Errorf("reorder %q: want exit 2 and nothing written, got %v", bad, r)
		}
	}
	// A data directory with no ledger is unavailable on the embedded broker; on a cluster
	// the ledger is the topic (see TestClosePeriodNeedsALedger).
	for _, cmd := range []string{"alerts", "reorder"} {
		if testkafka.Real() {
			break
		}
		if r := run(t, t.TempDir(), cmd); r.code != 3 || !strings.Contains(r.stderr, "no ledger at") {
			t.Errorf("%s with no ledger: want exit 3 and no ledger, got %v", cmd, r)
		}
	}

	// reorder: the rule, per stock: stock, units sold in the 28 days, min, reorder, lead.
	want := map[string]string{
		"PA": suggested(44, 56, 0, 0, 0, 28),
		"PB": suggested(0, 10, 0, 0, 0, 28),
		"PC": suggested(36, 14, 40, 100, 10, 28),
		"PD": suggested(30, 0, 50, 0, 0, 28),
		"PE": suggested(1, 19, 0, 0, 0, 28),
		"PF": suggested(499, 1, 0, 0, 0, 28),
	}
	r = mustRun(t, dir, "reorder", "-o", "csv")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if lines[0] != "product,location,stock,minimum,daily_rate,days_of_cover,suggested_quantity" {
		t.Errorf("reorder -o csv header: %q", lines[0])
	}
	got := map[string]string{}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		got[f[0]] = f[6]
	}
	for p, w := range want {
		if w == "0.00" {
			if _, listed := got[p]; listed {
				t.Errorf("reorder lists %s (%s), want nothing to order", p, got[p])
			}
			continue
		}
		if got[p] != w {
			t.Errorf("reorder: %s %q, want %s\n%s", p, got[p], w, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "\nPC,,36.00,40.00,0.50,72.0,100.00\n") {
		t.Errorf("reorder -o csv: want PC's line with its figures, its reorder quantity 100:\n%s", r.stdout)
	}
}
