package readmodel_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
)

// repairBase is when the first step of a repairLedger is recorded; step i is recorded
// i hours later, so a test can ask what the ledger knew between two steps.
var repairBase = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

// knownAfter is the moment just after step i was recorded, before step i+1.
func knownAfter(i int) time.Time { return repairBase.Add(time.Duration(i)*time.Hour + time.Minute) }

// repairLedger builds a read model through the ledger projection from steps, appended in
// the order given, step i with event ID "e<i>" and recorded at repairBase + i hours:
//
//	restock DATE P QTY        sell DATE P QTY
//	void N REASON             correct N QTY DATE
//	count DATE P QTY          adjust DATE P ±QTY REASON
//
// where N is the index of the step repaired and DATE is YYYY-MM-DD. Every step must be
// accepted.
func repairLedger(tb testing.TB, steps ...string) *readmodel.DB {
	tb.Helper()
	db := testfix.MustOpenDB(tb)
	seq := map[string]int64{}
	products := map[int]string{}
	var records []domain.Record
	day := func(s string) domain.BusinessDate {
		d, err := domain.ParseBusinessDate(s)
		if err != nil {
			tb.Fatal(err)
		}
		return d
	}
	for i, step := range steps {
		f := strings.Fields(step)
		e := domain.Event{ID: fmt.Sprint("e", i), CommandID: fmt.Sprint("c", i), RecordedAt: repairBase.Add(time.Duration(i) * time.Hour), RecordedBy: "clerk"}
		switch f[0] {
		case "restock", "sell", "count", "adjust":
			e.BusinessDate, e.Product = day(f[1]), testfix.Product(tb, f[2])
			qty := f[3]
			e.Type = map[string]domain.EventType{"restock": domain.TypeStockRestocked, "sell": domain.TypeStockSold,
				"count": domain.TypeStockCounted, "adjust": domain.TypeStockAdjusted}[f[0]]
			if f[0] == "adjust" {
				e.Out, qty, e.Reason = strings.HasPrefix(qty, "-"), strings.TrimLeft(qty, "+-"), f[4]
			}
			e.Quantity = testfix.Quantity(tb, qty)
			products[i] = f[2]
		case "void", "correct":
			var n int
			fmt.Sscan(f[1], &n)
			e.Target, e.Product = fmt.Sprint("e", n), testfix.Product(tb, products[n])
			products[i] = products[n]
			e.Type, e.Reason = domain.TypeOperationVoided, f[2]
			if f[0] == "correct" {
				e.Type, e.Reason = domain.TypeOperationCorrected, "typo"
				e.Quantity, e.BusinessDate = testfix.Quantity(tb, f[2]), day(f[3])
			} else {
				// A void is dated as its target is.
				e.BusinessDate = day(dateOf(steps[n]))
			}
		default:
			tb.Fatalf("step %q", step)
		}
		seq[products[i]]++
		e.ExpectedSeq = seq[products[i]]
		records = append(records, testfix.Record(tb, domain.Position{Offset: int64(i)}, e))
	}
	testfix.Apply(tb, db, records)
	raw := rawDB(tb, db)
	rows, err := raw.Query(`SELECT event_id, reason, detail FROM rejected_events`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, reason, detail string
		rows.Scan(&id, &reason, &detail)
		tb.Errorf("%s rejected: %s: %s", id, reason, detail)
	}
	if tb.Failed() {
		tb.FailNow()
	}
	return db
}

// dateOf is the date of an operation step: its second field.
func dateOf(step string) string { return strings.Fields(step)[1] }

// rawDB opens the model's file for plain SQL, as a user's sqlite3 would.
func rawDB(tb testing.TB, db *readmodel.DB) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite", db.Path())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

// queryLines runs q and writes each row's columns joined by spaces.
func queryLines(tb testing.TB, raw *sql.DB, q string, args ...any) []string {
	tb.Helper()
	rows, err := raw.Query(q, args...)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		var parts []string
		for _, v := range vals {
			parts = append(parts, fmt.Sprint(v))
		}
		out = append(out, strings.Join(parts, " "))
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
