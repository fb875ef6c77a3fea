package readmodel_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
)

// apply projects events for product P1 at the given offsets of partition p; a sale
// beyond the stock is rejected by the ledger.
func apply(t *testing.T, db *readmodel.DB, p int32, offset int64, ops ...string) {
	t.Helper()
	var records []domain.Record
	for i, op := range ops {
		var kind string
		var qty, seq int64
		fmt.Sscan(op, &kind, &qty, &seq)
		typ := domain.TypeStockRestocked
		if kind == "sell" {
			typ = domain.TypeStockSold
		}
		q, _ := domain.QuantityFromCents(qty * 100)
		id := fmt.Sprintf("e-%d-%d", p, offset+int64(i))
		records = append(records, testfix.Record(t, domain.Position{Partition: p, Offset: offset + int64(i)},
			domain.Event{Type: typ, ID: id, CommandID: "c" + id, Product: testfix.Product(t, "P1"), Quantity: q,
				ExpectedSeq: seq, BusinessDate: domain.NewBusinessDate(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)), RecordedAt: time.Now(), RecordedBy: "t"}))
	}
	testfix.Apply(t, db, records)
}

// TestChangesSince: each operation, accepted or rejected, is told once, after the mark
// it was applied after; over the limit, the rest is flagged, not lost from the version.
func TestChangesSince(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	apply(t, db, 0, 0, "restock 5 1")
	changes, mark, _, err := db.ChangesSince(ctx, readmodel.Mark{}, 10)
	if err != nil || len(changes) != 0 || mark.Version() != 1 {
		t.Fatalf("first mark: %v %v version %d", changes, err, mark.Version())
	}
	if changes, next, _, _ := db.ChangesSince(ctx, mark, 10); len(changes) != 0 || next.Version() != mark.Version() {
		t.Fatalf("nothing new, got %v", changes)
	}
	apply(t, db, 0, 1, "sell 2 2", "sell 9 3") // the second is refused: 3 left
	changes, mark, more, err := db.ChangesSince(ctx, mark, 10)
	if err != nil || more || len(changes) != 2 || mark.Version() != 3 {
		t.Fatalf("changes %+v more %v err %v version %d", changes, more, err, mark.Version())
	}
	if c := changes[0]; c.Status != "accepted" || c.Type != "sale" || c.Quantity != "2.00" || c.Stock != "3.00" || c.Offset != 1 {
		t.Errorf("accepted change: %+v", c)
	}
	if c := changes[1]; c.Status != "rejected" || c.Reason == "" || c.Offset != 2 {
		t.Errorf("rejected change: %+v", c)
	}
	apply(t, db, 0, 3, "restock 1 3", "restock 1 4", "restock 1 5")
	changes, mark, more, err = db.ChangesSince(ctx, mark, 2)
	if err != nil || !more || len(changes) != 2 || mark.Version() != 6 {
		t.Fatalf("over the limit: %d changes, more %v, version %d, %v", len(changes), more, mark.Version(), err)
	}
	if changes, _, _, _ := db.ChangesSince(ctx, mark, 2); len(changes) != 0 {
		t.Fatalf("skipped changes told again: %+v", changes)
	}
}

// TestHistoryPage: a page of operations newest first by log position, rejected ones
// included, and the count of all of them.
func TestHistoryPage(t *testing.T) {
	db := MustOpenDB(t)
	apply(t, db, 0, 0, "restock 5 1", "sell 2 2", "sell 9 3", "restock 1 3")
	page, total, err := db.HistoryPage(context.Background(), "P1", 1, 2)
	if err != nil || total != 4 || len(page) != 2 {
		t.Fatalf("page %+v, total %d, %v", page, total, err)
	}
	if page[0].Status != "rejected" || page[0].Offset != 2 || page[1].Stock != "3.00" || page[1].Offset != 1 {
		t.Fatalf("page: %+v", page)
	}
	if all, _ := db.History(context.Background(), "P1"); len(all) != 4 || all[0].Offset != 0 {
		t.Fatalf("history: %+v", all)
	}
}
