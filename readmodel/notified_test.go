package readmodel_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/readmodel"
)

// crossingRow is an INSERT of a crossing of product P1's total at partition part, offset
// off, as the projection writes one.
func crossingRow(part int32, off int64, location string) string {
	return fmt.Sprintf(`INSERT INTO crossings (partition, "offset", location, product_id, kind, stock_cents, min_cents,
		event_id, event_type, business_date, recorded_at)
		VALUES (%d, %d, '%s', 'P1', 'below_min', 500, 1000, 'e%d-%d', 'StockSold', '2024-03-01', '2024-03-01T12:00:00Z')`,
		part, off, location, part, off)
}

func pendingIDs(t *testing.T, db *readmodel.DB) []string {
	t.Helper()
	cs, err := db.PendingCrossings(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cs {
		ids = append(ids, fmt.Sprintf("%d/%d/%s", c.Partition, c.Offset, c.Location))
	}
	return ids
}

// TestNotifiedStartsAtTheProjectedOffsets: the notifier's first start sets every
// partition's watermark at what is projected then, even a partition with nothing
// projected, so the history is not sent and what comes later is; a second start keeps
// the watermarks; pending crossings come in (partition, offset, location) order, from
// the watermark on, and a watermark never goes back.
func TestNotifiedStartsAtTheProjectedOffsets(t *testing.T) {
	ctx := context.Background()
	db := modelOf(t, everyTableLog(t)[:4]) // partition 0 at 2, partition 1 at 2
	exec(t, db.Path(), crossingRow(0, 1, ""), crossingRow(1, 1, ""))
	first, err := db.StartNotified(ctx)
	if err != nil || !first {
		t.Fatalf("first StartNotified = %v, %v; want true", first, err)
	}
	got, err := db.Notified(ctx)
	if want := map[int32]int64{0: 2, 1: 2}; err != nil || !maps.Equal(got, want) {
		t.Fatalf("watermarks after the first start = %v (%v), want %v", got, err, want)
	}
	if ids := pendingIDs(t, db); len(ids) != 0 {
		t.Fatalf("the history is pending after the first start: %v", ids)
	}
	exec(t, db.Path(), crossingRow(1, 5, ""), crossingRow(0, 7, "north"), crossingRow(0, 7, ""), crossingRow(0, 3, ""), crossingRow(0, 2, ""))
	if first, err := db.StartNotified(ctx); err != nil || first {
		t.Fatalf("second StartNotified = %v, %v; want false", first, err)
	}
	want := []string{"0/2/", "0/3/", "0/7/", "0/7/north", "1/5/"}
	if ids := pendingIDs(t, db); fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Fatalf("pending = %v, want %v", ids, want)
	}
	if err := db.MarkNotified(ctx, 0, 8); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkNotified(ctx, 0, 4); err != nil {
		t.Fatal(err)
	}
	if ids := pendingIDs(t, db); fmt.Sprint(ids) != "[1/5/]" {
		t.Fatalf("pending after partition 0 was marked to 8, then 4 = %v, want [1/5/]", ids)
	}
}

// TestNotifiedStartOnAnEmptyLog: started before anything is projected, every partition
// gets a watermark at 0, so a crossing projected before the next start is still sent.
func TestNotifiedStartOnAnEmptyLog(t *testing.T) {
	ctx := context.Background()
	db := modelOf(t, nil)
	if first, err := db.StartNotified(ctx); err != nil || !first {
		t.Fatalf("StartNotified = %v, %v; want true", first, err)
	}
	exec(t, db.Path(), crossingRow(1, 0, ""))
	if first, err := db.StartNotified(ctx); err != nil || first {
		t.Fatalf("StartNotified after the first = %v, %v; want false", first, err)
	}
	if ids := pendingIDs(t, db); fmt.Sprint(ids) != "[1/0/]" {
		t.Fatalf("pending = %v, want [1/0/]", ids)
	}
}

// TestSwapCarriesNotifiedOver: a replay's rebuild has no notified rows of its own; Swap
// copies the live model's into it, so the notifier does not send again what it sent.
// A watermark past the rebuild's end (the log shortened) comes back to that end.
func TestSwapCarriesNotifiedOver(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "operations.db")
	db, err := readmodel.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.BindLog(ctx, "stock.events", 2); err != nil {
		t.Fatal(err)
	}
	testfix.Apply(t, db, moreLog(t))
	for p, n := range map[int32]int64{0: 3, 1: 9} {
		if err := db.MarkNotified(ctx, p, n); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	built, _ := builtModel(t, readmodel.BuildPath(live), everyTableLog(t)) // partition 0 ends at 3, 1 at 5
	if err := readmodel.Swap(ctx, built, live, time.Second); err != nil {
		t.Fatal(err)
	}
	after, err := readmodel.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
	got, err := after.Notified(ctx)
	if want := map[int32]int64{0: 3, 1: 5}; err != nil || !maps.Equal(got, want) {
		t.Fatalf("watermarks after the swap = %v (%v), want %v", got, err, want)
	}
	if first, err := after.StartNotified(ctx); err != nil || first {
		t.Fatalf("StartNotified after the swap = %v, %v: a replay made the notifier start afresh", first, err)
	}
}

// TestDiffIgnoresNotified: what was notified is a side effect, not a fact of the log, so
// verify, which compares the model with a rebuild, does not compare it.
func TestDiffIgnoresNotified(t *testing.T) {
	ctx := context.Background()
	a, b := modelOf(t, everyTableLog(t)), modelOf(t, everyTableLog(t))
	if err := a.MarkNotified(ctx, 0, 2); err != nil {
		t.Fatal(err)
	}
	if diffs, err := readmodel.Diff(ctx, a, b, 10); err != nil || len(diffs) != 0 {
		t.Fatalf("Diff of two models differing only in notified = %v, %v; want none", diffs, err)
	}
}

// TestSwapOverADamagedModel: a live model that is not a database any more is what a
// replay repairs; it has no watermarks to carry, and the swap goes on without them.
func TestSwapOverADamagedModel(t *testing.T) {
	ctx := context.Background()
	live := filepath.Join(t.TempDir(), "operations.db")
	if err := os.WriteFile(live, []byte(strings.Repeat("not a database. ", 512)), 0o644); err != nil {
		t.Fatal(err)
	}
	built, rebuilt := builtModel(t, readmodel.BuildPath(live), everyTableLog(t))
	if err := readmodel.Swap(ctx, built, live, time.Second); err != nil {
		t.Fatalf("Swap over a damaged model = %v, want it done", err)
	}
	sameAs(t, live, rebuilt, "the model after the swap")
}
