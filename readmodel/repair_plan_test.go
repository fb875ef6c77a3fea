package readmodel

import (
	"strings"
	"testing"
)

// TestRepairPlans: deciding and applying a void reads and updates the rows of one
// product and one date through ledger_product_date (partial: rows in effect), not every
// row of the product through ledger_product: a product with a long history would make
// each repair cost its whole history (measured: 70% of a replay with 20% repairs, 200,000
// events over 500 products, went to these queries before the index). The original
// operations view does not use it.
func TestRepairPlans(t *testing.T) {
	d := openPlanDB(t)
	for _, tc := range []struct {
		name, query string
		args        []any
		want, none  string
	}{
		{"target's date rows", `SELECT min(date_cents) FROM ledger WHERE product_id = ?1 AND business_date = ?2 AND voided_by IS NULL AND product_seq < ?3`,
			[]any{"P1", "2024-05-01 00:00:00", 3}, "USING INDEX ledger_product_date (product_id=? AND business_date=? AND product_seq<?)", "ledger_product "},
		{"void's later rows", `UPDATE ledger SET date_cents = date_cents - ?1 WHERE product_id = ?2 AND business_date = ?3
			AND voided_by IS NULL AND product_seq > (SELECT product_seq FROM ledger WHERE event_id = ?4)`,
			[]any{1, "P1", "2024-05-01 00:00:00", "e"}, "USING INDEX ledger_product_date (product_id=? AND business_date=? AND product_seq>?)", "SCAN ledger"},
		{"operations view", `SELECT * FROM operations`, nil, "", "ledger_product_date"},
	} {
		got := queryPlan(t, d, tc.query, tc.args...)
		if !strings.Contains(got, tc.want) || strings.Contains(got, tc.none) {
			t.Errorf("%s: plan\n%s\nwant %q, not %q", tc.name, got, tc.want, tc.none)
		}
	}
}
