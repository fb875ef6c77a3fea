package commands_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/internal/testkafka"
)

func TestSellAndRestock(t *testing.T) {
	ctx := context.Background()
	n := mustNode(t, testkafka.Config(t), dbPath(t))

	res, err := n.restock.Handle(ctx, commands.Restock(op(t, "P1", "10")))
	if err != nil {
		t.Fatalf("restock: %v", err)
	}
	if res.Stock.String() != "10.00" || res.AlreadyRecorded {
		t.Fatalf("restock result = %+v, want stock 10.00", res)
	}
	res, err = n.sell.Handle(ctx, commands.Sell(op(t, "P1", "3")))
	if err != nil || res.Stock.String() != "7.00" {
		t.Fatalf("sell 3 = %+v, %v; want stock 7.00", res, err)
	}
	_, err = n.sell.Handle(ctx, commands.Sell(op(t, "P1", "8")))
	var ise *domain.InsufficientStockError
	if !errors.As(err, &ise) || ise.Available.String() != "7.00" || ise.Requested.String() != "8.00" {
		t.Fatalf("sell 8 error = %v, want insufficient stock 7.00 < 8.00", err)
	}
	_, err = n.sell.Handle(ctx, commands.Sell(op(t, "P2", "1")))
	if !errors.As(err, &ise) || !ise.NeverRestocked {
		t.Fatalf("sell of a never-restocked product: %v, want NeverRestocked", err)
	}
	snap, err := n.db.Snapshot(ctx, mustProduct(t, "P1"))
	if err != nil || snap.Level.String() != "7.00" || snap.Seq != 2 {
		t.Fatalf("snapshot = %+v, %v; want level 7.00 at seq 2", snap, err)
	}
	hist, err := n.db.History(ctx, "P1")
	if err != nil || len(hist) != 2 {
		t.Fatalf("history = %+v, %v; want the 2 accepted operations only (refusals append nothing)", hist, err)
	}
}

func TestIdempotentRetry(t *testing.T) {
	ctx := context.Background()
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	if _, err := n.restock.Handle(ctx, commands.Restock(op(t, "P1", "10"))); err != nil {
		t.Fatal(err)
	}
	sale := op(t, "P1", "4")
	first, err := n.sell.Handle(ctx, commands.Sell(sale))
	if err != nil {
		t.Fatal(err)
	}
	again, err := n.sell.Handle(ctx, commands.Sell(sale))
	if err != nil {
		t.Fatalf("same command again: %v", err)
	}
	if !again.AlreadyRecorded || again.Event.ID != first.Event.ID || again.Stock.String() != "6.00" {
		t.Fatalf("second result = %+v, want already recorded with the first event and stock 6.00", again)
	}
	other := sale
	other.Quantity = mustQuantity(t, "5")
	if _, err := n.sell.Handle(ctx, commands.Sell(other)); !errors.Is(err, commands.ErrIdempotencyKeyReused) {
		t.Fatalf("same command ID, other quantity: %v, want ErrIdempotencyKeyReused", err)
	}
	// A retry whose first append was acknowledged but never confirmed to the caller:
	// the event is on the log and the read model has not seen it yet.
	lost := op(t, "P1", "1")
	snap, _ := n.db.Snapshot(ctx, lost.Product)
	e, err := domain.RestoreStock(snap).Sell(lost.Quantity, domain.Metadata{
		EventID: "lost-ack", CommandID: lost.CommandID, BusinessDate: lost.Date, RecordedBy: "test", RecordedAt: time.Now(),
	}, domain.Conditions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.log.Append(ctx, e); err != nil {
		t.Fatal(err)
	}
	res, err := n.sell.Handle(ctx, commands.Sell(lost))
	if err != nil || !res.AlreadyRecorded || res.Stock.String() != "5.00" {
		t.Fatalf("retry after lost ack = %+v, %v; want already recorded, stock 5.00 (applied once)", res, err)
	}
}

// The fixture builders are shared (internal/testfix), the names kept for these tests.
var (
	mustProduct  = testfix.Product
	mustQuantity = testfix.Quantity
)
