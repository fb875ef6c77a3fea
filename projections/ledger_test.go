package projections_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// MustOpenDB opens a read model for one test; the builder is shared (internal/testfix),
// the name kept for this package's tests.
var MustOpenDB = testfix.MustOpenDB

// event builds a valid event record for product p at the given partition and offset.
func event(tb testing.TB, typ domain.EventType, p, qty string, seq int64, cmd string, part int32, off int64) domain.Record {
	tb.Helper()
	return testfix.Record(tb, domain.Position{Partition: part, Offset: off}, domain.Event{
		Type: typ, ID: cmd + "-e" + string(rune('a'+off%26)), CommandID: cmd, Product: testfix.Product(tb, p), Quantity: testfix.Quantity(tb, qty), ExpectedSeq: seq,
		BusinessDate: domain.NewBusinessDate(time.Date(2024, 1, 1+int(off), 0, 0, 0, 0, time.UTC)),
		RecordedAt:   time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), RecordedBy: "test",
	})
}

func raw(part int32, off int64, key, value string) domain.Record {
	return domain.Record{Position: domain.Position{Partition: part, Offset: off}, Key: []byte(key), Value: []byte(value)}
}

func level(tb testing.TB, db *readmodel.DB, p string) string {
	tb.Helper()
	pid, _ := domain.ParseProductID(p)
	s, err := db.Snapshot(context.Background(), pid)
	if err != nil {
		tb.Fatal(err)
	}
	return s.Level.String()
}

func TestLedgerAppliesTheLogRule(t *testing.T) {
	const R, S = domain.TypeStockRestocked, domain.TypeStockSold
	tests := []struct {
		name                        string
		records                     func(t *testing.T) []domain.Record
		stock                       string
		accepted, rejected, skipped int
		reasons                     []string
	}{
		{
			name: "restock then sale",
			records: func(t *testing.T) []domain.Record {
				return []domain.Record{event(t, R, "P1", "10", 1, "c1", 0, 0), event(t, S, "P1", "3", 2, "c2", 0, 1)}
			},
			stock: "7.00", accepted: 2,
		},
		{
			name: "two writers expected the same sequence: the second is a conflict",
			records: func(t *testing.T) []domain.Record {
				return []domain.Record{event(t, R, "P1", "10", 1, "c1", 0, 0),
					event(t, S, "P1", "3", 2, "c2", 0, 1), event(t, S, "P1", "4", 2, "c3", 0, 2)}
			},
			stock: "7.00", accepted: 2, rejected: 1, reasons: []string{"sequence_conflict"},
		},
		{
			name: "a sale the stock cannot cover is rejected",
			records: func(t *testing.T) []domain.Record {
				return []domain.Record{event(t, R, "P1", "2", 1, "c1", 0, 0), event(t, S, "P1", "3", 2, "c2", 0, 1)}
			},
			stock: "2.00", accepted: 1, rejected: 1, reasons: []string{"insufficient_stock"},
		},
		{
			name: "a command accepted once is never applied again",
			records: func(t *testing.T) []domain.Record {
				return []domain.Record{event(t, R, "P1", "10", 1, "c1", 0, 0), event(t, R, "P1", "10", 2, "c1", 0, 1)}
			},
			stock: "10.00", accepted: 1, rejected: 1, reasons: []string{"duplicate_command"},
		},
		{
			name: "records that are not stockctl events are skipped and counted",
			records: func(t *testing.T) []domain.Record {
				return []domain.Record{
					raw(0, 0, "1", `{"operation_date":"2023-01-15","product_ID":"1","operation_qt":-12,"stock":12,"operation_type":"sales"}`),
					raw(0, 1, "", ""),
					raw(0, 2, "x", "\x00\xff garbage"),
					raw(0, 3, "P1", `{"type":"StockMoved","schema_version":1}`),
					raw(0, 4, "P1", `{"type":"StockSold","schema_version":2}`),
					event(t, R, "P1", "5", 1, "c1", 0, 5),
					func() domain.Record { r := event(t, R, "P1", "5", 2, "c2", 0, 6); r.Key = []byte("P2"); return r }(),
				}
			},
			stock: "5.00", accepted: 1, skipped: 6,
		},
		{
			name: "records already applied are ignored when delivered again",
			records: func(t *testing.T) []domain.Record {
				a, b := event(t, R, "P1", "10", 1, "c1", 0, 0), event(t, S, "P1", "1", 2, "c2", 0, 1)
				return []domain.Record{a, b, a, b}
			},
			stock: "9.00", accepted: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			stats, err := projections.NewLedger(db).Apply(context.Background(), tt.records(t))
			if err != nil {
				t.Fatal(err)
			}
			if stats.Accepted != tt.accepted || stats.Rejected != tt.rejected || stats.Skipped != tt.skipped {
				t.Errorf("stats = %+v, want %d accepted, %d rejected, %d skipped", stats, tt.accepted, tt.rejected, tt.skipped)
			}
			if got := level(t, db, "P1"); got != tt.stock {
				t.Errorf("stock = %s, want %s", got, tt.stock)
			}
			hist, err := db.History(context.Background(), "P1")
			if err != nil {
				t.Fatal(err)
			}
			var reasons []string
			for _, h := range hist {
				if h.Status == "rejected" {
					reasons = append(reasons, h.Reason)
				}
			}
			if strings.Join(reasons, ",") != strings.Join(tt.reasons, ",") {
				t.Errorf("rejection reasons = %v, want %v", reasons, tt.reasons)
			}
		})
	}
}

// A batch whose transaction cannot begin (a cancelled context) changes nothing, offsets
// included, and applying it again gives the state of a single clean run. A batch failing
// part-way, inside its transaction, is readmodel's TestProjectBatchIsAtomic.
func TestLedgerBatchIsAtomic(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	l := projections.NewLedger(db)
	good := event(t, domain.TypeStockRestocked, "P1", "10", 1, "c1", 0, 0)
	if _, err := l.Apply(ctx, []domain.Record{good}); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	sale := event(t, domain.TypeStockSold, "P1", "4", 2, "c2", 0, 1)
	if _, err := l.Apply(cctx, []domain.Record{sale}); err == nil {
		t.Fatal("Apply with a cancelled context succeeded")
	}
	offs, err := db.Offsets(ctx)
	if err != nil || offs[0] != 1 || level(t, db, "P1") != "10.00" {
		t.Fatalf("after a failed batch: offsets %v, stock %s; want offset 1 and stock 10.00", offs, level(t, db, "P1"))
	}
	if _, err := l.Apply(ctx, []domain.Record{good, sale}); err != nil {
		t.Fatal(err)
	}
	if got := level(t, db, "P1"); got != "6.00" {
		t.Fatalf("stock after the retried batch = %s, want 6.00", got)
	}
}

// An event found in another partition than its key hashes to is skipped: its order
// against the product's other events would depend on read timing.
func TestLedgerSkipsEventsInTheWrongPartition(t *testing.T) {
	db := MustOpenDB(t)
	l := projections.NewLedger(db)
	l.CheckPartitions(func([]byte) int32 { return 0 })
	stats, err := l.Apply(context.Background(), []domain.Record{
		event(t, domain.TypeStockRestocked, "P1", "10", 1, "c1", 0, 0),
		event(t, domain.TypeStockRestocked, "P1", "5", 2, "c2", 1, 0),
	})
	if err != nil || stats.Accepted != 1 || stats.Skipped != 1 {
		t.Fatalf("stats = %+v, %v; want 1 accepted and 1 skipped", stats, err)
	}
	if got := level(t, db, "P1"); got != "10.00" {
		t.Fatalf("stock = %s, want 10.00", got)
	}
}

// A product whose only events were rejected has no stock line, and its first valid
// event is accepted later.
func TestRejectedFirstEventLeavesNoStockLine(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	l := projections.NewLedger(db)
	if _, err := l.Apply(ctx, []domain.Record{event(t, domain.TypeStockSold, "Z1", "1", 1, "c1", 0, 0)}); err != nil {
		t.Fatal(err)
	}
	levels, err := db.StockLevels(ctx)
	if err != nil || len(levels) != 0 {
		t.Fatalf("stock levels after a rejected first event = %+v, %v; want none", levels, err)
	}
	stats, err := l.Apply(ctx, []domain.Record{event(t, domain.TypeStockRestocked, "Z1", "5", 1, "c2", 0, 1)})
	if err != nil || stats.Accepted != 1 || level(t, db, "Z1") != "5.00" {
		t.Fatalf("restock after the rejection: %+v, %v; want accepted, stock 5.00", stats, err)
	}
}

// A command accepted before is checked by the aggregate first: its rejection gives the
// check's reason when the event also breaks the rule, and duplicate_command only when it
// alone is wrong — in one batch or across batches, by a shared or an exclusive ledger.
func TestDuplicateCommandIsJudgedAfterTheCheck(t *testing.T) {
	const R, S = domain.TypeStockRestocked, domain.TypeStockSold
	want := []string{"sequence_conflict", "insufficient_stock", "duplicate_command"}
	for _, exclusive := range []bool{false, true} {
		for _, split := range []bool{false, true} {
			t.Run(fmt.Sprintf("exclusive=%v,split=%v", exclusive, split), func(t *testing.T) {
				ctx := context.Background()
				db := MustOpenDB(t)
				l := projections.NewLedger(db)
				if exclusive {
					l = projections.NewExclusiveLedger(db)
				}
				records := []domain.Record{
					event(t, R, "P1", "10", 1, "c1", 0, 0),
					event(t, R, "P1", "5", 1, "c1", 0, 1),  // sequence taken, and a duplicate
					event(t, S, "P1", "20", 2, "c1", 0, 2), // more than the stock, and a duplicate
					event(t, R, "P1", "1", 2, "c1", 0, 3),  // valid but for being a duplicate
				}
				batches := [][]domain.Record{records}
				if split {
					batches = [][]domain.Record{records[:1], records[1:]}
				}
				for _, b := range batches {
					if _, err := l.Apply(ctx, b); err != nil {
						t.Fatal(err)
					}
				}
				if got := level(t, db, "P1"); got != "10.00" {
					t.Errorf("stock = %s, want 10.00", got)
				}
				hist, err := db.History(ctx, "P1")
				if err != nil {
					t.Fatal(err)
				}
				var reasons []string
				for _, h := range hist {
					if h.Status == "rejected" {
						reasons = append(reasons, h.Reason)
					}
				}
				if strings.Join(reasons, ",") != strings.Join(want, ",") {
					t.Errorf("rejection reasons = %v, want %v", reasons, want)
				}
			})
		}
	}
}
