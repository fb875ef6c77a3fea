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

// dated is an event record of product p dated day, at partition part and offset off.
func dated(tb testing.TB, typ domain.EventType, p, qty string, seq int64, day string, part int32, off int64) domain.Record {
	tb.Helper()
	d, err := domain.ParseBusinessDate(day)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := fmt.Sprintf("c%d-%d", part, off)
	return testfix.Record(tb, domain.Position{Partition: part, Offset: off}, domain.Event{
		Type: typ, ID: cmd, CommandID: cmd, Product: testfix.Product(tb, p), Quantity: testfix.Quantity(tb, qty),
		ExpectedSeq: seq, BusinessDate: d, RecordedAt: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), RecordedBy: "test",
	})
}

// closeCopy is a partition's copy of the PeriodClosed id through day, as AppendToAll writes
// it: same value in every partition, empty key.
func closeCopy(tb testing.TB, id, day string, part int32, off int64) domain.Record {
	tb.Helper()
	d, err := domain.ParseBusinessDate(day)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := domain.ClosePeriod(domain.BusinessDate{}, d, domain.Metadata{EventID: id, CommandID: id,
		RecordedAt: time.Date(2024, 4, 1, 12, 0, 0, 0, time.UTC), RecordedBy: "ana"})
	if err != nil {
		tb.Fatal(err)
	}
	return testfix.Record(tb, domain.Position{Partition: part, Offset: off}, e)
}

// closeLog holds, per partition in log order, operations and copies of a close through
// 2024-03-31: what a copy precedes in its partition is decided against the close, what it
// follows is not, whatever the dates or the other partitions say.
func closeLog(t *testing.T) [][]domain.Record {
	const R, S = domain.TypeStockRestocked, domain.TypeStockSold
	return [][]domain.Record{
		{
			dated(t, R, "P1", "10", 1, "2024-03-01", 0, 0),
			dated(t, S, "P1", "1", 2, "2024-03-20", 0, 1), // before the copy: accepted
			closeCopy(t, "close-q1", "2024-03-31", 0, 2),
			dated(t, S, "P1", "1", 3, "2024-03-25", 0, 3), // after it, dated in the period: refused
			dated(t, S, "P1", "1", 3, "2024-04-02", 0, 4), // after it, dated after the period: accepted
		},
		{
			dated(t, R, "P2", "10", 1, "2024-03-01", 1, 0),
			closeCopy(t, "close-q1", "2024-03-31", 1, 1),
			dated(t, R, "P2", "5", 2, "2024-03-31 23:59:59", 1, 2), // the closed day's last second: refused
			dated(t, R, "P2", "5", 2, "2024-04-01", 1, 3),
		},
		{
			dated(t, R, "P3", "5", 1, "2024-03-10", 2, 0),
			dated(t, R, "P3", "5", 2, "2024-03-15", 2, 1),
			dated(t, S, "P3", "2", 3, "2024-03-30", 2, 2), // before the copy, though other partitions have theirs: accepted
			closeCopy(t, "close-q1", "2024-03-31", 2, 3),
			closeCopy(t, "close-old", "2024-02-01", 2, 4), // a stale close: not forward, rejected
			dated(t, S, "P3", "1", 4, "2024-02-15", 2, 5), // dated before the stale close's day: refused all the same
		},
	}
}

// closeModel describes what a model made of closeLog: stock, every decision, the closes.
func closeModel(t *testing.T, db *readmodel.DB) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, p := range []string{"P1", "P2", "P3"} {
		hist, err := db.History(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s:", p, level(t, db, p))
		for _, h := range hist {
			fmt.Fprintf(&b, " %s/%s", h.Status, h.Reason)
		}
		b.WriteString("\n")
	}
	periods, err := db.ClosedPeriods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range periods {
		fmt.Fprintf(&b, "partition %d closed through %s by %s at offset %d\n", c.Partition, c.Through, c.EventID, c.Offset)
	}
	through, err := db.ClosedThrough(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "closed through %s\n", through.Day())
	return b.String()
}

// TestCloseIsOrderedPerPartition: each partition's copy of a close decides the operations
// of that partition's products that follow it, and only those. The model is the same
// whether the partitions are read one after the other, interleaved or in reverse, one
// record per batch or all in one, by the shared ledger or by replay's exclusive one.
func TestCloseIsOrderedPerPartition(t *testing.T) {
	parts := closeLog(t)
	orders := map[string][]domain.Record{}
	for _, r := range append(append(append([]domain.Record(nil), parts[0]...), parts[1]...), parts[2]...) {
		orders["partition after partition"] = append(orders["partition after partition"], r)
	}
	for _, r := range append(append(append([]domain.Record(nil), parts[2]...), parts[1]...), parts[0]...) {
		orders["in reverse"] = append(orders["in reverse"], r)
	}
	for i := 0; i < 6; i++ {
		for _, p := range parts {
			if i < len(p) {
				orders["interleaved"] = append(orders["interleaved"], p[i])
			}
		}
	}
	// Every copy first, then every operation: what a reader ahead in each partition sees.
	for _, p := range parts {
		for _, r := range p {
			if len(r.Key) == 0 {
				orders["closes first"] = append(orders["closes first"], r)
			}
		}
	}
	for _, p := range parts {
		for _, r := range p {
			if len(r.Key) != 0 {
				orders["closes first"] = append(orders["closes first"], r)
			}
		}
	}
	// Each product's history in business-date order: P3's refused operation is dated
	// in the closed period, before its others.
	want := "P1 8.00: accepted/ accepted/ rejected/period_closed accepted/\n" +
		"P2 15.00: accepted/ rejected/period_closed accepted/\n" +
		"P3 8.00: rejected/period_closed accepted/ accepted/ accepted/\n" +
		"partition 0 closed through 2024-03-31 by close-q1 at offset 2\n" +
		"partition 1 closed through 2024-03-31 by close-q1 at offset 1\n" +
		"partition 2 closed through 2024-03-31 by close-q1 at offset 3\n" +
		"closed through 2024-03-31\n"
	for name, records := range orders {
		if name == "closes first" {
			continue // checked below: it is not a log order
		}
		for _, batch := range []int{1, len(records)} {
			t.Run(fmt.Sprintf("%s, batches of %d", name, batch), func(t *testing.T) {
				db := MustOpenDB(t)
				l := projections.NewLedger(db)
				for i := 0; i < len(records); i += batch {
					if _, err := l.Apply(context.Background(), records[i:min(i+batch, len(records))]); err != nil {
						t.Fatal(err)
					}
				}
				if got := closeModel(t, db); got != want {
					t.Errorf("model:\n%s\nwant:\n%s", got, want)
				}
			})
		}
	}
	t.Run("exclusive ledger, as replay builds", func(t *testing.T) {
		path, _ := exclusiveModel(t, sliceLog{records: orders["interleaved"]})
		db, err := readmodel.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got := closeModel(t, db); got != want {
			t.Errorf("model:\n%s\nwant:\n%s", got, want)
		}
	})
	// The order inside a partition is what decides: with every copy read before the
	// operations, the sales dated in March that preceded their partition's copy are
	// refused too. This is not a reading of closeLog's log but shows the test has teeth.
	t.Run("order inside a partition decides", func(t *testing.T) {
		db := MustOpenDB(t)
		var records []domain.Record
		for i, r := range orders["closes first"] {
			r.Offset = int64(i) // one partition's order
			r.Partition = 0
			records = append(records, r)
		}
		if _, err := projections.NewLedger(db).Apply(context.Background(), records); err != nil {
			t.Fatal(err)
		}
		if got := closeModel(t, db); got == want || !strings.Contains(got, "P1 0.00: rejected/period_closed") {
			t.Errorf("with the closes first, the model is:\n%s", got)
		}
	})
}
