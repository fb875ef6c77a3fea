package commands_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// TestRepairKeyOfAnotherKind: an idempotency key a void was recorded under, given to a
// count or an adjustment of the same product, is a key reused (nothing was counted), not
// "already recorded".
func TestRepairKeyOfAnotherKind(t *testing.T) {
	ctx := context.Background()
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	repairs := commands.NewRepairHandler(n.log, n, n.db, n.db, uuid.NewString)
	if _, err := n.restock.Handle(ctx, commands.Restock(op(t, "P1", "10"))); err != nil {
		t.Fatal(err)
	}
	sale, err := n.sell.Handle(ctx, commands.Sell(op(t, "P1", "3")))
	if err != nil {
		t.Fatal(err)
	}
	id := "key:fix-1"
	if _, err := repairs.Handle(ctx, commands.Repair{Kind: domain.TypeOperationVoided, Target: sale.Event.ID, Reason: "typo", CommandID: id, Operator: "t"}); err != nil {
		t.Fatal(err)
	}
	one, _ := domain.ParseQuantity("1")
	p := counted0(t)
	for _, rep := range []commands.Repair{
		{Kind: domain.TypeStockCounted, Product: p, Quantity: one, CommandID: id, Operator: "t"},
		{Kind: domain.TypeStockAdjusted, Product: p, Quantity: one, Reason: "lost", CommandID: id, Operator: "t"},
	} {
		if res, err := repairs.Handle(ctx, rep); !errors.Is(err, commands.ErrIdempotencyKeyReused) {
			t.Errorf("%s under a void's key = %+v, %v; want the key reused", rep.Kind, res, err)
		}
	}
}
