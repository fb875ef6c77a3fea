package projections_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// benchRepairLog makes n events over products in six partitions, dated day after day per
// product: sales and restocks, and with pct percent of repairs among them — voids and
// downward corrections of recent sales, counts one unit short, adjustments of one unit
// found — every one of which the rule accepts, so that both logs replay the same kind of
// work with and without repairs.
func benchRepairLog(tb testing.TB, n, products int, pct float64) []domain.Record {
	type sale struct {
		id    string
		date  domain.BusinessDate
		cents int64
	}
	type state struct {
		p      domain.ProductID
		seq    int64
		level  int64
		day    int
		recent []sale
	}
	rng := rand.New(rand.NewPCG(18, 18))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ps := make([]*state, products)
	for i := range ps {
		ps[i] = &state{p: testfix.Product(tb, fmt.Sprintf("P%04d", i))}
	}
	offsets := map[int32]int64{}
	records := make([]domain.Record, 0, n)
	for i := range n {
		k := rng.IntN(products)
		s := ps[k]
		s.seq++
		if rng.IntN(4) == 0 {
			s.day++
		}
		e := domain.Event{ID: fmt.Sprintf("e%d", i), CommandID: fmt.Sprintf("c%d", i), Product: s.p, ExpectedSeq: s.seq,
			BusinessDate: domain.NewBusinessDate(base.AddDate(0, 0, s.day)), RecordedAt: base, RecordedBy: "bench"}
		cents := int64(1+rng.IntN(5)) * 100
		switch x := rng.Float64() * 100; {
		case x < pct/2 && len(s.recent) > 0:
			j := rng.IntN(len(s.recent))
			t := s.recent[j]
			s.recent = append(s.recent[:j], s.recent[j+1:]...)
			e.Type, e.Target, e.Reason, e.BusinessDate = domain.TypeOperationVoided, t.id, "typo", t.date
			s.level += t.cents
			if x >= pct/4 && t.cents > 100 {
				e.Type, cents = domain.TypeOperationCorrected, t.cents-100
				s.level -= cents
				e.Quantity, _ = domain.QuantityFromCents(cents)
			}
		case x < 3*pct/4 && s.level >= 100:
			e.Type, e.Reason = domain.TypeStockCounted, "inventory"
			s.level -= 100
			e.Quantity, _ = domain.QuantityFromCents(s.level)
		case x < pct:
			e.Type, e.Reason = domain.TypeStockAdjusted, "found"
			s.level += 100
			e.Quantity, _ = domain.QuantityFromCents(100)
		case s.level >= cents:
			e.Type = domain.TypeStockSold
			s.level -= cents
			e.Quantity, _ = domain.QuantityFromCents(cents)
			s.recent = append(s.recent, sale{e.ID, e.BusinessDate, cents})
			if len(s.recent) > 20 {
				s.recent = s.recent[1:]
			}
		default:
			e.Type = domain.TypeStockRestocked
			cents = 2000 + int64(rng.IntN(20))*100
			s.level += cents
			e.Quantity, _ = domain.QuantityFromCents(cents)
		}
		part := int32(k % 6)
		pos := domain.Position{Partition: part, Offset: offsets[part]}
		offsets[part]++
		records = append(records, testfix.Record(tb, pos, e))
	}
	return records
}

// benchEvents is the size of the benchmark's logs.
var benchEvents = 200_000

// BenchmarkReplayWithRepairs replays, as stockctl replay does (readmodel.Create,
// NewExclusiveLedger, batches of 5,000, Finish), a log of 200,000 events over 500
// products with no repairs and with 5% and 20% of them repairs. Every event is accepted.
//
//	go test -run '^$' -bench BenchmarkReplayWithRepairs -benchtime 1x -count 3 ./projections/
func BenchmarkReplayWithRepairs(b *testing.B) {
	for _, pct := range []float64{0, 5, 20} {
		records := benchRepairLog(b, benchEvents, 500, pct)
		b.Run(fmt.Sprintf("repairs=%vpct", pct), func(b *testing.B) {
			ctx := context.Background()
			for range b.N {
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
			}
			b.ReportMetric(float64(len(records))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// TestBenchRepairLogIsAccepted keeps the benchmark's log honest on a small size: every
// event accepted, with repairs of each kind among them.
func TestBenchRepairLogIsAccepted(t *testing.T) {
	records := benchRepairLog(t, 5000, 20, 20)
	path, stats := exclusiveModel(t, chunkLog{sliceLog{records}, 700})
	if stats.Accepted != len(records) {
		t.Fatalf("%d of %d accepted: %+v", stats.Accepted, len(records), stats)
	}
	got, _ := modelTables(t, path)
	kinds := map[string]int{}
	for _, r := range got["repairs"] {
		kinds[strings.Split(r, "|")[1]]++
	}
	for _, k := range []domain.EventType{domain.TypeOperationVoided, domain.TypeOperationCorrected, domain.TypeStockCounted, domain.TypeStockAdjusted} {
		if kinds[string(k)] < 50 {
			t.Errorf("%d repairs of type %s in the benchmark's log: %v", kinds[string(k)], k, kinds)
		}
	}
}
