package projections_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// script builds a log of product P1 in partition 0, one step per offset: operations
// with the right sequence numbers, dated day after day, and threshold and location
// events between them.
type script struct {
	tb      testing.TB
	records []domain.Record
	seq     int64
	ids     []string // event ID of each offset
}

func (s *script) at() (domain.Position, domain.BusinessDate, string) {
	off := int64(len(s.records))
	d := domain.NewBusinessDate(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(off)))
	return domain.Position{Offset: off}, d, fmt.Sprintf("e%d", off)
}

func (s *script) add(pos domain.Position, e domain.Event) *script {
	s.records = append(s.records, testfix.Record(s.tb, pos, e))
	s.ids = append(s.ids, e.ID)
	return s
}

func loc(tb testing.TB, id string) domain.LocationID {
	tb.Helper()
	if id == "" {
		return domain.MainLocation
	}
	l, err := domain.ParseLocationID(id)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// op appends a sale or a restock of qty in location at, or a transfer from at to to.
func (s *script) op(typ domain.EventType, qty, at, to string) *script {
	pos, d, id := s.at()
	s.seq++
	e := domain.Event{Type: typ, ID: id, CommandID: "c-" + id, Product: testfix.Product(s.tb, "P1"), Quantity: testfix.Quantity(s.tb, qty),
		ExpectedSeq: s.seq, BusinessDate: d, RecordedAt: d.Time(), RecordedBy: "test", Location: loc(s.tb, at), To: loc(s.tb, to)}
	return s.add(pos, e)
}

func (s *script) restock(qty string) *script { return s.op(domain.TypeStockRestocked, qty, "", "") }
func (s *script) sell(qty string) *script    { return s.op(domain.TypeStockSold, qty, "", "") }

// void voids the operation at offset target.
func (s *script) void(target int) *script {
	pos, _, id := s.at()
	s.seq++
	t, _ := domain.UnmarshalEvent(s.records[target].Value)
	return s.add(pos, domain.Event{Type: domain.TypeOperationVoided, ID: id, CommandID: "c-" + id, Product: t.Product, ExpectedSeq: s.seq,
		BusinessDate: t.BusinessDate, RecordedAt: t.RecordedAt, RecordedBy: "test", Target: t.ID, Reason: "typo"})
}

// set sets P1's threshold on scope ("" the total, else a location) to min; clear clears it.
func (s *script) set(scope, min string) *script {
	pos, d, id := s.at()
	th := domain.Threshold{Product: testfix.Product(s.tb, "P1"), PerLocation: scope != "", Location: loc(s.tb, scope)}
	if min != "0" {
		th.Min = testfix.Quantity(s.tb, min)
	}
	e, err := domain.SetThreshold(th, domain.Metadata{EventID: id, CommandID: "c-" + id, BusinessDate: d, RecordedAt: d.Time(), RecordedBy: "test"})
	if err != nil {
		s.tb.Fatal(err)
	}
	return s.add(pos, e)
}

func (s *script) clear(scope string) *script {
	pos, d, id := s.at()
	th := domain.Threshold{Product: testfix.Product(s.tb, "P1"), PerLocation: scope != "", Location: loc(s.tb, scope)}
	return s.add(pos, domain.ClearThreshold(th, domain.Metadata{EventID: id, CommandID: "c-" + id, BusinessDate: d, RecordedAt: d.Time(), RecordedBy: "test"}))
}

func (s *script) location(typ domain.EventType, id string) *script {
	name := "Warehouse " + id
	if typ == domain.TypeLocationClosed {
		name = ""
	}
	s.records = append(s.records, locationCopy(s.tb, typ, fmt.Sprintf("l%d", len(s.records)), id, name, 0, int64(len(s.records))))
	s.ids = append(s.ids, "")
	return s
}

// crossingRows are a model's crossings as "offset location kind stock min".
func crossingRows(t *testing.T, path string) []string {
	return readRows(t, path, `SELECT "offset" || ' ' || location || ' ' || kind || ' ' || stock_cents || ' ' || coalesce(min_cents, '-')
		FROM crossings ORDER BY partition, "offset", location`)
}

// projectEveryWay projects records into a shared model one record per batch, into
// another in one batch, and by a replay's exclusive ledger; it fails unless the three
// agree, and returns the first's path.
func projectEveryWay(t *testing.T, records []domain.Record) string {
	t.Helper()
	ctx := context.Background()
	one := testfix.MustOpenDB(t)
	l := projections.NewLedger(one)
	for _, r := range records {
		if _, err := l.Apply(ctx, []domain.Record{r}); err != nil {
			t.Fatal(err)
		}
	}
	whole := testfix.MustOpenDB(t)
	testfix.Apply(t, whole, records)
	replayPath := filepath.Join(t.TempDir(), "operations.db.replay")
	replay, err := readmodel.Create(ctx, replayPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := projections.NewExclusiveLedger(replay).Apply(ctx, records); err != nil {
		t.Fatal(err)
	}
	if err := replay.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	replay.Close()
	for name, path := range map[string]string{"one batch": whole.Path(), "replay": replayPath} {
		diffs, err := readmodel.DiffFiles(ctx, path, name, one.Path(), 10)
		if err != nil || len(diffs) != 0 {
			t.Errorf("%s differs from batches of one record: %v\n%s", name, err, strings.Join(diffs, "\n"))
		}
	}
	return one.Path()
}

// TestCrossingsAreDecidedInLogOrder: each case's log, projected live one record at a
// time, in one batch and by a replay, gives exactly the crossings listed ("offset
// location kind stock min", location empty for the product's total) and the same model.
func TestCrossingsAreDecidedInLogOrder(t *testing.T) {
	const T = domain.TypeStockTransferred
	tests := []struct {
		name  string
		build func(s *script)
		want  []string
	}{
		{"a run of sales below the minimum crosses once", func(s *script) {
			s.restock("20").set("", "10").sell("5").sell("6").sell("1").sell("2")
		}, []string{"3  below_min 900 1000"}},
		{"going back above re-arms", func(s *script) {
			s.restock("20").set("", "10").sell("11").sell("1").restock("5").sell("3").sell("1")
		}, []string{"2  below_min 900 1000", "5  below_min 1000 1000"}},
		{"exactly at the minimum is at or below it", func(s *script) {
			s.restock("20").set("", "10").sell("10")
		}, []string{"2  below_min 1000 1000"}},
		{"zero with no threshold, and again after a restock", func(s *script) {
			s.restock("5").sell("2").sell("3").restock("1").sell("1")
		}, []string{"2  zero 0 -", "4  zero 0 -"}},
		{"zero from above the minimum is one crossing, zero", func(s *script) {
			s.restock("10").set("", "4").sell("10")
		}, []string{"2  zero 0 400"}},
		{"zero after below the minimum is a second crossing", func(s *script) {
			s.restock("10").set("", "4").sell("7").sell("3")
		}, []string{"2  below_min 300 400", "3  zero 0 400"}},
		{"a threshold set at or above the stock is a crossing", func(s *script) {
			s.restock("8").set("", "8")
		}, []string{"1  below_min 800 800"}},
		{"a threshold set below the stock is none", func(s *script) {
			s.restock("8").set("", "7.99")
		}, nil},
		{"raising the minimum over the stock crosses, lowering and raising it below does not", func(s *script) {
			s.restock("8").set("", "5").set("", "9").set("", "8.5").set("", "3").set("", "9")
		}, []string{"2  below_min 800 900", "5  below_min 800 900"}},
		{"a threshold on a product never restocked crosses at zero", func(s *script) {
			s.set("", "0").set("main", "1")
		}, []string{"0  below_min 0 0", "1 main below_min 0 100"}},
		{"a cleared threshold watches nothing but zero", func(s *script) {
			s.restock("20").set("", "10").clear("").sell("15").sell("5")
		}, []string{"4  zero 0 -"}},
		{"a void bringing the stock back above re-arms", func(s *script) {
			s.restock("20").set("", "10").sell("15").void(2).sell("12")
		}, []string{"2  below_min 500 1000", "4  below_min 800 1000"}},
		{"a void taking the stock below crosses", func(s *script) {
			s.restock("20").restock("5").set("", "10").void(0)
		}, []string{"3  below_min 500 1000"}},
		{"a transfer's source crosses in its location, the total does not move", func(s *script) {
			s.location(domain.TypeLocationAdded, "north").op(domain.TypeStockRestocked, "10", "north", "").set("north", "5").
				op(T, "6", "north", "").op(T, "4", "north", "")
		}, []string{"3 north below_min 400 500", "4 north zero 0 500"}},
		{"a transfer's destination re-arms, a sale there crosses again", func(s *script) {
			s.location(domain.TypeLocationAdded, "north").op(domain.TypeStockRestocked, "10", "north", "").set("north", "5").
				restock("1").op(T, "6", "north", "").op(T, "6", "", "north").op(domain.TypeStockSold, "8", "north", "")
		}, []string{"4 north below_min 400 500", "6 north below_min 200 500"}},
		{"main's scope and the total are two scopes", func(s *script) {
			s.location(domain.TypeLocationAdded, "north").restock("10").set("main", "3").set("", "3").
				op(T, "8", "", "north").op(domain.TypeStockSold, "8", "north", "")
		}, []string{"4 main below_min 200 300", "5  below_min 200 300"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{tb: t}
			tt.build(s)
			path := projectEveryWay(t, s.records)
			if got := crossingRows(t, path); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("crossings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if rejected := readRows(t, path, `SELECT "offset" || ' ' || reason FROM rejected_events`); len(rejected) > 0 {
				t.Errorf("rejected: %v", rejected)
			}
		})
	}
}

// TestThresholdsFollowTheirEvents: a set replaces the threshold of its scope, a clear
// removes it, and a set naming a location the partition does not know, or knows closed,
// is rejected like an operation there and changes nothing.
func TestThresholdsFollowTheirEvents(t *testing.T) {
	s := &script{tb: t}
	s.set("", "10").set("", "12").set("main", "1").set("north", "2").
		location(domain.TypeLocationAdded, "north").location(domain.TypeLocationAdded, "south").
		set("north", "3").set("south", "4").location(domain.TypeLocationClosed, "south").set("south", "5").
		clear("main").clear("east")
	path := projectEveryWay(t, s.records)
	got := readRows(t, path, `SELECT product_id || ' ' || location || ' ' || min_cents || ' ' || event_id FROM thresholds ORDER BY location`)
	want := []string{"P1  1200 e1", "P1 north 300 e6", "P1 south 400 e7"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("thresholds %q, want %q", got, want)
	}
	rejected := readRows(t, path, `SELECT "offset" || ' ' || event_type || ' ' || reason || ' ' || location || ': ' || detail FROM rejected_events ORDER BY "offset"`)
	wantRejected := []string{
		`3 ThresholdSet unknown_location north: threshold of "P1" in north: unknown location: "north" (open locations: main)`,
		`9 ThresholdSet location_closed south: threshold of "P1" in south: location closed: "south" (open locations: main, north)`,
	}
	if !reflect.DeepEqual(rejected, wantRejected) {
		t.Errorf("rejected\n%s\nwant\n%s", strings.Join(rejected, "\n"), strings.Join(wantRejected, "\n"))
	}
}
