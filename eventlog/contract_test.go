package eventlog_test

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/loadgen"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// target is a cluster the contract runs against.
type target struct {
	brokers []string
	faults  *kfake.Cluster // nil where faults cannot be injected (real Kafka)
}

// The event log's contract on the embedded broker, as stockctl runs it with no --brokers.
func TestContractEmbedded(t *testing.T) {
	e, err := eventlog.StartEmbedded(t.TempDir(), "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	runContract(t, target{brokers: []string{e.Addr()}, faults: e.Cluster()})
}

// The same contract on the real Kafka named by STOCKCTL_TEST_BROKERS (make test-kafka).
func TestContractRealKafka(t *testing.T) {
	if !testkafka.Real() {
		t.Skipf("set %s to run the contract on real Kafka (make test-kafka does)", testkafka.EnvBrokers)
	}
	runContract(t, target{brokers: testkafka.Brokers(t)})
}

// runContract is what any cluster stockctl's log runs on must do, through Log's own
// paths: the publisher (Append), the bulk producer (AppendBulk), the Fetch reader (Read)
// and the copy (CopyTo). Each subtest has topics of its own.
func runContract(t *testing.T, tg target) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, target)
	}{
		{"append and read back", testAppendReadBack},
		{"read a range", testReadRange},
		{"bulk append", testBulkAppend},
		{"publisher and bulk path write alike", testSameWire},
		{"each product in one partition in order", testOrderPerKey},
		{"a command appended twice is two records", testAppendTwice},
		{"a retried produce is not duplicated", testIdempotentRetry},
		{"copy", testCopy},
		{"aborted and open transactions are not read", testTransactions},
		{"compressed batches", testCompressedBatches},
		{"records deleted from the start", testRetention},
		{"append to every partition", testAppendToAll},
		{"append to every partition, one refusing", testAppendToAllPartly},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, tg) })
	}
}

const partitions = 3

// open connects to a new topic of partitions partitions on tg.
func open(t *testing.T, tg target, partitions int32) *eventlog.Log {
	t.Helper()
	l, err := eventlog.Connect(context.Background(), eventlog.Config{
		Brokers: tg.brokers, Topic: testkafka.Topic(t), Partitions: partitions, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// events returns n events for each product, interleaved, with IDs tag-product-i.
func events(tag string, products []string, n int) []domain.Event {
	var out []domain.Event
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		for _, name := range products {
			p, err := domain.ParseProductID(name)
			if err != nil {
				panic(err)
			}
			q, _ := domain.QuantityFromCents(int64(100 + i))
			out = append(out, domain.Event{
				Type: domain.TypeStockRestocked, ID: fmt.Sprintf("%s-%s-%d", tag, name, i),
				CommandID: fmt.Sprintf("cmd-%s-%s-%d", tag, name, i), Product: p, Quantity: q,
				ExpectedSeq: int64(i + 1), BusinessDate: domain.NewBusinessDate(at), RecordedAt: at, RecordedBy: "contract",
			})
		}
	}
	return out
}

// readAll reads the whole topic with headers, failing on a gap.
func readAll(t *testing.T, l *eventlog.Log) []eventlog.RawRecord {
	t.Helper()
	ctx := context.Background()
	hw, err := l.HighWatermarks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := l.ReadRaw(ctx, map[int32]int64{}, hw)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Gap != "" {
			t.Fatalf("gap in a healthy log: %s", domain.GapText(r.Partition, r.Offset, r.GapLast, r.Gap))
		}
	}
	return recs
}

// checkOffsetOrder fails unless each partition's records come at offsets 0, 1, 2, … in
// the order read, up to its high watermark.
func checkOffsetOrder(t *testing.T, l *eventlog.Log, recs []eventlog.RawRecord) {
	t.Helper()
	hw, err := l.HighWatermarks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	next := map[int32]int64{}
	for _, r := range recs {
		if r.Offset != next[r.Partition] {
			t.Fatalf("partition %d: read offset %d where %d was due", r.Partition, r.Offset, next[r.Partition])
		}
		next[r.Partition]++
	}
	for p, n := range hw {
		if next[p] != n {
			t.Errorf("partition %d: read %d records, high watermark %d", p, next[p], n)
		}
	}
}

// idOf decodes a record's event ID.
func idOf(t *testing.T, r eventlog.RawRecord) string {
	t.Helper()
	e, err := domain.UnmarshalEvent(r.Value)
	if err != nil {
		t.Fatalf("%d/%d: %v", r.Partition, r.Offset, err)
	}
	return e.ID
}

func testAppendReadBack(t *testing.T, tg target) {
	ctx := context.Background()
	l := open(t, tg, partitions)
	hw, err := l.HighWatermarks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(hw) != partitions || hw[0]+hw[1]+hw[2] != 0 {
		t.Fatalf("a new topic's high watermarks: %v, want %d partitions at 0", hw, partitions)
	}
	evs := events("a", []string{"P1", "P2", "P3", "P4", "P5", "P6"}, 4)
	var pos []domain.Position
	for _, chunk := range [][]domain.Event{evs[:1], evs[1:10], evs[10:]} {
		got, err := l.Append(ctx, chunk...)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(chunk) {
			t.Fatalf("Append of %d events gave %d positions", len(chunk), len(got))
		}
		pos = append(pos, got...)
	}
	want := map[int32]int64{}
	for i, e := range evs {
		if p := eventlog.PartitionFor([]byte(e.Product.String()), partitions); pos[i].Partition != p || l.PartitionOf([]byte(e.Product.String())) != p {
			t.Fatalf("%s went to partition %d, PartitionFor says %d", e.ID, pos[i].Partition, p)
		}
		if pos[i].Offset != want[pos[i].Partition] {
			t.Fatalf("%s got offset %d, want %d (the next of its partition)", e.ID, pos[i].Offset, want[pos[i].Partition])
		}
		want[pos[i].Partition]++
	}
	if hw, err = l.HighWatermarks(ctx); err != nil {
		t.Fatal(err)
	}
	for p := range int32(partitions) {
		if hw[p] != want[p] {
			t.Errorf("high watermark of %d: %d, want %d", p, hw[p], want[p])
		}
	}
	recs := readAll(t, l)
	checkOffsetOrder(t, l, recs)
	at := map[domain.Position]eventlog.RawRecord{}
	for _, r := range recs {
		at[r.Position] = r
	}
	for i, e := range evs {
		r, ok := at[pos[i]]
		value, _ := domain.MarshalEvent(e)
		switch {
		case !ok:
			t.Errorf("%s: nothing read at %v", e.ID, pos[i])
		case string(r.Key) != e.Product.String() || !bytes.Equal(r.Value, value):
			t.Errorf("%s at %v: read key %q value %s", e.ID, pos[i], r.Key, r.Value)
		}
	}
}

func testReadRange(t *testing.T, tg target) {
	ctx := context.Background()
	l := open(t, tg, partitions)
	if _, err := l.Append(ctx, events("r", []string{"P1", "P2", "P3", "P4", "P5", "P6", "P7"}, 3)...); err != nil {
		t.Fatal(err)
	}
	hw, err := l.HighWatermarks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	from, until := map[int32]int64{}, map[int32]int64{}
	want := 0
	for p, n := range hw {
		if n >= 3 {
			from[p], until[p] = 1, n-1
			want += int(n - 2)
		}
	}
	var got []domain.Record
	err = l.Read(ctx, from, until, func(b []domain.Record) error { got = append(got, b...); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != want {
		t.Fatalf("read %d records of [from, until), want %d", len(got), want)
	}
	next := map[int32]int64{}
	for p, o := range from {
		next[p] = o
	}
	for _, r := range got {
		if r.Gap != "" || r.Offset != next[r.Partition] || r.Offset >= until[r.Partition] {
			t.Errorf("read %v (gap %q) where offset %d of [%d, %d) was due", r.Position, r.Gap, next[r.Partition], from[r.Partition], until[r.Partition])
		}
		next[r.Partition]++
	}
	err = l.Read(ctx, hw, hw, func(b []domain.Record) error { t.Errorf("read %d records from the end", len(b)); return nil })
	if err != nil {
		t.Fatal(err)
	}
}

func testBulkAppend(t *testing.T, tg target) {
	l := open(t, tg, partitions)
	evs := loadgen.New(12, 3).Next(3000)
	last := 0
	if err := l.AppendBulk(context.Background(), evs, func(done int) { last = done }); err != nil {
		t.Fatal(err)
	}
	if last != len(evs) {
		t.Errorf("progress ended at %d of %d", last, len(evs))
	}
	recs := readAll(t, l)
	checkOffsetOrder(t, l, recs)
	if len(recs) != len(evs) {
		t.Fatalf("read %d records after a bulk append of %d", len(recs), len(evs))
	}
	checkPerKey(t, evs, recs)
}

// checkPerKey fails unless recs hold evs exactly once each, every product's events in
// its partition (PartitionFor) and in the order appended.
func checkPerKey(t *testing.T, evs []domain.Event, recs []eventlog.RawRecord) {
	t.Helper()
	want := map[string][]string{}
	for _, e := range evs {
		want[e.Product.String()] = append(want[e.Product.String()], e.ID)
	}
	got := map[string][]string{}
	for _, r := range recs {
		if p := eventlog.PartitionFor(r.Key, partitions); r.Partition != p {
			t.Fatalf("%s's record at %v, PartitionFor says partition %d", r.Key, r.Position, p)
		}
		got[string(r.Key)] = append(got[string(r.Key)], idOf(t, r))
	}
	for product, ids := range want {
		if fmt.Sprint(got[product]) != fmt.Sprint(ids) {
			t.Errorf("%s: read %v, appended %v", product, got[product], ids)
		}
	}
	if len(got) != len(want) {
		t.Errorf("read %d products, appended %d", len(got), len(want))
	}
}

func testSameWire(t *testing.T, tg target) {
	ctx := context.Background()
	l := open(t, tg, partitions)
	evs := events("w", []string{"P1"}, 2)
	evs[1].Type = domain.TypeStockSold
	if _, err := l.Append(ctx, evs[0]); err != nil {
		t.Fatal(err)
	}
	if err := l.AppendBulk(ctx, evs[1:], nil); err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, l)
	if len(recs) != 2 {
		t.Fatalf("read %d records, want 2", len(recs))
	}
	for i, r := range recs {
		e := evs[i]
		// Watermill writes the metadata in map order: the set is the contract, not the order.
		got := append([]eventlog.Header(nil), r.Headers...)
		sort.Slice(got, func(a, b int) bool { return got[a].Key < got[b].Key })
		want := []eventlog.Header{{"_watermill_message_uuid", e.ID}, {"event_type", string(e.Type)}, {"product_id", "P1"}}
		if fmt.Sprint(got) != fmt.Sprint(want) || string(r.Key) != "P1" {
			t.Errorf("record %d (%s path): key %q headers %v, want key P1 headers %v",
				i, []string{"publisher", "bulk"}[i], r.Key, got, want)
		}
	}
}

func testOrderPerKey(t *testing.T, tg target) {
	ctx := context.Background()
	l := open(t, tg, partitions)
	products := []string{"P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"}
	evs := events("o", products, 12)
	// Both paths, in turns: each product's order runs through all of them.
	n := len(products)
	if _, err := l.Append(ctx, evs[:3*n]...); err != nil {
		t.Fatal(err)
	}
	if err := l.AppendBulk(ctx, evs[3*n:8*n], nil); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, evs[8*n:10*n]...); err != nil {
		t.Fatal(err)
	}
	if err := l.AppendBulk(ctx, evs[10*n:], nil); err != nil {
		t.Fatal(err)
	}
	checkPerKey(t, evs, readAll(t, l))
}
