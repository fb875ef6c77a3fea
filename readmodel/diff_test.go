package readmodel_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
)

// ev is the log record of an event of product p at partition part, offset off.
func ev(t *testing.T, typ domain.EventType, p, qty string, seq int64, cmd string, part int32, off int64) domain.Record {
	t.Helper()
	return testfix.Record(t, domain.Position{Partition: part, Offset: off}, domain.Event{
		Type: typ, ID: cmd + "-e", CommandID: cmd, Product: testfix.Product(t, p), Quantity: testfix.Quantity(t, qty),
		ExpectedSeq: seq, BusinessDate: domain.NewBusinessDate(time.Date(2024, 3, 1+int(off), 0, 0, 0, 0, time.UTC)),
		RecordedAt: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC), RecordedBy: "test",
	})
}

// everyTableLog is a log that leaves rows in every table a read model compares: accepted
// operations of two products in two partitions, a rejection, a skipped record and a gap.
func everyTableLog(t *testing.T) []domain.Record {
	const R, S = domain.TypeStockRestocked, domain.TypeStockSold
	return []domain.Record{
		ev(t, R, "P1", "10", 1, "c1", 0, 0),
		ev(t, R, "P2", "5", 1, "c2", 1, 0),
		ev(t, S, "P1", "3", 2, "c3", 0, 1),
		ev(t, S, "P2", "50", 2, "c4", 1, 1), // more than the stock: rejected
		{Position: domain.Position{Partition: 0, Offset: 2}, Key: []byte("x"), Value: []byte("not json")},
		{Position: domain.Position{Partition: 1, Offset: 2}, Gap: domain.GapMissing, GapLast: 3},
		ev(t, S, "P2", "1", 2, "c5", 1, 4),
		thresholdRecord(t, "P1", "7", 0, 3), // at the stock: a crossing
	}
}

// thresholdRecord is the record of a ThresholdSet of p's total with minimum min.
func thresholdRecord(t *testing.T, p, min string, part int32, off int64) domain.Record {
	t.Helper()
	e, err := domain.SetThreshold(domain.Threshold{Product: testfix.Product(t, p), Min: testfix.Quantity(t, min)}, domain.Metadata{
		EventID: "t-" + p + "-e", CommandID: "t-" + p, BusinessDate: domain.NewBusinessDate(time.Date(2024, 3, 9, 0, 0, 0, 0, time.UTC)),
		RecordedAt: time.Date(2024, 3, 9, 12, 0, 0, 0, time.UTC), RecordedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return testfix.Record(t, domain.Position{Partition: part, Offset: off}, e)
}

// modelOf projects records into a new read model bound to a topic, as a live one is.
func modelOf(t *testing.T, records []domain.Record) *readmodel.DB {
	t.Helper()
	db := MustOpenDB(t)
	if err := db.BindLog(context.Background(), "stock.events", 2); err != nil {
		t.Fatal(err)
	}
	testfix.Apply(t, db, records)
	return db
}

// exec runs statements on the model's file through a connection of its own, as another
// program (a sqlite3 shell) would.
func exec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range stmts {
		res, err := raw.Exec(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			t.Fatalf("%s changed %d rows (%v), want exactly 1", s, n, err)
		}
	}
}

// TestDiffFindsOneChangedRowInEachTable changes one row of one table of a model and
// expects Diff to find it, naming that table and no other; a change to the columns that
// only say when or in what order rows were written is no difference. With a table left
// out of the comparison, its case fails: this is what `stockctl verify` rests on.
func TestDiffFindsOneChangedRowInEachTable(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		table  string // "" : no difference expected
		change string
	}{
		{"ledger", `UPDATE ledger SET note = 'tampered' WHERE command_id = 'c3'`},
		{"ledger", `UPDATE ledger SET stock_cents = stock_cents + 1 WHERE command_id = 'c1'`},
		{"stock", `UPDATE stock SET stock_cents = stock_cents + 100 WHERE product_id = 'P1'`},
		{"stock", `UPDATE stock SET seq = seq + 1 WHERE product_id = 'P2'`},
		{"product_totals", `UPDATE product_totals SET sales = sales + 1 WHERE product_id = 'P1'`},
		{"day_totals", `UPDATE day_totals SET restocked_cents = restocked_cents + 1 WHERE day = '2024-03-01'`},
		{"offsets", `UPDATE offsets SET next_offset = next_offset + 1 WHERE partition = 0`},
		{"rejected_events", `UPDATE rejected_events SET reason = 'sequence_conflict' WHERE command_id = 'c4'`},
		{"skipped_records", `UPDATE skipped_records SET detail = 'tampered' WHERE partition = 0`},
		{"log_gaps", `UPDATE log_gaps SET last_offset = 2 WHERE partition = 1`},
		{"meta", `UPDATE meta SET value = 'other.events' WHERE key = 'topic'`},
		{"thresholds", `UPDATE thresholds SET min_cents = 800 WHERE product_id = 'P1'`},
		{"crossings", `UPDATE crossings SET stock_cents = 699 WHERE product_id = 'P1'`},
		{"", `INSERT INTO notified (partition, next_offset, updated_at) VALUES (0, 4, 'now')`},
		{"", `UPDATE ledger SET id = id + 1000 WHERE command_id = 'c3'`},
		{"", `UPDATE offsets SET updated_at = 'yesterday' WHERE partition = 1`},
	}
	log := everyTableLog(t)
	for _, tt := range tests {
		t.Run(tt.table+":"+tt.change, func(t *testing.T) {
			a, b := modelOf(t, log), modelOf(t, log)
			if d, err := readmodel.Diff(ctx, a, b, 10); err != nil || len(d) != 0 {
				t.Fatalf("two models of one log differ before the change: %q, %v", d, err)
			}
			exec(t, b.Path(), tt.change)
			diffs, err := readmodel.Diff(ctx, a, b, 10)
			if err != nil {
				t.Fatal(err)
			}
			if tt.table == "" {
				if len(diffs) != 0 {
					t.Fatalf("Diff after a change to a column that is not compared = %q, want none", diffs)
				}
				return
			}
			// An updated row is a row only in each model.
			if len(diffs) != 2 {
				t.Errorf("Diff after one changed row of %s = %q, want 2 lines (the row in each model)", tt.table, diffs)
			}
			for _, d := range diffs {
				if !strings.HasPrefix(d, tt.table+": only in ") {
					t.Errorf("Diff after one changed row of %s: %q does not name that table", tt.table, d)
				}
			}
			// The files compare alike, as verify compares a snapshot with a rebuild.
			files, err := readmodel.DiffFiles(ctx, b.Path(), "tampered", a.Path(), 10)
			if err != nil || len(files) != 2 || !strings.HasPrefix(files[0], tt.table+": only in ") {
				t.Errorf("DiffFiles after one changed row of %s = %q, %v", tt.table, files, err)
			}
		})
	}
}
