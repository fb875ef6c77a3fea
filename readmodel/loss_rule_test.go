package readmodel_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// TestLossesNameAnOperationTheDateRuleRefuses: a model built by an earlier version, whose
// rule checked stock in log order, accepted a sale dated before the only restock. A
// rebuild refuses it by business date, and the product's later events then fail on their
// sequence: Losses says so instead of blaming a damaged log.
func TestLossesNameAnOperationTheDateRuleRefuses(t *testing.T) {
	ctx := context.Background()
	p := testfix.Product(t, "P")
	event := func(seq int64, typ domain.EventType, q, date string) domain.Record {
		d, err := domain.ParseBusinessDate(date)
		if err != nil {
			t.Fatal(err)
		}
		return testfix.Record(t, domain.Position{Partition: 0, Offset: seq - 1}, domain.Event{Type: typ, ID: fmt.Sprint("e", seq),
			CommandID: fmt.Sprint("c", seq), Product: p, Quantity: testfix.Quantity(t, q), ExpectedSeq: seq, BusinessDate: d,
			RecordedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), RecordedBy: "t"})
	}
	// The live model: as the earlier version left it, every event accepted. It is built
	// here from the same log with the sale dated after the restock, then given its
	// real date, which is what the earlier rule had accepted.
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	ldb, err := readmodel.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	testfix.Apply(t, ldb, []domain.Record{event(1, domain.TypeStockRestocked, "10", "2024-05-01"),
		event(2, domain.TypeStockSold, "5", "2024-05-02"), event(3, domain.TypeStockSold, "1", "2024-05-03")})
	ldb.Close()
	raw, err := sql.Open("sqlite", live)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE ledger SET business_date = '2024-04-01 00:00:00' WHERE product_seq = 2`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	log := []domain.Record{event(1, domain.TypeStockRestocked, "10", "2024-05-01"),
		event(2, domain.TypeStockSold, "5", "2024-04-01"), event(3, domain.TypeStockSold, "1", "2024-05-03")}
	built := filepath.Join(dir, "built.db")
	bdb, err := readmodel.Create(ctx, built)
	if err != nil {
		t.Fatal(err)
	}
	if err := bdb.BindLog(ctx, "stock.events", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := projections.NewExclusiveLedger(bdb).Apply(ctx, log); err != nil {
		t.Fatal(err)
	}
	if err := bdb.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	ldb, err = readmodel.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	if err := ldb.BindLog(ctx, "stock.events", 1); err != nil {
		t.Fatal(err)
	}
	ldb.Close()
	loss, err := readmodel.Losses(ctx, built, live, func(context.Context) (map[int32]int64, error) {
		return map[int32]int64{0: 3}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if loss.Events != 2 || loss.Refused != 1 || len(loss.Lines) != 1 ||
		!strings.Contains(loss.Lines[0], "the rebuild refuses its operation dated 2024-04-01 00:00:00, insufficient_stock by business date") {
		t.Fatalf("loss %+v, want 2 events lost, the first refused by the business-date rule", loss)
	}
}
