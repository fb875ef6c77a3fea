package main_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// ledgerSelection is what the read model's ledger table holds for a product list (none:
// every product) and an inclusive business-date range, in export's order, as
// "date|product|type|signed cents|stock cents": the order, the stock and the filter
// computed here, apart from export's own code.
func ledgerSelection(t *testing.T, db *sql.DB, products []string, from, to string) []string {
	t.Helper()
	// The reference, computed here from the ledger's own rows: every operation in
	// business-date order (one date's by product, then in ledger order), the stock after
	// it the running sum of its product's operations so far in that order; then the
	// selection.
	rows, err := db.Query(`SELECT business_date, product_id, event_type, qty_cents FROM ledger
		ORDER BY business_date, product_id, product_seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var end string
	if to != "" {
		d, err := time.Parse("2006-01-02", to)
		if err != nil {
			t.Fatal(err)
		}
		end = d.AddDate(0, 0, 1).Format("2006-01-02")
	}
	stock := map[string]int64{}
	out := []string{}
	for rows.Next() {
		var date, product, typ string
		var qty int64
		if err := rows.Scan(&date, &product, &typ, &qty); err != nil {
			t.Fatal(err)
		}
		kind := map[string]string{"StockSold": "sales", "StockRestocked": "replenishment"}[typ]
		if typ == "StockSold" {
			qty = -qty
		}
		stock[product] += qty
		if (len(products) > 0 && !slices.Contains(products, product)) || (from != "" && date < from) || (end != "" && date >= end) {
			continue
		}
		out = append(out, fmt.Sprintf("%s|%s|%s|%d|%d", date, product, kind, qty, stock[product]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// exportedJSON runs export --format json with args and returns its operations in the
// form of ledgerSelection, failing unless each is an object of the five original fields.
func exportedJSON(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	r := mustRun(t, dir, append([]string{"export", "--format", "json"}, args...)...)
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.UseNumber()
	var objs []map[string]any
	if err := dec.Decode(&objs); err != nil || objs == nil {
		t.Fatalf("export --format json %q is not a JSON array: %v\n%s", args, err, r.stdout)
	}
	cents := func(v any) int64 {
		f, err := v.(json.Number).Float64()
		if err != nil {
			t.Fatalf("%v is not a number", v)
		}
		return int64(math.Round(f * 100))
	}
	out := []string{}
	for _, o := range objs {
		if len(o) != 5 {
			t.Fatalf("an operation has %d fields, want the original 5: %v", len(o), o)
		}
		out = append(out, fmt.Sprintf("%s|%s|%s|%d|%d", o["operation_date"], o["product_ID"], o["operation_type"],
			cents(o["operation_qt"]), cents(o["stock"])))
	}
	return out
}

// TestExportJSONFiltersMatchTheLedger: export --format json with --product (once or
// more), --from and --to, alone and together, gives exactly the ledger's rows of those
// products and business dates (both ends included), in business-date order (one date's
// by product), each with its signed quantity, its type and the stock after it in that
// order, on a generated ledger of 6 products with a backdated sale.
func TestExportJSONFiltersMatchTheLedger(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gen := filepath.Join(dir, "gen.csv")
	mustRun(t, dir, "generate", "--products", "6", "--days", "40", "--seed", "11", "--out", gen)
	mustRun(t, dir, "import", gen)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "operations.db")+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var first, last, product string
	if err := db.QueryRow(`SELECT min(business_date), max(business_date), min(product_id) FROM ledger`).Scan(&first, &last, &product); err != nil {
		t.Fatal(err)
	}
	start, err := time.Parse("2006-01-02", first[:10])
	if err != nil {
		t.Fatal(err)
	}
	day := func(n int) string { return start.AddDate(0, 0, n).Format("2006-01-02") }
	// A sale dated in the middle of the range, recorded last: ledger order is not date order.
	mustRun(t, dir, "sell", product, "0.25", "--date", day(12)+" 10:30:00")
	var others []string
	rows, err := db.Query(`SELECT DISTINCT product_id FROM ledger WHERE product_id > ? ORDER BY product_id LIMIT 2`, product)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p string
		rows.Scan(&p)
		others = append(others, p)
	}
	rows.Close()
	if len(others) != 2 {
		t.Fatalf("the generated ledger has products %q beside %q, want 2 more", others, product)
	}

	cases := []struct {
		products []string
		from, to string
	}{
		{nil, "", ""},
		{[]string{product}, "", ""},
		{[]string{others[1], product}, "", ""},
		{nil, day(12), ""},
		{nil, "", day(12)},
		{nil, day(12), day(12)},
		{[]string{product, others[0]}, day(5), day(20)},
		{nil, last[:10], ""},
		{nil, day(-10), day(-1)},
	}
	total := 0
	for _, c := range cases {
		var args []string
		for _, p := range c.products {
			args = append(args, "--product", p)
		}
		if c.from != "" {
			args = append(args, "--from", c.from)
		}
		if c.to != "" {
			args = append(args, "--to", c.to)
		}
		want := ledgerSelection(t, db, c.products, c.from, c.to)
		got := exportedJSON(t, dir, args...)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("export --format json %q: %d operations, the ledger %d; first difference %s", args, len(got), len(want), firstDiff(got, want))
		}
		total += len(want)
		t.Logf("export --format json %q: %d operations", args, len(want))
	}
	if all := len(ledgerSelection(t, db, nil, "", "")); all < 100 || total <= all {
		t.Fatalf("the ledger has %d operations and the cases select %d in all: too few to tell filters apart", all, total)
	}
}

// firstDiff describes where two lists first differ.
func firstDiff(got, want []string) string {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("at %d: got %q, want %q", i, g, w)
		}
	}
	return "none"
}
