package commands_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testkafka"
	"github.com/stockctl/stockctl/readmodel"
)

// TestConcurrentWritersNeverOversell runs 8 writers, each with its own connection to one
// broker, selling one unit at a time of a product whose stock cannot cover them all. The
// log decides: exactly the stock is sold, and what each writer was told matches the ledger.
func TestConcurrentWritersNeverOversell(t *testing.T) {
	const (
		writers  = 8
		sales    = 25
		initial  = 100
		product  = "P-hot"
		expected = initial // demand (writers*sales) exceeds stock
	)
	for _, shared := range []bool{true, false} {
		name := "read model per writer"
		if shared {
			name = "one read model file shared by all writers"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			cfg := testkafka.Config(t)
			sharedDB := dbPath(t)
			seed := mustNode(t, cfg, sharedDB)
			if _, err := seed.restock.Handle(ctx, commands.Restock(op(t, product, fmt.Sprint(initial)))); err != nil {
				t.Fatal(err)
			}

			type outcome struct {
				commandID string
				eventID   string // set when accepted
				err       error
			}
			results := make([][]outcome, writers)
			var wg sync.WaitGroup
			for w := range writers {
				path := sharedDB
				if !shared {
					path = dbPath(t)
				}
				n := mustNode(t, cfg, path)
				ops := make([]commands.Operation, sales) // op may fail the test: not in the goroutine
				for i := range ops {
					ops[i] = op(t, product, "1")
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for _, o := range ops {
						res, err := n.sell.Handle(ctx, commands.Sell(o))
						results[w] = append(results[w], outcome{commandID: o.CommandID, eventID: res.Event.ID, err: err})
					}
				}()
			}
			wg.Wait()

			// A fresh read model, built from the log alone, is the judge.
			judge := mustNode(t, cfg, dbPath(t))
			if err := judge.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			// Determinism: the log alone fixes the state; a second fresh projection,
			// reading with other batch boundaries, holds the same contents.
			second := mustNode(t, cfg, dbPath(t))
			if err := second.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			if diffs, err := readmodel.Diff(ctx, judge.db, second.db, 10); err != nil || len(diffs) > 0 {
				t.Errorf("two projections of one log differ: %v %v", diffs, err)
			}
			if diffs, err := readmodel.Diff(ctx, judge.db, seed.db, 10); err != nil {
				t.Errorf("comparing the writers' read model with a fresh projection: %v", err)
			} else if len(diffs) > 0 && shared {
				t.Errorf("the writers' shared read model differs from a fresh projection: %v", diffs)
			}
			accepted := 0
			for w, rs := range results {
				for _, r := range rs {
					recorded, err := judge.db.CommandOutcome(ctx, r.commandID)
					if err != nil {
						t.Fatal(err)
					}
					switch {
					case r.err == nil:
						accepted++
						if !recorded.Found || recorded.EventID != r.eventID {
							t.Errorf("writer %d was told %s was accepted, the ledger has %+v", w, r.eventID, recorded)
						}
					case errors.Is(r.err, domain.ErrInsufficientStock), errors.Is(r.err, commands.ErrConflict):
						if recorded.Found {
							t.Errorf("writer %d was refused (%v) but the ledger accepted command %s", w, r.err, r.commandID)
						}
					default:
						t.Errorf("writer %d: unexpected error %v", w, r.err)
					}
				}
			}
			snap, err := judge.db.Snapshot(ctx, mustProduct(t, product))
			if err != nil {
				t.Fatal(err)
			}
			if accepted != expected || snap.Level.Cents() != int64(initial-accepted)*100 {
				t.Errorf("accepted %d sales, stock %s; want %d sold and stock %d", accepted, snap.Level, expected, initial-expected)
			}
			hist, err := judge.db.History(ctx, product)
			if err != nil {
				t.Fatal(err)
			}
			min := int64(initial * 100)
			for _, h := range hist {
				if h.Status != "accepted" {
					continue
				}
				q, err := domain.ParseQuantity(h.Stock)
				if err != nil && h.Stock != "0.00" {
					t.Fatalf("running stock %q: %v", h.Stock, err)
				}
				if q.Cents() < min {
					min = q.Cents()
				}
			}
			if min < 0 {
				t.Errorf("running stock went below zero: %d hundredths", min)
			}
		})
	}
}
