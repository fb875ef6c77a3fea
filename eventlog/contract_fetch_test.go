package eventlog_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
)

// What the reader is given by another Kafka client: transactions, compressed batches and
// a log whose start was moved by retention. The records are written with franz-go, as
// another program would, so they are not shaped by stockctl's own producers.

// producer is a franz-go client writing to l's topic, each record to the partition its
// product's key maps to.
func producer(t *testing.T, tg target, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(tg.brokers...), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequestTimeoutOverhead(20 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// recordsOf are evs as records of l's topic, in the partitions Append would choose.
func recordsOf(t *testing.T, l *eventlog.Log, evs []domain.Event) []*kgo.Record {
	t.Helper()
	var out []*kgo.Record
	for _, e := range evs {
		v, err := domain.MarshalEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		key := []byte(e.Product.String())
		out = append(out, &kgo.Record{Topic: l.Topic(), Partition: l.PartitionOf(key), Key: key, Value: v})
	}
	return out
}

// idsRead reads l from its start to its high watermark and returns the event IDs read in
// order, failing on a gap or an error.
func idsRead(t *testing.T, l *eventlog.Log) []string {
	t.Helper()
	var ids []string
	for _, r := range readAll(t, l) {
		ids = append(ids, idOf(t, r))
	}
	return ids
}

func eventIDs(evs []domain.Event) []string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	return ids
}

// testTransactions: records of an aborted transaction are never read (read_committed),
// nor those of a transaction still open, while committed ones are, with no gap reported
// at the offsets the aborted records and the transaction markers take.
func testTransactions(t *testing.T, tg target) {
	ctx := context.Background()
	l := open(t, tg, partitions)
	// One product: every record in one partition, so the aborted ones sit between the
	// committed ones.
	evs := events("x", []string{"P1"}, 8)
	if _, err := l.Append(ctx, evs[0]); err != nil {
		t.Fatal(err)
	}
	txn := producer(t, tg, kgo.TransactionalID(fmt.Sprintf("%s-%d", l.Topic(), time.Now().UnixNano())),
		kgo.TransactionTimeout(60*time.Second))
	inTxn := func(recs []*kgo.Record, end kgo.TransactionEndTry) {
		t.Helper()
		if err := txn.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		if err := txn.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			t.Fatal(err)
		}
		if err := txn.EndTransaction(ctx, end); err != nil {
			t.Fatal(err)
		}
	}
	recs := recordsOf(t, l, evs)
	inTxn(recs[1:3], kgo.TryAbort)
	inTxn(recs[3:4], kgo.TryCommit)
	if _, err := l.Append(ctx, evs[4]); err != nil {
		t.Fatal(err)
	}
	inTxn(recs[5:6], kgo.TryAbort) // aborted records at the end of the log
	want := eventIDs([]domain.Event{evs[0], evs[3], evs[4]})
	if got := idsRead(t, l); !slices.Equal(got, want) {
		t.Fatalf("read %q, want %q: the records of an aborted transaction were read as events", got, want)
	}

	// A transaction left open: its records are not read while it is open, and what
	// precedes it is.
	if err := txn.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := txn.ProduceSync(ctx, recs[6]).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if got := idsRead(t, l); !slices.Equal(got, want) {
		t.Fatalf("with a transaction open, read %q, want %q: the open transaction's records were read", got, want)
	}
	if err := txn.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	want = append(want, evs[6].ID)
	// The commit marker is written asynchronously on real Kafka: wait for the record.
	deadline := time.Now().Add(30 * time.Second)
	for got := idsRead(t, l); !slices.Equal(got, want); got = idsRead(t, l) {
		if time.Now().After(deadline) {
			t.Fatalf("after the commit, read %q, want %q", got, want)
		}
		time.Sleep(50 * time.Millisecond) // polling for the marker, with a deadline
	}
}

// testCompressedBatches: batches compressed with each codec Kafka has are read whole and
// in order, and each record's value is the event as written.
func testCompressedBatches(t *testing.T, tg target) {
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		codec kgo.CompressionCodec
	}{
		{"gzip", kgo.GzipCompression()},
		{"snappy", kgo.SnappyCompression()},
		{"lz4", kgo.Lz4Compression()},
		{"zstd", kgo.ZstdCompression()},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := open(t, tg, partitions)
			evs := events(c.name, []string{"P1", "P2", "P3", "P4"}, 50)
			// A long linger puts each partition's records of one ProduceSync in one batch.
			cl := producer(t, tg, kgo.ProducerBatchCompression(c.codec), kgo.ProducerLinger(50*time.Millisecond))
			if err := cl.ProduceSync(ctx, recordsOf(t, l, evs)...).FirstErr(); err != nil {
				t.Fatal(err)
			}
			recs := readAll(t, l)
			checkOffsetOrder(t, l, recs)
			if len(recs) != len(evs) {
				t.Fatalf("read %d records of %d written in %s batches", len(recs), len(evs), c.name)
			}
			checkPerKey(t, evs, recs)
			byID := map[string]domain.Event{}
			for _, e := range evs {
				byID[e.ID] = e
			}
			for _, r := range recs {
				want, _ := domain.MarshalEvent(byID[idOf(t, r)])
				if string(r.Value) != string(want) {
					t.Fatalf("%d/%d: the value read differs from the one written", r.Partition, r.Offset)
				}
			}
		})
	}
}

// testRetention: records deleted from the start of a partition (as retention or
// DeleteRecords does) make a read from before the new log start fail, saying events were
// deleted and where the log starts now, and never skip to the log start silently; a read
// from the log start on gives the rest without a gap.
func testRetention(t *testing.T, tg target) {
	ctx := context.Background()
	l := open(t, tg, partitions)
	evs := events("r", []string{"P1"}, 10)
	if _, err := l.Append(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	p := l.PartitionOf([]byte("P1"))
	const start = 6
	deleteRecords(t, producer(t, tg), l.Topic(), p, start)

	hw, err := l.HighWatermarks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []domain.Record
	err = l.Read(ctx, map[int32]int64{}, hw, func(b []domain.Record) error { got = append(got, b...); return nil })
	want := fmt.Sprintf("partition %d has no offset 0 (the log starts at %d): events were deleted from the topic", p, start)
	if !errors.Is(err, eventlog.ErrUnavailable) || !strings.Contains(err.Error(), want) {
		t.Fatalf("reading from offset 0 after deleting up to %d: %v, want ErrUnavailable saying %q", start, err, want)
	}
	for _, r := range got {
		if r.Partition == p {
			t.Fatalf("the read gave %d/%d from a partition whose start was deleted", r.Partition, r.Offset)
		}
	}
	got = nil
	if err := l.Read(ctx, map[int32]int64{p: start}, hw, func(b []domain.Record) error { got = append(got, b...); return nil }); err != nil {
		t.Fatalf("reading from the new log start: %v", err)
	}
	if len(got) != len(evs)-start || got[0].Offset != start || got[0].Gap != "" {
		t.Fatalf("reading from offset %d gave %d records (first %+v), want the last %d", start, len(got), got[0].Position, len(evs)-start)
	}
}

// deleteRecords moves the start of partition p of topic to offset, with DeleteRecords.
func deleteRecords(t *testing.T, cl *kgo.Client, topic string, p int32, offset int64) {
	t.Helper()
	req := kmsg.NewPtrDeleteRecordsRequest()
	rt := kmsg.NewDeleteRecordsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewDeleteRecordsRequestTopicPartition()
	rp.Partition, rp.Offset = p, offset
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	req.TimeoutMillis = 20000
	for _, shard := range cl.RequestSharded(context.Background(), req) {
		if shard.Err != nil {
			t.Fatalf("delete records: %v", shard.Err)
		}
		for _, tr := range shard.Resp.(*kmsg.DeleteRecordsResponse).Topics {
			for _, pr := range tr.Partitions {
				if err := kerr.ErrorForCode(pr.ErrorCode); err != nil || pr.LowWatermark != offset {
					t.Fatalf("delete records of %s/%d up to %d: %v, low watermark %d", topic, pr.Partition, offset, err, pr.LowWatermark)
				}
			}
		}
	}
}
