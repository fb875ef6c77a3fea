package eventlog_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// testCopy: CopyTo gives a topic with the same records at the same positions, keys,
// values and headers, another program's records included; it resumes where it stopped;
// it refuses a target that is not a copy.
func testCopy(t *testing.T, tg target) {
	ctx := context.Background()
	src := open(t, tg, partitions)
	if _, err := src.Append(ctx, events("c", []string{"P1", "P2", "P3"}, 3)...); err != nil {
		t.Fatal(err)
	}
	if err := src.AppendBulk(ctx, events("cb", []string{"P1", "P2", "P3", "P4", "P5"}, 40), nil); err != nil {
		t.Fatal(err)
	}
	testkafka.ProduceRaw(t, tg.brokers, src.Topic(), [2][]byte{nil, []byte("not an event")}, [2][]byte{[]byte("k"), []byte("{}")})
	dst := open(t, tg, partitions)
	copyAndCompare := func(wantCopied, wantPresent int64) {
		t.Helper()
		stats, err := src.CopyTo(ctx, dst, nil)
		if err != nil {
			t.Fatal(err)
		}
		if stats.Copied != wantCopied || stats.Present != wantPresent {
			t.Fatalf("copy: %+v, want Copied %d Present %d", stats, wantCopied, wantPresent)
		}
		a, b := byPosition(readAll(t, src)), byPosition(readAll(t, dst))
		if len(a) != len(b) {
			t.Fatalf("source has %d records, copy %d", len(a), len(b))
		}
		for i := range a {
			if a[i].Position != b[i].Position || !bytes.Equal(a[i].Key, b[i].Key) || (a[i].Key == nil) != (b[i].Key == nil) ||
				!bytes.Equal(a[i].Value, b[i].Value) || fmt.Sprint(a[i].Headers) != fmt.Sprint(b[i].Headers) {
				t.Fatalf("record %d differs:\nsource %v key %q value %q headers %v\ncopy   %v key %q value %q headers %v",
					i, a[i].Position, a[i].Key, a[i].Value, a[i].Headers, b[i].Position, b[i].Key, b[i].Value, b[i].Headers)
			}
		}
	}
	total := int64(9 + 200 + 2)
	copyAndCompare(total, 0)
	if _, err := src.Append(ctx, events("c2", []string{"P1", "P6"}, 2)...); err != nil {
		t.Fatal(err)
	}
	copyAndCompare(4, total)
	copyAndCompare(0, total+4)

	other := open(t, tg, partitions-1)
	if _, err := src.CopyTo(ctx, other, nil); !errors.Is(err, eventlog.ErrCopyMismatch) {
		t.Errorf("copy to a topic of %d partitions: %v, want ErrCopyMismatch", partitions-1, err)
	}
	stranger := open(t, tg, partitions)
	if _, err := stranger.Append(ctx, events("x", []string{"P1"}, 1)...); err != nil {
		t.Fatal(err)
	}
	if _, err := src.CopyTo(ctx, stranger, nil); !errors.Is(err, eventlog.ErrCopyMismatch) {
		t.Errorf("copy to a topic holding another record: %v, want ErrCopyMismatch", err)
	}
}

// byPosition sorts records by partition, then offset: Read orders them only within a
// partition.
func byPosition(recs []eventlog.RawRecord) []eventlog.RawRecord {
	sort.SliceStable(recs, func(i, j int) bool {
		if recs[i].Partition != recs[j].Partition {
			return recs[i].Partition < recs[j].Partition
		}
		return recs[i].Offset < recs[j].Offset
	})
	return recs
}

// The reader reports where a log skips offsets, and a copy refuses such a log. The only
// way to make one is to damage the embedded broker's segment on disk: here the base
// offset of the batch holding offset 10, outside its CRC, so kfake serves it elsewhere.
func TestContractGapsOnEmbedded(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	e, err := eventlog.StartEmbedded(dir, "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	cfg := eventlog.Config{Brokers: []string{e.Addr()}, Topic: eventlog.DefaultTopic, Partitions: partitions}
	l, err := eventlog.Connect(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	evs := events("g", []string{"P1"}, 20)
	for _, ev := range evs {
		if _, err := l.Append(ctx, ev); err != nil { // one batch each
			t.Fatal(err)
		}
	}
	p := l.PartitionOf([]byte("P1"))
	l.Close()
	e.Close()
	moveBatch(t, filepath.Join(dir, "log", "partitions", fmt.Sprintf("%s-%d", cfg.Topic, p), "0.dat"), 10, 266)

	e, err = eventlog.StartEmbedded(dir, "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cfg.Brokers = []string{e.Addr()}
	if l, err = eventlog.Connect(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	hw, err := l.HighWatermarks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	err = l.Read(ctx, map[int32]int64{}, hw, func(b []domain.Record) error {
		for _, r := range b {
			if r.Gap != "" {
				got += " " + domain.GapText(r.Partition, r.Offset, r.GapLast, r.Gap)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := " " + domain.GapText(p, 10, 10, domain.GapMissing); got != want {
		t.Fatalf("gaps read:%q, want%q", got, want)
	}
	dst, err := eventlog.Connect(ctx, eventlog.Config{Brokers: cfg.Brokers, Topic: "copy", Partitions: partitions})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := l.CopyTo(ctx, dst, nil); !errors.Is(err, eventlog.ErrDamagedLog) {
		t.Fatalf("copy of a log with a gap: %v, want ErrDamagedLog", err)
	}
}

// moveBatch rewrites the base offset of the batch holding offset in a kfake segment.
func moveBatch(t *testing.T, seg string, offset, to int64) {
	t.Helper()
	raw, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	for pos := 0; pos+61 <= len(raw); {
		base := int64(binary.BigEndian.Uint64(raw[pos:]))
		size := 12 + int(binary.BigEndian.Uint32(raw[pos+8:]))
		if last := base + int64(binary.BigEndian.Uint32(raw[pos+23:])); base <= offset && offset <= last {
			binary.BigEndian.PutUint64(raw[pos:], uint64(to))
			if err := os.WriteFile(seg, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		pos += size
	}
	t.Fatalf("no batch holds offset %d in %s", offset, seg)
}
