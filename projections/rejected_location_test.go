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
)

// TestRejectedOperationsKeepTheirLocation: an operation the ledger refuses is kept with
// the location it named (a transfer's source and destination; a void's or a correction's,
// its target's), so a location's history lists what was refused there; live and replayed
// alike.
func TestRejectedOperationsKeepTheirLocation(t *testing.T) {
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	day := func(n int) domain.BusinessDate {
		return domain.NewBusinessDate(base.Add(time.Duration(n) * 24 * time.Hour))
	}
	north, _ := domain.ParseLocationID("north")
	p1, _ := domain.ParseProductID("P1")
	var records []domain.Record
	offset := map[int32]int64{}
	add := func(part int32, e domain.Event) {
		records = append(records, testfix.Record(t, domain.Position{Partition: part, Offset: offset[part]}, e))
		offset[part]++
	}
	add(0, domain.Event{Type: domain.TypeLocationAdded, ID: "loc-north", CommandID: "c-north", Location: north,
		Name: "North", BusinessDate: day(0), RecordedAt: base, RecordedBy: "t"})
	op := func(id string, seq int64, typ domain.EventType, cents int64, from, to domain.LocationID) {
		q, _ := domain.QuantityFromCents(cents)
		add(0, domain.Event{Type: typ, ID: id, CommandID: "c-" + id, Product: p1, Quantity: q,
			ExpectedSeq: seq, BusinessDate: day(int(seq)), RecordedAt: base, RecordedBy: "t", Location: from, To: to})
	}
	op("restock", 1, domain.TypeStockRestocked, 1000, domain.MainLocation, domain.LocationID{})
	op("transfer", 2, domain.TypeStockTransferred, 400, domain.MainLocation, north)
	op("oversell-north", 3, domain.TypeStockSold, 500, north, domain.LocationID{})
	op("sale-north", 3, domain.TypeStockSold, 100, north, domain.LocationID{})
	op("transfer-back", 4, domain.TypeStockTransferred, 2000, north, domain.MainLocation)
	// A void of the north sale out of turn (the product is at operation 3, not 1).
	add(0, domain.Event{Type: domain.TypeOperationVoided, ID: "void-late", CommandID: "c-void-late", Product: p1, ExpectedSeq: 2,
		Target: "sale-north", Reason: "typo", BusinessDate: day(3), RecordedAt: base, RecordedBy: "t"})

	for _, exclusive := range []bool{false, true} {
		db := testfix.MustOpenDB(t)
		ledger := projections.NewLedger(db)
		if exclusive {
			ledger = projections.NewExclusiveLedger(db)
		}
		if _, err := ledger.Apply(context.Background(), records); err != nil {
			t.Fatal(err)
		}
		entries, err := db.History(context.Background(), "P1")
		if err != nil {
			t.Fatal(err)
		}
		var rejected []string
		for _, h := range entries {
			if h.Status == "rejected" {
				rejected = append(rejected, fmt.Sprintf("%s %s %s>%s", h.EventID, h.Reason, h.Location, h.To))
			}
		}
		want := "oversell-north insufficient_stock north>|void-late sequence_conflict north>|transfer-back insufficient_stock north>main"
		if got := strings.Join(rejected, "|"); got != want {
			t.Errorf("exclusive %v: rejected operations =\n%q\nwant\n%q", exclusive, got, want)
		}
	}
}
