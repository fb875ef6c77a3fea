package commands_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// racingLog is the real log with another writer that always gets there first: before
// each append it appends a restock of the same product at the sequence number the
// command expects, so the log rejects every attempt of the command.
type racingLog struct {
	*eventlog.Log
	attempts int
}

func (r *racingLog) Append(ctx context.Context, events ...domain.Event) ([]domain.Position, error) {
	for _, e := range events {
		r.attempts++
		other := e
		other.Type = domain.TypeStockRestocked
		other.ID, other.CommandID = uuid.NewString(), uuid.NewString()
		other.RecordedBy = "the other writer"
		if _, err := r.Log.Append(ctx, other); err != nil {
			return nil, err
		}
	}
	return r.Log.Append(ctx, events...)
}

// TestRetryExhaustionEndsInConflict: when another writer wins every race on a product,
// the sale gives up after DefaultMaxAttempts attempts with ErrConflict, which the CLI
// maps to exit 1 ("conflict"), and the ledger has the command rejected at each attempt
// and never accepted.
func TestRetryExhaustionEndsInConflict(t *testing.T) {
	ctx := context.Background()
	n := mustNode(t, testkafka.Config(t), dbPath(t))
	if _, err := n.restock.Handle(ctx, commands.Restock(op(t, "P1", "100"))); err != nil {
		t.Fatal(err)
	}
	racing := &racingLog{Log: n.log}
	sell := commands.NewSellHandler(racing, n, n.db, uuid.NewString)
	sale := op(t, "P1", "1")
	res, err := sell.Handle(ctx, commands.Sell(sale))
	if !errors.Is(err, commands.ErrConflict) {
		t.Fatalf("a sale that loses every race: %+v, %v; want ErrConflict", res, err)
	}
	if want := fmt.Sprintf("gave up after %d attempts on \"P1\"", commands.DefaultMaxAttempts); !strings.Contains(err.Error(), want) {
		t.Errorf("message %q does not say %q", err, want)
	}
	if f := commands.Classify(err); f.Class != commands.Refused || f.Code != "conflict" {
		t.Errorf("conflict classified as %+v, want refused (exit 1) with code conflict", f)
	}
	if racing.attempts != commands.DefaultMaxAttempts {
		t.Errorf("the sale was appended %d times, want %d (every attempt, no more)", racing.attempts, commands.DefaultMaxAttempts)
	}
	if got, err := n.db.CommandOutcome(ctx, sale.CommandID); err != nil || got.Found {
		t.Fatalf("the ledger accepted the sale that was told it conflicted: %+v, %v", got, err)
	}
	hist, err := n.db.History(ctx, "P1")
	if err != nil {
		t.Fatal(err)
	}
	rejected, accepted := 0, 0
	for _, h := range hist {
		switch {
		case h.Type == "sale" && h.Status == "rejected":
			rejected++
		case h.Type == "restock" && h.Status == "accepted":
			accepted++
		}
	}
	if rejected != commands.DefaultMaxAttempts || accepted != commands.DefaultMaxAttempts+1 {
		t.Errorf("history has %d rejected sales and %d accepted restocks, want %d and %d", rejected, accepted,
			commands.DefaultMaxAttempts, commands.DefaultMaxAttempts+1)
	}
}

// closingLog is the real log; right after the append is acknowledged, the read model is
// closed under the writer, as a process losing its model (disk, I/O) would see it.
type closingLog struct {
	*eventlog.Log
	closeModel func() error
}

func (c closingLog) Append(ctx context.Context, events ...domain.Event) ([]domain.Position, error) {
	pos, err := c.Log.Append(ctx, events...)
	if err == nil {
		err = c.closeModel()
	}
	return pos, err
}

// TestAcknowledgedButNotProjectedIsOutcomeUnknown: a sale the log acknowledged whose
// decision the read model cannot learn is neither a success nor a refusal: it is
// ErrOutcomeUnknown (exit 4) naming where the log acknowledged it and the key to retry
// with, and the retry with that key finds it recorded once. It runs everywhere, unlike
// the process test with chattr (TestAcknowledgedSaleWithUnwritableModelExitsFour).
func TestAcknowledgedButNotProjectedIsOutcomeUnknown(t *testing.T) {
	ctx := context.Background()
	cfg := testkafka.Config(t)
	path := dbPath(t)

	t.Run("the read model fails after the ack", func(t *testing.T) {
		n := mustNode(t, cfg, path)
		if _, err := n.restock.Handle(ctx, commands.Restock(op(t, "P1", "10"))); err != nil {
			t.Fatal(err)
		}
		sell := commands.NewSellHandler(closingLog{Log: n.log, closeModel: n.db.Close}, n, n.db, uuid.NewString)
		sale := op(t, "P1", "3")
		sale.Key = "sale-42"
		_, err := sell.Handle(ctx, commands.Sell(sale))
		checkAckedUnknown(t, err, "3.00", n.log.PartitionOf([]byte("P1")), 1, `retry with the same idempotency key "sale-42"`)

		// The model is back (a new process): the retry under the same key applies nothing.
		again := mustNode(t, cfg, path)
		res, err := again.sell.Handle(ctx, commands.Sell(sale))
		if err != nil || !res.AlreadyRecorded || res.Stock.String() != "7.00" {
			t.Fatalf("retry after the outcome was unknown: %+v, %v; want already recorded at stock 7.00", res, err)
		}
		if snap, err := again.db.Snapshot(ctx, sale.Product); err != nil || snap.Level.String() != "7.00" || snap.Seq != 2 {
			t.Fatalf("stock %+v, %v; want 7.00 after 2 operations (the sale applied once)", snap, err)
		}
	})

	t.Run("the log the read model reads does not hold it", func(t *testing.T) {
		// The writer appends to one topic and projects another: the log acknowledges the
		// event, and catching up never meets it.
		n := mustNode(t, cfg, path)
		elsewhere := mustNode(t, testkafka.Config(t), dbPath(t))
		sell := commands.NewSellHandler(elsewhere.log, n, n.db, uuid.NewString)
		sale := op(t, "P1", "2")
		_, err := sell.Handle(ctx, commands.Sell(sale))
		checkAckedUnknown(t, err, "2.00", elsewhere.log.PartitionOf([]byte("P1")), 0, "is not in the read model after catching up")
		if !strings.Contains(err.Error(), "check the product's history before retrying") {
			t.Errorf("without a key, the advice is to check the history: %v", err)
		}
		if snap, err := n.db.Snapshot(ctx, sale.Product); err != nil || snap.Level.String() != "7.00" {
			t.Fatalf("stock %+v, %v; want 7.00, unchanged", snap, err)
		}
	})
}

// checkAckedUnknown fails unless err is an outcome unknown about an event acknowledged at
// partition p, offset offset, whose message names the sale of qty of P1 and says want.
func checkAckedUnknown(t *testing.T, err error, qty string, p int32, offset int64, want string) {
	t.Helper()
	var unknown *commands.OutcomeUnknownError
	if !errors.As(err, &unknown) || !errors.Is(err, commands.ErrOutcomeUnknown) {
		t.Fatalf("an acknowledged sale the read model did not learn about: %v; want ErrOutcomeUnknown", err)
	}
	if f := commands.Classify(err); f.Class != commands.OutcomeUnknown {
		t.Errorf("classified as %+v, want outcome unknown (exit 4)", f)
	}
	if unknown.Acked == nil || unknown.Acked.Partition != p || unknown.Acked.Offset != offset {
		t.Fatalf("acknowledged at %+v, want partition %d offset %d", unknown.Acked, p, offset)
	}
	for _, s := range []string{fmt.Sprintf("the log acknowledged the sale of %s \"P1\" at partition %d, offset %d", qty, p, offset), want} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q does not say %q", err, s)
		}
	}
}
