package commands_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// A restock that would create a product looking like an existing one is refused, with
// nothing appended, unless NewProduct; a sale of such a product names the one it looks like.
func TestRestockOfALookAlikeProduct(t *testing.T) {
	ctx := context.Background()
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	if _, err := n.restock.Handle(ctx, commands.Restock(op(t, "P1", "10"))); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"p1", "P 1", "P-1", "\u04201", "\u03a11"} {
		_, err := n.restock.Handle(ctx, commands.Restock(op(t, id, "5")))
		var la *commands.LookAlikeError
		if !errors.Is(err, commands.ErrLookAlike) || !errors.As(err, &la) || la.Existing != "P1" {
			t.Errorf("restock %q: %v; want ErrLookAlike naming P1", id, err)
			continue
		}
		want := `restock: product "` + id + `" is new, but "P1" exists: did you mean "P1"? Add --new-product to create it`
		if err.Error() != want {
			t.Errorf("restock %q:\n got %s\nwant %s", id, err, want)
		}
	}
	ids, err := n.db.ProductIDs(ctx)
	if err != nil || !slices.Equal(ids, []string{"P1"}) {
		t.Fatalf("products after the refusals = %q, %v; want only P1 (nothing appended)", ids, err)
	}

	_, err = n.sell.Handle(ctx, commands.Sell(op(t, "p1", "1")))
	if err == nil || !strings.HasSuffix(err.Error(), `it has never been restocked (0.00 available, 1.00 requested); did you mean "P1"?`) {
		t.Errorf("sell p1: %v; want the never-restocked refusal with a hint", err)
	}
	if _, err := n.sell.Handle(ctx, commands.Sell(op(t, "Q9", "1"))); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("sell Q9: %v; want a refusal without a hint", err)
	}

	forced := op(t, "p1", "5")
	forced.NewProduct = true
	if res, err := n.restock.Handle(ctx, commands.Restock(forced)); err != nil || res.Stock.String() != "5.00" {
		t.Fatalf("restock p1 with NewProduct: %+v, %v", res, err)
	}
	// An existing product, however it looks, is restocked as before.
	if _, err := n.restock.Handle(ctx, commands.Restock(op(t, "p1", "1"))); err != nil {
		t.Errorf("second restock of p1: %v", err)
	}
	if _, err := n.restock.Handle(ctx, commands.Restock(op(t, "P2", "1"))); err != nil {
		t.Errorf("restock of an unrelated new product P2: %v", err)
	}
	ids, _ = n.db.ProductIDs(ctx)
	if !slices.Equal(ids, []string{"P1", "P2", "p1"}) {
		t.Errorf("products = %q, want P1, P2, p1", ids)
	}
}

// Input.Parse is the entry point of the CLI's arguments and the web's fields: product IDs
// come out in NFC, and look-alike forms are refused there.
func TestInputParseNormalisesProductIDs(t *testing.T) {
	in := commands.Input{Product: "Cafe\u0301", Quantity: "1"}
	op, err := in.Parse(time.Now(), func() string { return "id" })
	if err != nil || op.Product.String() != "Caf\u00e9" {
		t.Fatalf("Parse(NFD Café) = %q, %v; want NFC", op.Product, err)
	}
	in.Product = "P\uff11"
	_, err = in.Parse(time.Now(), func() string { return "id" })
	var fe *commands.FieldError
	if !errors.As(err, &fe) || fe.Field != "product" || !strings.Contains(err.Error(), `use "P1"`) {
		t.Fatalf("Parse(full-width P1) = %v; want a product error suggesting P1", err)
	}
	in.Product, in.NewProduct = "P1", true
	if op, err = in.Parse(time.Now(), func() string { return "id" }); err != nil || !op.NewProduct {
		t.Fatalf("Parse with NewProduct = %+v, %v", op, err)
	}
}

// Products recorded before the input rules (an NFD or invisible ID in the log) stay as
// the log's rule accepted them; a new product that looks like one is refused with the
// old ID escaped, since it prints like the new one.
func TestLookAlikeOfAProductRecordedBeforeTheRules(t *testing.T) {
	ctx := context.Background()
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	// op() bypasses the input rules, as an older stockctl or another producer would.
	for _, id := range []string{"Cafe\u0301", "P\u31641"} {
		if _, err := n.restock.Handle(ctx, commands.Restock(op(t, id, "3"))); err != nil {
			t.Fatalf("restock %q: %v", id, err)
		}
	}
	ids, err := n.db.ProductIDs(ctx)
	if err != nil || !slices.Equal(ids, []string{"Cafe\u0301", "P\u31641"}) {
		t.Fatalf("products = %q, %v; the log's rule must keep accepting both", ids, err)
	}
	for _, tc := range []struct{ id, want string }{
		{"Caf\u00e9", `restock: product "Café" is new, but "Cafe\u0301" exists: did you mean "Cafe\u0301"? Add --new-product to create it`},
		{"P1", `restock: product "P1" is new, but "P\u31641" exists: did you mean "P\u31641"? Add --new-product to create it`},
	} {
		if _, err := n.restock.Handle(ctx, commands.Restock(op(t, tc.id, "1"))); err == nil || err.Error() != tc.want {
			t.Errorf("restock %q:\n got %v\nwant %s", tc.id, err, tc.want)
		}
	}
}
