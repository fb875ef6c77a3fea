package eventlog_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
)

// TestDamagedLogNeverReadsAbortedTransactions: the reader reads committed records; past a
// damaged batch, which stops the embedded broker's read_committed fetch, it reads one
// round uncommitted, whose response lists no aborted transactions. An aborted
// transaction after the damage must still not be read as events: its offsets are
// reported missing instead. Embedded broker only: it damages the broker's segment file.
func TestDamagedLogNeverReadsAbortedTransactions(t *testing.T) {
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
	evs := events("g", []string{"P1"}, 24)
	for _, ev := range evs[:20] {
		if _, err := l.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	txn := producer(t, target{brokers: cfg.Brokers}, kgo.TransactionalID(fmt.Sprint("damaged-", time.Now().UnixNano())))
	if err := txn.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := txn.ProduceSync(ctx, recordsOf(t, l, evs[20:22])...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if err := txn.EndTransaction(ctx, kgo.TryAbort); err != nil {
		t.Fatal(err)
	}
	txn.Close()
	p := l.PartitionOf([]byte("P1"))
	read := func(l *eventlog.Log) (n, aborted int, gaps []string) {
		t.Helper()
		hw, err := l.HighWatermarks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = l.Read(ctx, map[int32]int64{}, hw, func(b []domain.Record) error {
			for _, r := range b {
				if r.Gap != "" {
					gaps = append(gaps, domain.GapText(r.Partition, r.Offset, r.GapLast, r.Gap))
					continue
				}
				n++
				for _, a := range evs[20:22] {
					if strings.Contains(string(r.Value), a.ID) {
						aborted++
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n, aborted, gaps
	}
	if n, aborted, gaps := read(l); n != 20 || aborted != 0 || len(gaps) != 0 {
		t.Fatalf("intact log: read %d records, %d of the aborted transaction, gaps %q; want 20, 0, none", n, aborted, gaps)
	}
	l.Close()
	e.Close()
	moveBatch(t, filepath.Join(dir, "log", "partitions", fmt.Sprintf("%s-%d", cfg.Topic, p), "0.dat"), 10, 266)
	if e, err = eventlog.StartEmbedded(dir, "127.0.0.1:0", false); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cfg.Brokers = []string{e.Addr()}
	if l, err = eventlog.Connect(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	n, aborted, gaps := read(l)
	t.Logf("damaged log: %d records, gaps %q", n, gaps)
	if aborted != 0 {
		t.Errorf("damaged log: %d records of the aborted transaction were read as events (gaps %q)", aborted, gaps)
	}
	if !strings.Contains(strings.Join(gaps, "; "), "offset 10 missing") {
		t.Errorf("damaged log: gaps %q, want the damaged offset 10 reported missing", gaps)
	}
}

// TestReadPastTheEndIsNotAnOpenTransaction: a read asked to go past a partition's end (a
// high watermark taken from another leader that the new one has not reached yet) is not
// stopped as if a transaction were open there: it fails as unavailable once its retries
// are spent, so a caller waiting for its own event learns it did not get there.
// Embedded broker only: a real broker's high watermark cannot be made to lag on demand;
// the rule is the reader's, the same whichever broker.
func TestReadPastTheEndIsNotAnOpenTransaction(t *testing.T) {
	e, err := eventlog.StartEmbedded(t.TempDir(), "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	ctx := context.Background()
	l := open(t, target{brokers: []string{e.Addr()}}, partitions)
	if _, err := l.Append(ctx, events("x", []string{"P1"}, 3)...); err != nil {
		t.Fatal(err)
	}
	p := l.PartitionOf([]byte("P1"))
	hw, err := l.HighWatermarks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = l.Read(ctx, map[int32]int64{}, map[int32]int64{p: hw[p] + 5}, func(b []domain.Record) error {
		n += len(b)
		return nil
	})
	if !errors.Is(err, eventlog.ErrUnavailable) {
		t.Fatalf("read to %d of a partition ending at %d: %d records, err %v; want ErrUnavailable", hw[p]+5, hw[p], n, err)
	}
}
