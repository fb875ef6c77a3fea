package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// TestRepairsAsIfTheMistakeWasNeverMade is the story: a sale of 30 typed for 3
// is voided and the 3 sold, then a count of 37 against 40 records -3.
func TestRepairsAsIfTheMistakeWasNeverMade(t *testing.T) {
	ctx := context.Background()
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	repairs := commands.NewRepairHandler(n.log, n, n.db, n.db, uuid.NewString)
	if _, err := n.restock.Handle(ctx, commands.Restock(op(t, "P1", "43"))); err != nil {
		t.Fatal(err)
	}
	mistake, err := n.sell.Handle(ctx, commands.Sell(op(t, "P1", "30")))
	if err != nil {
		t.Fatal(err)
	}
	void := commands.Repair{Kind: domain.TypeOperationVoided, Target: mistake.Event.ID, Reason: "typed 30 for 3", CommandID: uuid.NewString(), Operator: "test"}
	res, err := repairs.Handle(ctx, void)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Stock.String(); got != "43.00" {
		t.Fatalf("stock after the void = %s, want 43.00 (%s)", got, res.Message())
	}
	again, err := repairs.Handle(ctx, void)
	if err != nil || !again.AlreadyRecorded {
		t.Fatalf("the same void again = %+v, %v; want already recorded", again, err)
	}
	void.CommandID = uuid.NewString()
	if _, err := repairs.Handle(ctx, void); !errors.Is(err, domain.ErrAlreadyVoided) {
		t.Fatalf("a second void = %v, want already voided", err)
	}
	if _, err := n.sell.Handle(ctx, commands.Sell(op(t, "P1", "3"))); err != nil {
		t.Fatal(err)
	}
	counted, _ := domain.ParseQuantity("37")
	count := commands.Repair{Kind: domain.TypeStockCounted, Product: counted0(t), Quantity: counted, CommandID: uuid.NewString(), Operator: "test"}
	res, err = repairs.Handle(ctx, count)
	if err != nil {
		t.Fatal(err)
	}
	if res.Delta != -300 || res.Stock.String() != "37.00" || !strings.Contains(res.Message(), "expected 40.00") {
		t.Fatalf("count = %d, stock %s: %s; want -300 and 37.00", res.Delta, res.Stock, res.Message())
	}
	levels, err := n.db.StockLevels(ctx, "P1")
	if err != nil || len(levels) != 1 || levels[0].Stock != "37.00" {
		t.Fatalf("stock = %+v, %v; want 37.00", levels, err)
	}
}

func counted0(t *testing.T) domain.ProductID {
	p, err := domain.ParseProductID("P1")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCountOfAnUnknownProductIsRefused: a count or an adjustment of a product the ledger
// has never seen is most often a typo, and is refused with nothing appended.
func TestCountOfAnUnknownProductIsRefused(t *testing.T) {
	ctx := context.Background()
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	repairs := commands.NewRepairHandler(n.log, n, n.db, n.db, uuid.NewString)
	if _, err := n.restock.Handle(ctx, commands.Restock(op(t, "LAMP-01", "5"))); err != nil {
		t.Fatal(err)
	}
	typo, _ := domain.ParseProductID("lamp-01")
	for _, kind := range []domain.EventType{domain.TypeStockCounted, domain.TypeStockAdjusted} {
		q, _ := domain.ParseQuantity("2")
		_, err := repairs.Handle(ctx, commands.Repair{Kind: kind, Product: typo, Quantity: q, Reason: "found", CommandID: uuid.NewString()})
		if !errors.Is(err, commands.ErrUnknownProduct) || !strings.Contains(err.Error(), `did you mean "LAMP-01"?`) {
			t.Fatalf("%s of an unknown product = %v, want unknown product with a hint", kind, err)
		}
		if f := commands.Classify(err); f.Code != "unknown_product" || f.Class != commands.Refused {
			t.Fatalf("classified %+v, want refused unknown_product", f)
		}
	}
	if snap, err := n.db.Snapshot(ctx, typo); err != nil || snap.Seq != 0 {
		t.Fatalf("snapshot of the typo = %+v, %v; want nothing recorded", snap, err)
	}
}
