package commands_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// chunkLog is the real log, counting the events of each AppendBulk call; the call
// numbered failAt (from 1) fails before sending anything, as a broker going away between
// two chunks would leave it.
type chunkLog struct {
	*eventlog.Log
	calls  []int
	failAt int
}

func (c *chunkLog) AppendBulk(ctx context.Context, events []domain.Event, progress func(int)) error {
	c.calls = append(c.calls, len(events))
	if len(c.calls) == c.failAt {
		return errors.New("the broker went away between two chunks")
	}
	return c.Log.AppendBulk(ctx, events, progress)
}

var chunkProducts = []string{"P1", "P2", "P3"}

// restockRows are n rows restocking 1 unit of P1, P2, P3 in turn, one day apart, with
// the line numbers of a file with a header.
func restockRows(t *testing.T, n int) []commands.ImportRow {
	rows := make([]commands.ImportRow, n)
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		// A minute apart: 50,001 rows a day apart would reach 2161, refused as future dates.
		rows[i] = commands.ImportRow{Line: i + 2, Date: domain.NewBusinessDate(at.Add(time.Duration(i) * time.Minute)),
			Product: mustProduct(t, chunkProducts[i%len(chunkProducts)]), Quantity: mustQuantity(t, "1")}
	}
	return rows
}

// ledgerCounts returns the accepted and rejected operations of chunkProducts.
func ledgerCounts(t *testing.T, n *node) (accepted, rejected int) {
	t.Helper()
	for _, p := range chunkProducts {
		hist, err := n.db.History(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hist {
			if h.Status == "accepted" {
				accepted++
			} else {
				rejected++
			}
		}
	}
	return accepted, rejected
}

// importRows imports rows as file "rows.csv" through log.
func importRows(n *node, log commands.BulkLog, rows []commands.ImportRow) (commands.ImportReport, error) {
	h := commands.NewImportHandler(log, n, n.db, uuid.NewString)
	return h.Handle(context.Background(), commands.Import{Rows: rows, Source: "rows.csv", Operator: "test"})
}

// TestImportChunkBoundaries: an import appends its rows a chunk at a time; on each side
// of a chunk boundary (chunk size 4 here), every row is appended in exactly one chunk,
// recorded once, and importing again records nothing.
func TestImportChunkBoundaries(t *testing.T) {
	commands.SetImportChunk(t, 4)
	for _, tc := range []struct {
		rows  int
		calls []int
	}{
		{3, []int{3}}, {4, []int{4}}, {5, []int{4, 1}}, {11, []int{4, 4, 3}}, {12, []int{4, 4, 4}}, {13, []int{4, 4, 4, 1}},
	} {
		t.Run(fmt.Sprint(tc.rows, " rows"), func(t *testing.T) {
			n := mustNode(t, testkafka.Config(t), dbPath(t))
			log := &chunkLog{Log: n.log}
			rep, err := importRows(n, log, restockRows(t, tc.rows))
			if err != nil || rep.Appended != tc.rows || rep.Rejected != 0 {
				t.Fatalf("import of %d rows: %+v, %v", tc.rows, rep, err)
			}
			if !slices.Equal(log.calls, tc.calls) {
				t.Errorf("appended in chunks of %v, want %v", log.calls, tc.calls)
			}
			if acc, rej := ledgerCounts(t, n); acc != tc.rows || rej != 0 {
				t.Errorf("the ledger has %d accepted and %d rejected operations, want each of the %d rows once", acc, rej, tc.rows)
			}
			again, err := importRows(n, log, restockRows(t, tc.rows))
			if err != nil || again.Already != tc.rows || again.Appended != 0 {
				t.Errorf("importing again: %+v, %v; want all %d already recorded", again, err, tc.rows)
			}
		})
	}
}

// TestImportFailureBetweenChunks: an import whose second chunk fails leaves the first
// chunk recorded whole and the rest not at all, says the rows may be partly recorded
// (outcome unknown, exit 4), and the same import run again records exactly the rest.
func TestImportFailureBetweenChunks(t *testing.T) {
	commands.SetImportChunk(t, 4)
	const total = 10
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	_, err := importRows(n, &chunkLog{Log: n.log, failAt: 2}, restockRows(t, total))
	if !errors.Is(err, commands.ErrOutcomeUnknown) || !strings.Contains(err.Error(), "the rows may be partly recorded") ||
		!strings.Contains(err.Error(), "running the same import again is safe") {
		t.Fatalf("an import failing at its second chunk: %v; want outcome unknown, partly recorded", err)
	}
	if err := n.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if acc, rej := ledgerCounts(t, n); acc != 4 || rej != 0 {
		t.Fatalf("after the failure the ledger has %d accepted and %d rejected operations, want the first chunk's 4", acc, rej)
	}
	rep, err := importRows(n, &chunkLog{Log: n.log}, restockRows(t, total))
	if err != nil || rep.Already != 4 || rep.Appended != total-4 || rep.Rejected != 0 {
		t.Fatalf("the re-run: %+v, %v; want 4 already recorded and %d appended", rep, err, total-4)
	}
	if acc, rej := ledgerCounts(t, n); acc != total || rej != 0 {
		t.Fatalf("after the re-run the ledger has %d accepted and %d rejected operations, want each of the %d rows once", acc, rej, total)
	}
}

// TestImportDefaultChunk: the default chunk is 50,000 events: a file of 50,001 rows is
// appended as 50,000 and 1, each row recorded once.
func TestImportDefaultChunk(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 50,001 rows")
	}
	const rows = 50_001
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	log := &chunkLog{Log: n.log}
	rep, err := importRows(n, log, restockRows(t, rows))
	if err != nil || rep.Appended != rows || rep.Rejected != 0 {
		t.Fatalf("import of %d rows: %+v, %v", rows, rep, err)
	}
	if !slices.Equal(log.calls, []int{50_000, 1}) {
		t.Errorf("appended in chunks of %v, want [50000 1]", log.calls)
	}
	if acc, rej := ledgerCounts(t, n); acc != rows || rej != 0 {
		t.Errorf("the ledger has %d accepted and %d rejected operations, want each of the %d rows once", acc, rej, rows)
	}
}
