package readmodel_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
)

// repairEv is a record of one event of product P1 in partition 0 at offset off, dated
// 2024-05-day.
func repairEv(t *testing.T, typ domain.EventType, qty string, seq int64, off int64, day int, target string) domain.Record {
	t.Helper()
	e := domain.Event{Type: typ, ID: fmt.Sprintf("e%d", off), CommandID: fmt.Sprintf("c%d", off), Product: testfix.Product(t, "P1"),
		ExpectedSeq: seq, BusinessDate: domain.NewBusinessDate(time.Date(2024, 5, day, 0, 0, 0, 0, time.UTC)),
		RecordedAt: time.Date(2024, 5, 9, 12, 0, 0, 0, time.UTC), RecordedBy: "test", Target: target}
	switch typ {
	case domain.TypeOperationVoided, domain.TypeOperationCorrected, domain.TypeStockCounted:
		e.Reason = "typo"
	case domain.TypeStockAdjusted:
		e.Reason, e.Out = "lost", true
	}
	if qty != "0" && qty != "" {
		e.Quantity = testfix.Quantity(t, qty)
	}
	return testfix.Record(t, domain.Position{Partition: 0, Offset: off}, e)
}

// rows returns every row of the tables a repair changes, balances and repairs included.
func repairRows(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	for _, table := range []string{"ledger", "balances", "repairs", "stock", "product_totals", "day_totals"} {
		rows, err := db.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals, ptrs := make([]any, len(cols)), make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			if table == "ledger" {
				vals[0] = nil // the row ID records the order rows were written in
			}
			out = append(out, fmt.Sprintf("%s: %v", table, vals))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// TestRepairBatchRollsBackWhole: a batch of voids, a correction, a count and an
// adjustment fails at its last repair (a trigger raises on its repairs row), after the
// others changed the balances. Nothing of it may stay: in a replay's bulk load the
// timelines in memory must be taken back too (a void's reshaped date and the corrected
// operation's new one), so the batch applied again gives the model of one clean run,
// balances and repairs included.
func TestRepairBatchRollsBackWhole(t *testing.T) {
	ctx := context.Background()
	const R, S, V, C = domain.TypeStockRestocked, domain.TypeStockSold, domain.TypeOperationVoided, domain.TypeOperationCorrected
	baseline := []domain.Record{
		repairEv(t, R, "10", 1, 0, 1, ""), repairEv(t, S, "4", 2, 1, 3, ""), repairEv(t, R, "5", 3, 2, 2, ""),
		repairEv(t, S, "1", 4, 3, 2, ""),
	}
	batch := []domain.Record{
		repairEv(t, V, "", 5, 4, 0, "e2"),                       // void the restock of 05-02: its date keeps the sale
		repairEv(t, C, "3", 6, 5, 1, "e1"),                      // the sale of 05-03 moves to 05-01, 3 not 4
		repairEv(t, domain.TypeStockCounted, "7", 7, 6, 2, ""),  // count on 05-02
		repairEv(t, domain.TypeStockAdjusted, "1", 8, 7, 4, ""), // lost 1 on 05-04
		repairEv(t, S, "1", 9, 8, 6, ""),                        // a sale on a new date
		repairEv(t, V, "", 10, 9, 0, "e6"),                      // void the count: fails once
		repairEv(t, C, "2", 11, 10, 7, "e8"),                    // the new sale moves to 05-07
	}
	for kind, newStore := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			s, want := newStore(t), newStore(t)
			for _, b := range [][]domain.Record{baseline, batch} {
				if _, err := want.ledger.Apply(ctx, b); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.ledger.Apply(ctx, baseline); err != nil {
				t.Fatal(err)
			}
			raw := readmodel.RawDB(s.db)
			before := dump(t, raw)
			if _, err := raw.Exec(`CREATE TRIGGER fail BEFORE INSERT ON repairs WHEN NEW.event_id = 'e9' BEGIN SELECT RAISE(ABORT, 'injected'); END`); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ledger.Apply(ctx, batch); err == nil || !strings.Contains(err.Error(), "injected") {
				t.Fatalf("Apply with the last void failing = %v, want the injected failure", err)
			}
			if after := dump(t, raw); after != before {
				t.Fatalf("a failed batch of repairs changed the model:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if _, err := raw.Exec(`DROP TRIGGER fail`); err != nil {
				t.Fatal(err)
			}
			stats, err := s.ledger.Apply(ctx, batch)
			if err != nil || stats.Accepted != len(batch) {
				t.Fatalf("the batch applied again: %+v, %v; want %d accepted", stats, err, len(batch))
			}
			s.finish(t)
			want.finish(t)
			got, clean := repairRows(t, s.db.Path()), repairRows(t, want.db.Path())
			if got != clean {
				t.Fatalf("the model after a failed batch of repairs and its retry:\n%s\nwant, as one clean run:\n%s", got, clean)
			}
			for _, line := range []string{"repairs: [e9 OperationVoided", "balances: [P1 2024-05-07 00:00:00 300 -200 300 300]"} {
				if !strings.Contains(got, line) {
					t.Errorf("the model lacks %q:\n%s", line, got)
				}
			}
		})
	}
}
