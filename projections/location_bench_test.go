package projections_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// benchLocationLog makes n events over products in six partitions, dated day after day
// per product, spread over nLocations locations (declared first, on every partition, when
// more than main): restocks and sales in a random location, and one in ten a transfer
// between two; every one of which the rule accepts.
func benchLocationLog(tb testing.TB, n, products, nLocations int) []domain.Record {
	rng := rand.New(rand.NewPCG(19, 19))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	offsets := map[int32]int64{}
	var records []domain.Record
	locs := []domain.LocationID{domain.MainLocation}
	for i := 1; i < nLocations; i++ {
		l, _ := domain.ParseLocationID(fmt.Sprintf("loc%02d", i))
		locs = append(locs, l)
		e := domain.Event{Type: domain.TypeLocationAdded, ID: fmt.Sprintf("l%d", i), CommandID: fmt.Sprintf("l%d", i), Location: l,
			Name: l.String(), BusinessDate: domain.NewBusinessDate(base), RecordedAt: base, RecordedBy: "bench"}
		for p := range int32(6) {
			records = append(records, testfix.Record(tb, domain.Position{Partition: p, Offset: offsets[p]}, e))
			offsets[p]++
		}
	}
	type state struct {
		p     domain.ProductID
		seq   int64
		day   int
		level map[domain.LocationID]int64
	}
	ps := make([]*state, products)
	for i := range ps {
		ps[i] = &state{p: testfix.Product(tb, fmt.Sprintf("P%04d", i)), level: map[domain.LocationID]int64{}}
	}
	for i := range n {
		k := rng.IntN(products)
		s := ps[k]
		s.seq++
		if rng.IntN(4) == 0 {
			s.day++
		}
		at := locs[rng.IntN(len(locs))]
		e := domain.Event{ID: fmt.Sprintf("e%d", i), CommandID: fmt.Sprintf("c%d", i), Product: s.p, ExpectedSeq: s.seq,
			BusinessDate: domain.NewBusinessDate(base.AddDate(0, 0, s.day)), RecordedAt: base, RecordedBy: "bench", Location: at}
		cents := int64(1+rng.IntN(5)) * 100
		switch to := locs[rng.IntN(len(locs))]; {
		case len(locs) > 1 && to != at && rng.IntN(10) == 0 && s.level[at] >= cents:
			e.Type, e.To = domain.TypeStockTransferred, to
			s.level[at] -= cents
			s.level[to] += cents
		case s.level[at] >= cents:
			e.Type = domain.TypeStockSold
			s.level[at] -= cents
		default:
			e.Type = domain.TypeStockRestocked
			cents = 2000 + int64(rng.IntN(20))*100
			s.level[at] += cents
		}
		e.Quantity, _ = domain.QuantityFromCents(cents)
		part := int32(k % 6)
		records = append(records, testfix.Record(tb, domain.Position{Partition: part, Offset: offsets[part]}, e))
		offsets[part]++
	}
	return records
}

// BenchmarkReplayLocations replays, as stockctl replay does, a log of 200,000 events over
// 500 products kept in main only, and the same kind of log over 10 locations with one
// event in ten a transfer, one after the other in the same run, and reports the rate of
// each and their ratio (the target: at least 0.9).
//
//	go test -run '^$' -bench BenchmarkReplayLocations -benchtime 1x ./projections/
func BenchmarkReplayLocations(b *testing.B) {
	ctx := context.Background()
	rate := func(records []domain.Record) float64 {
		start := time.Now()
		path := filepath.Join(b.TempDir(), "operations.db.replay")
		db, err := readmodel.Create(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		stats, err := projections.NewExclusiveLedger(db).CatchUp(ctx, chunkLog{sliceLog{records}, 5000})
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Finish(ctx); err != nil {
			b.Fatal(err)
		}
		db.Close()
		if stats.Accepted != len(records) {
			b.Fatalf("%d of %d events accepted: %+v", stats.Accepted, len(records), stats)
		}
		return float64(len(records)) / time.Since(start).Seconds()
	}
	one, ten := benchLocationLog(b, benchEvents, 500, 1), benchLocationLog(b, benchEvents, 500, 10)
	b.ResetTimer()
	for range b.N {
		r1, r10 := rate(one), rate(ten)
		b.ReportMetric(r1, "events/s-1loc")
		b.ReportMetric(r10, "events/s-10loc")
		b.ReportMetric(r10/r1, "ratio")
	}
}

// TestBenchLocationLogIsAccepted keeps the benchmark's log honest on a small size: every
// event accepted, transfers among them, and the stock per location replayed as the log
// says.
func TestBenchLocationLogIsAccepted(t *testing.T) {
	records := benchLocationLog(t, 3000, 20, 10)
	db := testfix.MustOpenDB(t)
	stats, err := projections.NewLedger(db).Apply(context.Background(), records)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Accepted != len(records) {
		t.Fatalf("%d of %d events accepted: %+v", stats.Accepted, len(records), stats)
	}
	transfers := 0
	for _, r := range records {
		if e, _ := domain.UnmarshalEvent(r.Value); e.Type == domain.TypeStockTransferred {
			transfers++
		}
	}
	if transfers < 100 {
		t.Errorf("%d transfers in 3,000 events", transfers)
	}
}
