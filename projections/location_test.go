package projections_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// locationCopy is a partition's copy of a location event.
func locationCopy(tb testing.TB, typ domain.EventType, id, loc, name string, part int32, off int64) domain.Record {
	tb.Helper()
	l, err := domain.ParseLocationID(loc)
	if err != nil {
		tb.Fatal(err)
	}
	at := time.Date(2024, 4, 1, 12, 0, 0, 0, time.UTC)
	return testfix.Record(tb, domain.Position{Partition: part, Offset: off}, domain.Event{Type: typ, ID: id, CommandID: id,
		Location: l, Name: name, BusinessDate: domain.NewBusinessDate(at), RecordedAt: at, RecordedBy: "ana"})
}

// in moves rec's event to location loc (re-encoded).
func inLocation(tb testing.TB, rec domain.Record, loc string) domain.Record {
	tb.Helper()
	e, err := domain.UnmarshalEvent(rec.Value)
	if err != nil {
		tb.Fatal(err)
	}
	if e.Location, err = domain.ParseLocationID(loc); err != nil {
		tb.Fatal(err)
	}
	return testfix.Record(tb, rec.Position, e)
}

// TestLocationCloseIsDecidedPerPartition: a close racing with a restock into the location
// is ordered by the log in each partition. Where the restock comes first (partition 0,
// within one batch and across two), the close is rejected there (location_not_empty), and
// the location stays open in that partition; in the other, which holds nothing there, it is
// accepted, and an operation there is then refused (location_closed). A replay decides the
// same.
func TestLocationCloseIsDecidedPerPartition(t *testing.T) {
	ctx := context.Background()
	records := []domain.Record{
		locationCopy(t, domain.TypeLocationAdded, "add", "north", "North", 0, 0),
		locationCopy(t, domain.TypeLocationAdded, "add", "north", "North", 1, 0),
		inLocation(t, dated(t, domain.TypeStockRestocked, "P1", "5", 1, "2024-05-01", 0, 1), "north"),
		locationCopy(t, domain.TypeLocationClosed, "close", "north", "", 0, 2),
		locationCopy(t, domain.TypeLocationClosed, "close", "north", "", 1, 1),
		inLocation(t, dated(t, domain.TypeStockRestocked, "P2", "5", 1, "2024-05-01", 1, 2), "north"),
		inLocation(t, dated(t, domain.TypeStockSold, "P1", "2", 2, "2024-05-02", 0, 3), "north"),
		// The same add again (a retried location add): rejected, as it exists.
		locationCopy(t, domain.TypeLocationAdded, "add", "north", "North", 0, 4),
	}
	want := map[string]string{"0/2": "location_not_empty", "1/2": "location_closed", "0/4": "location_exists"}
	for _, batch := range []int{1, 3, len(records)} {
		for _, exclusive := range []bool{false, true} {
			var db *readmodel.DB
			var l *projections.Ledger
			if exclusive {
				var err error
				if db, err = readmodel.Create(ctx, filepath.Join(t.TempDir(), "operations.db.replay")); err != nil {
					t.Fatal(err)
				}
				l = projections.NewExclusiveLedger(db)
			} else {
				db = testfix.MustOpenDB(t)
				l = projections.NewLedger(db)
			}
			for rs := records; len(rs) > 0; rs = rs[min(batch, len(rs)):] {
				if _, err := l.Apply(ctx, rs[:min(batch, len(rs))]); err != nil {
					t.Fatal(err)
				}
			}
			if exclusive {
				if err := db.Finish(ctx); err != nil {
					t.Fatal(err)
				}
			}
			got := readRows(t, db.Path(), `SELECT partition || '/' || "offset" || ' ' || reason FROM rejected_events ORDER BY 1`)
			var wantRows []string
			for pos, reason := range want {
				wantRows = append(wantRows, pos+" "+reason)
			}
			slices.Sort(wantRows)
			if !slices.Equal(got, wantRows) {
				t.Errorf("batches of %d, exclusive %v: rejected %q, want %q", batch, exclusive, got, wantRows)
			}
			locs := readRows(t, db.Path(), `SELECT partition || ' ' || location_id || ' ' || closed FROM locations ORDER BY 1`)
			if w := []string{"0 north 0", "1 north 1"}; !slices.Equal(locs, w) {
				t.Errorf("batches of %d, exclusive %v: locations %q, want %q", batch, exclusive, locs, w)
			}
			stock := readRows(t, db.Path(), `SELECT product_id || ' ' || location_id || ' ' || stock_cents FROM location_stock ORDER BY 1`)
			if w := []string{"P1 north 300"}; !slices.Equal(stock, w) {
				t.Errorf("batches of %d, exclusive %v: stock %q, want %q", batch, exclusive, stock, w)
			}
			db.Close()
		}
	}
}

// readRows returns the single text column of q's rows on the model at path.
func readRows(t *testing.T, path, q string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	for _, r := range queryRows(t, db, q) {
		out = append(out, strings.TrimSpace(r))
	}
	return out
}
