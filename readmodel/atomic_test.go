package readmodel_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// atomicLog is a baseline batch and a batch with two rows for each table a batch writes:
// accepted operations, rejections, skipped records and gaps in two partitions.
func atomicLog(t *testing.T) (baseline, batch []domain.Record) {
	const R, S = domain.TypeStockRestocked, domain.TypeStockSold
	baseline = []domain.Record{ev(t, R, "P1", "10", 1, "c1", 0, 0), ev(t, R, "P2", "5", 1, "c2", 1, 0)}
	batch = []domain.Record{
		ev(t, S, "P1", "3", 2, "b1", 0, 1),
		ev(t, S, "P2", "1", 2, "b2", 1, 1),
		ev(t, S, "P1", "100", 3, "b3", 0, 2), // more than the stock: rejected
		ev(t, S, "P2", "100", 3, "b4", 1, 2),
		{Position: domain.Position{Partition: 0, Offset: 3}, Key: []byte("x"), Value: []byte("not json")},
		{Position: domain.Position{Partition: 1, Offset: 3}, Key: []byte("x"), Value: []byte("not json")},
		{Position: domain.Position{Partition: 0, Offset: 4}, Gap: domain.GapMissing, GapLast: 5},
		{Position: domain.Position{Partition: 1, Offset: 4}, Gap: domain.GapMissing, GapLast: 5},
		ev(t, R, "P1", "1", 3, "b5", 0, 6),
		ev(t, R, "P2", "1", 3, "b6", 1, 6),
	}
	return baseline, batch
}

// store is a model as one kind of run writes it, with the ledger that writes it there.
type store struct {
	db     *readmodel.DB
	ledger *projections.Ledger
	finish func(t *testing.T) // makes the file final, as a replay's Finish does
}

var storeKinds = map[string]func(t *testing.T) store{
	// project, serve: a live model, a ledger reading stock back from it.
	"shared": func(t *testing.T) store {
		db := MustOpenDB(t)
		return store{db, projections.NewLedger(db), func(*testing.T) {}}
	},
	// replay, verify: a model built alone, stock and seen commands kept in memory.
	"exclusive": func(t *testing.T) store {
		db, err := readmodel.Create(context.Background(), filepath.Join(t.TempDir(), "operations.db.replay"))
		if err != nil {
			t.Fatal(err)
		}
		return store{db, projections.NewExclusiveLedger(db), func(t *testing.T) {
			if err := db.Finish(context.Background()); err != nil {
				t.Fatal(err)
			}
		}}
	},
}

// dump is every row of every table a batch writes, sorted.
func dump(t *testing.T, db *sql.DB) string {
	t.Helper()
	var out []string
	for _, table := range []string{"ledger", "stock", "product_totals", "day_totals", "offsets", "rejected_events", "skipped_records", "log_gaps"} {
		rows, err := db.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
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

// TestProjectBatchIsAtomic makes the second row a batch writes to one table fail inside
// the transaction (a trigger raises on it, after the batch's other writes), and expects
// the model unchanged, every table and the offsets; then the same batch applied again by
// the same ledger gives the model of one clean run. A Project that commits after a
// failure, a ledger that goes on past a failed row, or an exclusive ledger whose stock in
// memory outlives the rollback fails it.
func TestProjectBatchIsAtomic(t *testing.T) {
	ctx := context.Background()
	baseline, batch := atomicLog(t)
	failures := map[string]string{
		// Ledger rows are buffered and written at the end, after everything else.
		"ledger":          `CREATE TRIGGER fail BEFORE INSERT ON ledger WHEN NEW.command_id = 'b2' BEGIN SELECT RAISE(ABORT, 'injected'); END`,
		"rejected_events": `CREATE TRIGGER fail BEFORE INSERT ON rejected_events WHEN NEW.command_id = 'b4' BEGIN SELECT RAISE(ABORT, 'injected'); END`,
		"skipped_records": `CREATE TRIGGER fail BEFORE INSERT ON skipped_records WHEN NEW.partition = 1 BEGIN SELECT RAISE(ABORT, 'injected'); END`,
		"log_gaps":        `CREATE TRIGGER fail BEFORE INSERT ON log_gaps WHEN NEW.partition = 1 BEGIN SELECT RAISE(ABORT, 'injected'); END`,
		"stock":           `CREATE TRIGGER fail BEFORE UPDATE ON stock WHEN NEW.product_id = 'P2' BEGIN SELECT RAISE(ABORT, 'injected'); END`,
		"offsets":         `CREATE TRIGGER fail BEFORE UPDATE ON offsets WHEN NEW.partition = 1 BEGIN SELECT RAISE(ABORT, 'injected'); END`,
	}
	for kind, newStore := range storeKinds {
		for table, trigger := range failures {
			t.Run(kind+"/"+table, func(t *testing.T) {
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
				if _, err := raw.Exec(trigger); err != nil {
					t.Fatal(err)
				}
				if _, err := s.ledger.Apply(ctx, batch); err == nil || !strings.Contains(err.Error(), "injected") {
					t.Fatalf("Apply with the second row of %s failing = %v, want the injected failure", table, err)
				}
				if after := dump(t, raw); after != before {
					t.Fatalf("a batch that failed at the second row of %s changed the model:\nbefore:\n%s\nafter:\n%s", table, before, after)
				}
				if _, err := raw.Exec(`DROP TRIGGER fail`); err != nil {
					t.Fatal(err)
				}
				stats, err := s.ledger.Apply(ctx, batch)
				if err != nil || stats.Accepted != 4 || stats.Rejected != 2 || stats.Skipped != 2 || stats.Gaps != 2 {
					t.Fatalf("the batch applied again: %+v, %v; want 4 accepted, 2 rejected, 2 skipped, 2 gaps", stats, err)
				}
				s.finish(t)
				want.finish(t)
				diffs, err := readmodel.DiffFiles(ctx, s.db.Path(), "retried", want.db.Path(), 10)
				if err != nil || len(diffs) != 0 {
					t.Fatalf("the model after a failed batch and its retry differs from one clean run: %v\n%s", err, strings.Join(diffs, "\n"))
				}
			})
		}
	}
}
