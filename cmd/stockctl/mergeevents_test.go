package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// TestMergeEvents: each partition's order is kept, a close is taken once, after what
// precedes any of its copies, a retried copy is dropped, and a record that is not an
// event is left out and described.
func TestMergeEvents(t *testing.T) {
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	rec := func(p int32, off int64, e domain.Event) domain.Record {
		e.RecordedAt, e.RecordedBy = at, "test"
		if e.Type != domain.TypePeriodClosed {
			e.Type, e.CommandID, e.ExpectedSeq = domain.TypeStockRestocked, e.ID, off+1
			e.Quantity, _ = domain.ParseQuantity("1")
		} else {
			e.CommandID = e.ID
		}
		e.BusinessDate = domain.NewBusinessDate(at)
		v, err := domain.MarshalEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		return domain.Record{Position: domain.Position{Partition: p, Offset: off}, Value: v}
	}
	op := func(p int32, off int64, id, product string) domain.Record {
		pid, err := domain.ParseProductID(product)
		if err != nil {
			t.Fatal(err)
		}
		return rec(p, off, domain.Event{ID: id, Product: pid})
	}
	closeAt := func(p int32, off int64, id string) domain.Record {
		return rec(p, off, domain.Event{Type: domain.TypePeriodClosed, ID: id})
	}
	parts := [][]domain.Record{
		{op(0, 0, "a1", "A"), closeAt(0, 1, "c1"), op(0, 2, "a2", "A"), closeAt(0, 3, "c2")},
		{op(1, 0, "b1", "B"), op(1, 1, "b2", "B"), closeAt(1, 2, "c1"), closeAt(1, 3, "c1"),
			{Position: domain.Position{Partition: 1, Offset: 4}, Value: []byte("not json")}, closeAt(1, 5, "c2"), op(1, 6, "b3", "B")},
		{closeAt(2, 0, "c1"), closeAt(2, 1, "c2")},
	}
	out, notEvents := mergeEvents(parts)
	var ids []string
	for _, r := range out {
		e, err := domain.UnmarshalEvent(r.Value)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	if want := []string{"a1", "b1", "b2", "c1", "a2", "c2", "b3"}; !slices.Equal(ids, want) {
		t.Errorf("merged %v, want %v", ids, want)
	}
	if len(notEvents) != 1 || !strings.HasPrefix(notEvents[0], "partition 1 offset 4: ") {
		t.Errorf("left out %q, want partition 1 offset 4", notEvents)
	}
}
