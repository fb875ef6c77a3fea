package readmodel_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sameAs fails unless the model at path holds what the model at want holds.
func sameAs(t *testing.T, path, want, what string) {
	t.Helper()
	diffs, err := readmodel.DiffFiles(context.Background(), path, what, want, 10)
	if err != nil || len(diffs) != 0 {
		t.Fatalf("%s: %v\n%s", what, err, strings.Join(diffs, "\n"))
	}
}

// crashedModel leaves at dir/operations.db the files of a live model whose process was
// killed: the first records checkpointed into the file, the rest committed only in its
// write-ahead log. It returns the path and a model of the same records for comparison.
func crashedModel(t *testing.T, dir string, records []domain.Record, inWAL int) (live, want string) {
	t.Helper()
	ctx := context.Background()
	work := filepath.Join(t.TempDir(), "operations.db")
	db, err := readmodel.Open(ctx, work)
	if err != nil {
		t.Fatal(err)
	}
	testfix.Apply(t, db, records[:len(records)-inWAL])
	db.Close() // the last connection's close folds the log into the file
	if db, err = readmodel.Open(ctx, work); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	testfix.Apply(t, db, records[len(records)-inWAL:])
	// What a kill -9 now would leave: the file and its log, both as they are.
	live = filepath.Join(dir, "operations.db")
	copyFile(t, work, live)
	copyFile(t, work+"-wal", live+"-wal")
	ref := MustOpenDB(t)
	testfix.Apply(t, ref, records)
	// The premise: without its log, the file lacks the last records.
	fileOnly := filepath.Join(t.TempDir(), "file-only.db")
	copyFile(t, live, fileOnly)
	if diffs, err := readmodel.DiffFiles(ctx, fileOnly, "the file alone", ref.Path(), 10); err != nil || len(diffs) == 0 {
		t.Fatalf("the file alone holds every record (%v): the test needs the last ones in the log only", err)
	}
	return live, ref.Path()
}

// builtModel is a finished replay of records at path, as replay leaves it for Swap, and a
// copy of it to compare with.
func builtModel(t *testing.T, path string, records []domain.Record) (built, want string) {
	t.Helper()
	ctx := context.Background()
	db, err := readmodel.Create(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := projections.NewExclusiveLedger(db).Apply(ctx, records); err != nil {
		t.Fatal(err)
	}
	if err := db.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	// Whatever the build wrote is in the file itself: the rename moves only the file.
	for _, p := range []string{path + "-wal", path + "-journal"} {
		if fi, err := os.Stat(p); err == nil && fi.Size() > 0 {
			t.Fatalf("Finish left %s (%d bytes): a rename of the file alone would lose it", p, fi.Size())
		}
	}
	want = filepath.Join(t.TempDir(), "built-copy.db")
	copyFile(t, path, want)
	return path, want
}

// moreLog is everyTableLog with one more operation, for a rebuild that differs from the
// live model.
func moreLog(t *testing.T) []domain.Record {
	return append(everyTableLog(t), ev(t, domain.TypeStockRestocked, "P9", "1", 1, "c9", 0, 3))
}

// TestSwapAfterACrashKeepsTheLiveModelsLog: the live model of a killed process holds its
// last operations only in its write-ahead log. Swap folds that log into the file before
// removing it: stopped between the removal and the rename, as by a crash, the live file
// alone still holds every operation; carried through, the model is the rebuild's, with no
// frame of the old log applied to it. Skipping the fold loses the operations of the log.
func TestSwapAfterACrashKeepsTheLiveModelsLog(t *testing.T) {
	ctx := context.Background()
	log := everyTableLog(t)
	t.Run("stopped before the rename", func(t *testing.T) {
		dir := t.TempDir()
		live, old := crashedModel(t, dir, log, 4)
		built, _ := builtModel(t, readmodel.BuildPath(live), moreLog(t))
		crash := errors.New("crashed before the rename")
		readmodel.CrashSwapBeforeRename(t, crash)
		if err := readmodel.Swap(ctx, built, live, time.Second); !errors.Is(err, crash) {
			t.Fatalf("Swap = %v, want the crash", err)
		}
		if _, err := os.Stat(live + "-wal"); !os.IsNotExist(err) {
			t.Fatalf("the live model's log is still there (%v): the test does not reach the point it means to", err)
		}
		// Read as a process started after the crash would: a copy, which this process
		// has never opened.
		restarted := filepath.Join(t.TempDir(), "operations.db")
		copyFile(t, live, restarted)
		sameAs(t, restarted, old, "the live model left by a swap stopped before the rename")
	})
	t.Run("carried through", func(t *testing.T) {
		dir := t.TempDir()
		live, _ := crashedModel(t, dir, log, 4)
		built, rebuilt := builtModel(t, readmodel.BuildPath(live), moreLog(t))
		if err := readmodel.Swap(ctx, built, live, time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(built); !os.IsNotExist(err) {
			t.Errorf("the build file is still there after the swap: %v", err)
		}
		sameAs(t, live, rebuilt, "the live model after the swap")
	})
}

// TestSwapWaitsForTheProcessesHoldingTheModel: while another process has the live model
// open (Open's shared lock, which a second open file takes exactly as another process's
// would), Swap waits, then gives up with ErrInUse and changes nothing; once it is closed,
// Swap replaces the model.
func TestSwapWaitsForTheProcessesHoldingTheModel(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "operations.db")
	holder, err := readmodel.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	testfix.Apply(t, holder, everyTableLog(t))
	old := filepath.Join(t.TempDir(), "old.db")
	if _, err := holder.SnapshotTo(ctx, old); err != nil {
		t.Fatal(err)
	}
	built, rebuilt := builtModel(t, readmodel.BuildPath(live), moreLog(t))

	const wait = 300 * time.Millisecond
	start := time.Now()
	err = readmodel.Swap(ctx, built, live, wait)
	if !errors.Is(err, readmodel.ErrInUse) || !strings.Contains(err.Error(), "is open in another stockctl process") {
		t.Fatalf("Swap while the model is held = %v, want ErrInUse saying it is open in another process", err)
	}
	if took := time.Since(start); took < wait {
		t.Errorf("Swap gave up after %s, before its wait of %s", took, wait)
	}
	if _, err := os.Stat(built); err != nil {
		t.Errorf("the build file is gone after a refused swap: %v", err)
	}
	sameAs(t, live, old, "the live model after a refused swap")
	// The holder still works on the file it opened.
	if got := len(mustLevels(t, holder)); got != 2 {
		t.Errorf("the holder sees %d stock lines after the refused swap, want 2", got)
	}

	holder.Close()
	if err := readmodel.Swap(ctx, built, live, wait); err != nil {
		t.Fatalf("Swap once the holder closed the model: %v", err)
	}
	sameAs(t, live, rebuilt, "the live model after the swap")
}

func mustLevels(t *testing.T, db *readmodel.DB) []readmodel.StockLevel {
	t.Helper()
	levels, err := db.StockLevels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return levels
}

// TestSwapKeepsAModelWhoseLogAnotherProgramHolds: a program other than stockctl (here a
// plain SQLite connection, as the sqlite3 shell or a backup would be) holds a read
// transaction on the live model, so its last operations stay in the write-ahead log,
// which no checkpoint can fold while the reader lasts. Swap must refuse with ErrInUse and
// keep the log, the model and the build: removing the log and renaming would lose those
// operations. Once the reader ends, Swap replaces the model.
func TestSwapKeepsAModelWhoseLogAnotherProgramHolds(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the read model's 10 s busy timeout")
	}
	t.Parallel()
	ctx := context.Background()
	log := everyTableLog(t)
	live := filepath.Join(t.TempDir(), "operations.db")
	writer, err := readmodel.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	testfix.Apply(t, writer, log[:len(log)-4])
	endRead := foreignReader(t, live)
	testfix.Apply(t, writer, log[len(log)-4:])
	writer.Close()
	if fi, err := os.Stat(live + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the live model has no write-ahead log to keep (%v): the test needs one", err)
	}
	all := MustOpenDB(t)
	testfix.Apply(t, all, log)
	built, rebuilt := builtModel(t, readmodel.BuildPath(live), moreLog(t))

	err = readmodel.Swap(ctx, built, live, time.Second)
	if !errors.Is(err, readmodel.ErrInUse) || !strings.Contains(err.Error(), "could not be folded") {
		t.Fatalf("Swap while another program reads the model = %v, want ErrInUse saying its log could not be folded", err)
	}
	if _, err := os.Stat(built); err != nil {
		t.Errorf("the build file is gone after a refused swap: %v", err)
	}
	endRead()
	// As a process started now would find it: every operation, the log's included.
	sameAs(t, live, all.Path(), "the live model after a refused swap")
	if err := readmodel.Swap(ctx, built, live, time.Second); err != nil {
		t.Fatalf("Swap once the reader ended: %v", err)
	}
	sameAs(t, live, rebuilt, "the live model after the swap")
}

// TestSwapPastAReaderAtTheLatestSnapshot: a program reading the live model at its latest
// snapshot (a sqlite3 shell left open after a query) keeps its write-ahead log from being
// truncated, but every frame of it can be folded into the file: Swap goes ahead, and the
// model is the rebuild.
func TestSwapPastAReaderAtTheLatestSnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the read model's 10 s busy timeout")
	}
	t.Parallel()
	ctx := context.Background()
	live := filepath.Join(t.TempDir(), "operations.db")
	writer, err := readmodel.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	testfix.Apply(t, writer, everyTableLog(t))
	endRead := foreignReader(t, live)
	writer.Close()
	if fi, err := os.Stat(live + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the live model has no write-ahead log (%v): the test needs one", err)
	}
	built, rebuilt := builtModel(t, readmodel.BuildPath(live), moreLog(t))
	if err := readmodel.Swap(ctx, built, live, time.Second); err != nil {
		t.Fatalf("Swap with a reader at the latest snapshot: %v, want the swap done", err)
	}
	endRead()
	sameAs(t, live, rebuilt, "the live model after the swap")
}

// foreignReader holds a read transaction on the model at path through a plain SQLite
// connection, as the sqlite3 shell or a backup would: it takes none of stockctl's locks,
// and its snapshot keeps the write-ahead log from being checkpointed past it. It returns
// the function that ends it (also run when the test ends).
func foreignReader(t *testing.T, path string) (end func()) {
	t.Helper()
	ctx := context.Background()
	reader, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := reader.BeginTx(ctx, nil)
	if err != nil {
		reader.Close()
		t.Fatal(err)
	}
	end = func() {
		tx.Rollback()
		reader.Close()
	}
	t.Cleanup(end)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ledger`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return end
}
