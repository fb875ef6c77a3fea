package projections_test

import (
	"context"
	"testing"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/projections"
)

func gap(part int32, first, last int64, kind string) domain.Record {
	return domain.Record{Position: domain.Position{Partition: part, Offset: first}, Gap: kind, GapLast: last}
}

// A gap the source reports is counted, described and recorded once in the read model,
// however often the batch is delivered, and the partition moves on past it.
func TestLedgerRecordsGaps(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	l := projections.NewLedger(db)
	batch := []domain.Record{
		event(t, domain.TypeStockRestocked, "P1", "10", 1, "c1", 0, 0),
		gap(0, 1, 2, domain.GapMissing),
		event(t, domain.TypeStockRestocked, "P1", "5", 3, "c4", 0, 3),
		gap(0, 3, 3, domain.GapOutOfOrder),
	}
	stats, err := l.Apply(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"partition 0: offsets 1 to 2 missing",
		"partition 0: a record at offset 3 came after that offset was passed (out of order; not applied)"}
	if stats.Gaps != 2 || len(stats.GapTexts) != 2 || stats.GapTexts[0] != want[0] || stats.GapTexts[1] != want[1] {
		t.Fatalf("stats = %+v; want 2 gaps described as %q", stats, want)
	}
	// The event after the gap expected sequence 3 and is rejected: the gap explains why.
	if stats.Accepted != 1 || stats.Rejected != 1 {
		t.Fatalf("stats = %+v; want 1 accepted, 1 rejected", stats)
	}
	if offs, err := db.Offsets(ctx); err != nil || offs[0] != 4 {
		t.Fatalf("offsets = %v, %v; want partition 0 at 4", offs, err)
	}
	if _, err := l.Apply(ctx, batch); err != nil {
		t.Fatal(err)
	}
	st, err := db.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Gaps) != 2 || st.Gaps[0].Detail != want[0] || st.Gaps[0].First != 1 || st.Gaps[0].Last != 2 || st.Gaps[1].Kind != domain.GapOutOfOrder {
		t.Fatalf("recorded gaps after two deliveries = %+v; want the two, once each", st.Gaps)
	}
}
