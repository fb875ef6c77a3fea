package projections_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// chunkLog is a Source over records held in memory that gives them size at a time, so
// that a command repeated in the log falls in one batch or in two.
type chunkLog struct {
	sliceLog
	size int
}

func (c chunkLog) Read(_ context.Context, from, until map[int32]int64, fn func([]domain.Record) error) error {
	var batch []domain.Record
	for _, r := range c.records {
		if r.Offset >= from[r.Partition] && r.Offset < until[r.Partition] {
			batch = append(batch, r)
		}
		if len(batch) == c.size {
			if err := fn(batch); err != nil {
				return err
			}
			batch = nil
		}
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}

// duplicateLog holds commands accepted once and found again: in the same batch, in a
// later batch, for another product in another partition; and n more distinct commands.
func duplicateLog(t *testing.T, n int) (records []domain.Record, duplicates int) {
	const R, S = domain.TypeStockRestocked, domain.TypeStockSold
	records = []domain.Record{
		event(t, R, "P1", "10", 1, "c1", 0, 0),
		event(t, S, "P1", "2", 2, "c2", 0, 1),
		event(t, S, "P1", "2", 3, "c2", 0, 2), // c2 again, in its own batch
		raw(0, 3, "x", "not json"),
		event(t, R, "P1", "1", 3, "c1", 0, 4), // c1 again, batches later
		event(t, S, "P1", "1", 3, "c5", 0, 5),
		event(t, R, "P2", "5", 1, "c3", 1, 0),
		event(t, R, "P2", "5", 2, "c1", 1, 1), // c1 again, another product and partition
		event(t, S, "P2", "9", 2, "c4", 1, 2), // more than the stock
		event(t, S, "P2", "1", 2, "c6", 1, 3),
	}
	for i := range n {
		records = append(records, event(t, R, "P3", "1", int64(i+1), fmt.Sprintf("n%d", i), 2, int64(i)))
	}
	return records, 3
}

// count runs a count(*) query on the model at path.
func count(t *testing.T, path, query string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// exclusiveModel catches a new model up with log through an exclusive ledger, as replay
// and verify build theirs, after marking seen as its filter's false positives, and
// returns the finished file.
func exclusiveModel(t *testing.T, log projections.Source, seen ...string) (string, projections.Stats) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "operations.db.replay")
	db, err := readmodel.Create(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := projections.NewExclusiveLedger(db)
	l.MarkSeen(seen...)
	stats, err := l.CatchUp(ctx, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	return path, stats
}

// TestExclusiveLedgerMatchesTheSharedOne projects a log with repeated commands through the
// exclusive ledger of replay and verify (a Bloom filter of the commands it accepted,
// stock in memory) and through the shared ledger of project: both must reject every
// repeat as a duplicate and build identical models, in batches of every size, and with
// the filter full of false positives. A filter that answers "not seen" for commands it
// has seen lets a repeat in a later batch be accepted again; one whose "seen" is taken as
// an answer without asking the store drops its false positives.
func TestExclusiveLedgerMatchesTheSharedOne(t *testing.T) {
	ctx := context.Background()
	records, duplicates := duplicateLog(t, 20)
	var all []string
	for _, r := range records {
		if e, err := domain.UnmarshalEvent(r.Value); err == nil {
			all = append(all, e.CommandID)
		}
	}
	for _, size := range []int{1, 3, len(records)} {
		for _, falsePositives := range []bool{false, true} {
			t.Run(fmt.Sprintf("batch=%d,falsePositives=%v", size, falsePositives), func(t *testing.T) {
				log := chunkLog{sliceLog{records}, size}
				shared := MustOpenDB(t)
				want, err := projections.NewLedger(shared).CatchUp(ctx, log)
				if err != nil {
					t.Fatal(err)
				}
				var seen []string
				if falsePositives {
					seen = all
				}
				path, got := exclusiveModel(t, log, seen...)
				if got.Accepted != want.Accepted || got.Rejected != want.Rejected || got.Skipped != want.Skipped || got.Read != want.Read {
					t.Errorf("exclusive ledger: %+v; shared ledger: %+v", got, want)
				}
				for _, p := range []string{shared.Path(), path} {
					if n := count(t, p, `SELECT count(*) FROM rejected_events WHERE reason = 'duplicate_command'`); n != duplicates {
						t.Errorf("%s: %d commands rejected as duplicates, want %d", filepath.Base(p), n, duplicates)
					}
				}
				diffs, err := readmodel.DiffFiles(ctx, path, "exclusive", shared.Path(), 10)
				if err != nil || len(diffs) != 0 {
					t.Fatalf("the exclusive ledger's model differs from the shared one's: %v\n%s", err, strings.Join(diffs, "\n"))
				}
			})
		}
	}
}

// askingStore is a read model that records which commands a ledger asked it about.
type askingStore struct {
	projections.Store
	asked []string
}

func (s *askingStore) Project(ctx context.Context, fn func(projections.Tx) error) error {
	return s.Store.Project(ctx, func(tx projections.Tx) error { return fn(askingTx{tx, s}) })
}

type askingTx struct {
	projections.Tx
	s *askingStore
}

func (t askingTx) AcceptedCommands(ids []string) (map[string]bool, error) {
	t.s.asked = append(t.s.asked, ids...)
	return t.Tx.AcceptedCommands(ids)
}

// TestExclusiveLedgerAsksTheStoreOnlyAboutRepeats: the filter's point is that a replay
// asks its store only about commands it may have accepted, the repeats, not about the
// new commands that are almost all of a log (a filter saying "seen" to everything asks
// about all of them). With 5 hashes over 2^26 bits, 220 commands give a false positive
// with a chance under 10^-20: the count is exact.
func TestExclusiveLedgerAsksTheStoreOnlyAboutRepeats(t *testing.T) {
	ctx := context.Background()
	records, _ := duplicateLog(t, 200)
	for _, exclusive := range []bool{false, true} {
		t.Run(fmt.Sprintf("exclusive=%v", exclusive), func(t *testing.T) {
			store := &askingStore{Store: MustOpenDB(t)}
			l := projections.NewLedger(store)
			if exclusive {
				l = projections.NewExclusiveLedger(store)
			}
			if _, err := l.CatchUp(ctx, chunkLog{sliceLog{records}, 3}); err != nil {
				t.Fatal(err)
			}
			// Asked about: c1 in each of the two later batches that repeat it (c2's repeat
			// shares c2's batch, which knows it without asking).
			want := []string{"c1", "c1"}
			if !exclusive {
				want = nil // the shared ledger asks about every event
				for _, r := range records {
					if e, err := domain.UnmarshalEvent(r.Value); err == nil {
						want = append(want, e.CommandID)
					}
				}
			}
			slices.Sort(store.asked)
			slices.Sort(want)
			if !slices.Equal(store.asked, want) {
				t.Fatalf("the store was asked about %d commands %v, want %d %v", len(store.asked), trim(store.asked), len(want), trim(want))
			}
		})
	}
}

func trim(s []string) []string { return s[:min(len(s), 10)] }

// TestExclusiveLedgerOnAStoreBuiltBefore: an exclusive ledger's filter knows only the
// commands it accepted itself; on a store that already holds some, it must ask about
// every command, or a repeat of one accepted before it started is accepted again.
func TestExclusiveLedgerOnAStoreBuiltBefore(t *testing.T) {
	ctx := context.Background()
	records, duplicates := duplicateLog(t, 0)
	db := MustOpenDB(t)
	if _, err := projections.NewLedger(db).Apply(ctx, records[:2]); err != nil { // c1, c2 accepted
		t.Fatal(err)
	}
	if _, err := projections.NewExclusiveLedger(db).CatchUp(ctx, chunkLog{sliceLog{records}, 1}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db.Path(), `SELECT count(*) FROM rejected_events WHERE reason = 'duplicate_command'`); n != duplicates {
		t.Fatalf("%d commands rejected as duplicates, want %d", n, duplicates)
	}
}
