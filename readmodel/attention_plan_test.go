package readmodel

import (
	"strings"
	"testing"
)

// TestSoldInReadsTheIndexAlone: the sales of a forecast's window are summed from
// ledger_sales alone (a covering index), never from the table: a 28-day window of a
// million-operation year is about 80,000 sales, each a lookup in the table through
// ledger_date (the dashboard's panel pays it on every render).
func TestSoldInReadsTheIndexAlone(t *testing.T) {
	plan := queryPlan(t, openPlanDB(t), soldInSQL, "2024-05-01 00:00:00", "2024-05-28 23:59:59")
	if !strings.Contains(plan, "USING COVERING INDEX ledger_sales (business_date>? AND business_date<?)") {
		t.Errorf("the window's sales are not read from ledger_sales alone; plan:\n%s", plan)
	}
}
