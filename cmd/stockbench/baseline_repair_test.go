package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/loadgen"
	"github.com/stockctl/stockctl/readmodel"
)

// TestBaselineRowsCarryTheirMovement: the baseline's plain INSERT fills the ledger as
// migration 008 left it, delta_cents and all, so the bench still runs and each product's
// signed sum is its stock.
func TestBaselineRowsCarryTheirMovement(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "baseline.db")
	schema, err := readmodel.Create(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	schema.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stock := map[domain.ProductID]int64{}
	var offset int64
	if err := insertRows(ctx, db, loadgen.New(5, seed).Next(500), stock, &offset); err != nil {
		t.Fatal(err)
	}
	for p, want := range stock {
		var got int64
		if err := db.QueryRowContext(ctx, `SELECT sum(delta_cents) FROM ledger WHERE product_id = ?`, p.String()).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: sum of delta_cents = %d, want the stock %d", p, got, want)
		}
	}
}
