package readmodel_test

import (
	"context"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
)

// TestChangesSinceTellsRepairs: a void (which adds no ledger row), a count and an
// adjustment (rows of their own) are each told once, as repairs, with what they moved
// and the stock after them: what lets another tab update a product page.
func TestChangesSinceTellsRepairs(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	apply(t, db, 0, 0, "restock 5 1", "sell 2 2")
	_, mark, _, err := db.ChangesSince(ctx, readmodel.Mark{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	p := testfix.Product(t, "P1")
	date := domain.NewBusinessDate(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	four, _ := domain.ParseQuantity("4")
	one, _ := domain.ParseQuantity("1")
	events := []domain.Event{
		{Type: domain.TypeOperationVoided, ID: "void-1", CommandID: "c-void-1", Product: p, ExpectedSeq: 3, Target: "e-0-1", Reason: "typed 2 for 0"},
		{Type: domain.TypeStockCounted, ID: "count-1", CommandID: "c-count-1", Product: p, ExpectedSeq: 4, Quantity: four},
		{Type: domain.TypeStockAdjusted, ID: "adjust-1", CommandID: "c-adjust-1", Product: p, ExpectedSeq: 5, Quantity: one, Out: true, Reason: "damaged"},
	}
	var records []domain.Record
	for i, e := range events {
		e.BusinessDate, e.RecordedAt, e.RecordedBy = date, time.Now(), "t"
		records = append(records, testfix.Record(t, domain.Position{Partition: 0, Offset: int64(2 + i)}, e))
	}
	testfix.Apply(t, db, records)
	changes, next, more, err := db.ChangesSince(ctx, mark, 10)
	if err != nil || more || next.Version() != 5 {
		t.Fatalf("changes %+v more %v version %d: %v", changes, more, next.Version(), err)
	}
	want := []readmodel.Change{
		{Type: "void", EventID: "void-1", Target: "e-0-1", Quantity: "2.00", Delta: "+2.00", Stock: "5.00", RepairReason: "typed 2 for 0"},
		{Type: "count", EventID: "count-1", Quantity: "1.00", Delta: "-1.00", Stock: "4.00"},
		{Type: "adjustment", EventID: "adjust-1", Quantity: "1.00", Delta: "-1.00", Stock: "3.00", RepairReason: "damaged"},
	}
	if len(changes) != len(want) {
		t.Fatalf("%d changes, want %d (each repair once): %+v", len(changes), len(want), changes)
	}
	for i, w := range want {
		c := changes[i]
		if c.Type != w.Type || c.EventID != w.EventID || c.Target != w.Target || c.Quantity != w.Quantity || c.Delta != w.Delta ||
			c.Stock != w.Stock || c.RepairReason != w.RepairReason || c.Status != "accepted" || c.Product != "P1" || c.Offset != int64(2+i) {
			t.Errorf("change %d = %+v, want %+v", i, c, w)
		}
	}
	if changes, _, _, _ := db.ChangesSince(ctx, next, 10); len(changes) != 0 {
		t.Fatalf("repairs told again: %+v", changes)
	}
	// The next batch tells its own operations alone.
	apply(t, db, 0, 5, "sell 1 6")
	if changes, _, _, err := db.ChangesSince(ctx, next, 10); err != nil || len(changes) != 1 || changes[0].Type != "sale" || changes[0].Stock != "2.00" {
		t.Fatalf("after the repairs, a sale: %+v, %v", changes, err)
	}
}
