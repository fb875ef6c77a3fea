package readmodel

import (
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/domain"
)

// TestAsOfPlans: the as-of queries read what they need through the indexes, whatever the
// model holds (the read model has no statistics, so the planner decides alike on an empty
// model and on 1,000,000 operations). Stock as of a date probes balances' primary key
// once per product, stock the outer loop; a history reads one product's ledger rows
// through ledger_product, never every product's rows of a date through ledger_date.
func TestAsOfPlans(t *testing.T) {
	d := openPlanDB(t)
	date, _ := domain.ParseBusinessDate("2024-05-01 23:59:59")
	known := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		query    func() (string, []any)
		want     []string
		wantNone []string
	}{
		{"stock as of, every product", func() (string, []any) { return stockAtQuery(asof.Moment{Date: date}, nil) },
			[]string{"SCAN s USING COVERING INDEX", "SEARCH b USING PRIMARY KEY (product_id=? AND business_date=?)", "SEARCH balances USING PRIMARY KEY (product_id=? AND business_date<?)"},
			[]string{"SCAN b", "SCAN balances", "TEMP B-TREE"}},
		{"stock as of, one product", func() (string, []any) { return stockAtQuery(asof.Moment{Date: date}, []string{"P1"}) },
			[]string{"SEARCH s USING COVERING INDEX", "SEARCH b USING PRIMARY KEY (product_id=? AND business_date=?)"},
			[]string{"SCAN"}},
		{"stock known at, every product", func() (string, []any) { return stockAtQuery(asof.Moment{KnownAt: known}, nil) },
			[]string{"SCAN ledger"}, []string{"INDEX"}},
		{"stock known at as of, one product", func() (string, []any) {
			return stockAtQuery(asof.Moment{Date: date, KnownAt: known}, []string{"P1"})
		}, []string{"SEARCH ledger USING INDEX ledger_product (product_id=?)"}, []string{"ledger_date", "SCAN"}},
		{"history", func() (string, []any) { return historyQuery("P1", asof.Moment{}) },
			[]string{"SEARCH l USING INDEX ledger_product (product_id=?)", "SEARCH b USING PRIMARY KEY (product_id=? AND business_date=?)"},
			[]string{"ledger_date", "SCAN"}},
		{"history as of", func() (string, []any) { return historyQuery("P1", asof.Moment{Date: date}) },
			[]string{"SEARCH l USING INDEX ledger_product (product_id=?)", "SEARCH b USING PRIMARY KEY (product_id=? AND business_date=?)"},
			[]string{"ledger_date", "SCAN"}},
		{"history known at as of", func() (string, []any) { return historyQuery("P1", asof.Moment{Date: date, KnownAt: known}) },
			[]string{"SEARCH l USING INDEX ledger_product (product_id=?)"}, []string{"ledger_date", "SCAN l", "SCAN ledger"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query, args := tc.query()
			got := queryPlan(t, d, query, args...)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("plan lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tc.wantNone {
				if strings.Contains(got, w) {
					t.Errorf("plan has %q:\n%s", w, got)
				}
			}
		})
	}
}
