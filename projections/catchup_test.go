package projections_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/projections"
)

// sliceLog is a hand-written Source over records held in memory.
type sliceLog struct {
	records []domain.Record
}

func (s sliceLog) HighWatermarks(context.Context) (map[int32]int64, error) {
	hw := map[int32]int64{0: 0, 1: 0}
	for _, r := range s.records {
		hw[r.Partition] = max(hw[r.Partition], r.Offset+1)
	}
	return hw, nil
}

func (s sliceLog) Read(_ context.Context, from, until map[int32]int64, fn func([]domain.Record) error) error {
	for _, r := range s.records {
		if r.Offset >= from[r.Partition] && r.Offset < until[r.Partition] {
			if err := fn([]domain.Record{r}); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestCatchUpResumesAtCommittedOffsets(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	l := projections.NewLedger(db)
	log := sliceLog{records: []domain.Record{
		event(t, domain.TypeStockRestocked, "P1", "10", 1, "c1", 0, 0),
		event(t, domain.TypeStockRestocked, "P2", "5", 1, "c2", 1, 0),
	}}
	stats, err := l.CatchUp(ctx, log)
	if err != nil || stats.Accepted != 2 {
		t.Fatalf("first catch-up: %+v, %v; want 2 accepted", stats, err)
	}
	log.records = append(log.records, event(t, domain.TypeStockSold, "P1", "4", 2, "c3", 0, 1))
	stats, err = l.CatchUp(ctx, log)
	if err != nil || stats.Read != 1 || stats.Accepted != 1 {
		t.Fatalf("second catch-up: %+v, %v; want only the new record read and accepted", stats, err)
	}
	if got := level(t, db, "P1"); got != "6.00" {
		t.Fatalf("stock = %s, want 6.00", got)
	}
	stats, err = l.CatchUp(ctx, log)
	if err != nil || stats.Read != 0 {
		t.Fatalf("catch-up with nothing new: %+v, %v; want nothing read", stats, err)
	}
}

func TestCatchUpRefusesALogShorterThanTheModel(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	l := projections.NewLedger(db)
	full := sliceLog{records: []domain.Record{
		event(t, domain.TypeStockRestocked, "P1", "10", 1, "c1", 0, 0),
		event(t, domain.TypeStockSold, "P1", "1", 2, "c2", 0, 1),
	}}
	if _, err := l.CatchUp(ctx, full); err != nil {
		t.Fatal(err)
	}
	recreated := sliceLog{records: full.records[:1]}
	if _, err := l.CatchUp(ctx, recreated); !errors.Is(err, projections.ErrAheadOfLog) {
		t.Fatalf("catch-up against a shorter log: %v, want ErrAheadOfLog", err)
	}
}
