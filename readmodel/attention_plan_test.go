package readmodel

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestSoldInReadsTheIndexAlone: the sales of a forecast's window are summed from
// ledger_sales alone (a covering index), never from the table: a 28-day window of a
// million-operation year is about 80,000 sales, each a lookup in the table through
// ledger_date (the dashboard's panel pays it on every render).
func TestSoldInReadsTheIndexAlone(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "operations.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+soldInSQL, "2024-05-01 00:00:00", "2024-05-28 23:59:59")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if plan := strings.Join(lines, "\n"); !strings.Contains(plan, "USING COVERING INDEX ledger_sales (business_date>? AND business_date<?)") {
		t.Errorf("the window's sales are not read from ledger_sales alone; plan:\n%s", plan)
	}
}
