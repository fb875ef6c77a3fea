package commands_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testkafka"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// TestBackdatedWritersNeverNegativeAtAnyDate runs 8 writers, each with its own
// connection to one broker, issuing sales and restocks of a few products at random
// business dates over two months, most of them before the products' latest: the rule in
// business-date order is decided from each writer's read model and again by the log.
// Afterwards, for every product, the balance after every accepted operation in
// (business date, log position) order, recomputed from the ledger rows, is never below
// zero, which is the balance at every business date; the balances table holds those
// figures; what each writer was told matches the ledger; and the writers' model, a fresh
// projection and an exclusive replay of the log are identical, table by table.
func TestBackdatedWritersNeverNegativeAtAnyDate(t *testing.T) {
	const writers, opsEach = 8, 20
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
			products := []string{"BD-1", "BD-2", "BD-3"}
			start := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
			// Each product starts with some stock in the middle of the range, so sales
			// dated before it have none and those after compete for it.
			for _, p := range products {
				o := op(t, p, "20")
				o.Date = domain.NewBusinessDate(start.AddDate(0, 0, 20))
				if _, err := seed.restock.Handle(ctx, commands.Restock(o)); err != nil {
					t.Fatal(err)
				}
			}
			type outcome struct {
				op      commands.Operation
				sale    bool
				eventID string
				err     error
			}
			results := make([][]outcome, writers)
			var wg sync.WaitGroup
			for w := range writers {
				path := sharedDB
				if !shared {
					path = dbPath(t)
				}
				n := mustNode(t, cfg, path)
				rng := rand.New(rand.NewPCG(uint64(w), 17))
				type planned struct {
					o    commands.Operation
					sale bool
				}
				plan := make([]planned, opsEach) // op may fail the test: not in the goroutine
				for i := range plan {
					sale := rng.IntN(10) < 7
					qty := fmt.Sprint(1 + rng.IntN(5))
					if !sale {
						qty = fmt.Sprint(1 + rng.IntN(8))
					}
					o := op(t, products[rng.IntN(len(products))], qty)
					o.Date = domain.NewBusinessDate(start.AddDate(0, 0, rng.IntN(61)).Add(time.Duration(rng.IntN(3)) * 8 * time.Hour))
					plan[i] = planned{o, sale}
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for _, p := range plan {
						var res commands.Result
						var err error
						if p.sale {
							res, err = n.sell.Handle(ctx, commands.Sell(p.o))
						} else {
							res, err = n.restock.Handle(ctx, commands.Restock(p.o))
						}
						results[w] = append(results[w], outcome{op: p.o, sale: p.sale, eventID: res.Event.ID, err: err})
					}
				}()
			}
			wg.Wait()

			judge := mustNode(t, cfg, dbPath(t))
			if err := judge.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			replayed := replayLog(t, judge)
			if diffs, err := readmodel.DiffFiles(ctx, replayed, "replay", judge.db.Path(), 10); err != nil || len(diffs) > 0 {
				t.Errorf("an exclusive replay of the log differs from a fresh projection: %v\n%s", err, strings.Join(diffs, "\n"))
			}
			if shared {
				if err := seed.CatchUp(ctx); err != nil {
					t.Fatal(err)
				}
				if diffs, err := readmodel.Diff(ctx, judge.db, seed.db, 10); err != nil || len(diffs) > 0 {
					t.Errorf("the writers' shared read model differs from a fresh projection: %v\n%s", err, strings.Join(diffs, "\n"))
				}
			}
			accepted, backdated, refused := 0, 0, 0
			for w, rs := range results {
				for _, r := range rs {
					recorded, err := judge.db.CommandOutcome(ctx, r.op.CommandID)
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
						refused++
						if recorded.Found {
							t.Errorf("writer %d was refused (%v) but the ledger accepted command %s", w, r.err, r.op.CommandID)
						}
					default:
						t.Errorf("writer %d: unexpected error %v", w, r.err)
					}
				}
			}
			backdated = checkEveryDate(t, judge.db.Path())
			t.Logf("%d accepted (%d of them dated before an operation accepted earlier), %d refused", accepted, backdated, refused)
			if backdated < 10 || refused < 10 {
				t.Errorf("%d backdated operations accepted and %d refused: too few to test the rule", backdated, refused)
			}
		})
	}
}

// replayLog rebuilds a model from n's log alone, as stockctl replay does, and returns its
// path.
func replayLog(t *testing.T, n *node) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "operations.db.replay")
	db, err := readmodel.Create(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.BindLog(ctx, n.log.Topic(), n.log.Partitions()); err != nil {
		t.Fatal(err)
	}
	l := projections.NewExclusiveLedger(db)
	l.CheckPartitions(n.log.PartitionOf)
	if _, err := l.CatchUp(ctx, n.log); err != nil {
		t.Fatal(err)
	}
	if err := db.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkEveryDate recomputes every product's balance from the ledger rows in (business
// date, log position) order: never below zero, and equal to the balances table at the
// end of each date. It returns how many rows were accepted after a row dated later.
func checkEveryDate(t *testing.T, path string) (backdated int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ends := map[string]int64{}
	rows, err := db.Query(`SELECT product_id || ' ' || business_date, end_cents FROM balances`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var end int64
		if err := rows.Scan(&k, &end); err != nil {
			t.Fatal(err)
		}
		ends[k] = end
	}
	rows.Close()
	rows, err = db.Query(`SELECT product_id, business_date, CASE event_type WHEN 'StockSold' THEN -qty_cents ELSE qty_cents END,
		max(business_date) OVER (PARTITION BY product_id ORDER BY partition, "offset" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
		FROM ledger ORDER BY product_id, business_date, partition, "offset"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	balance := map[string]int64{}
	seen := map[string]int64{}
	for rows.Next() {
		var p, date string
		var delta int64
		var latestBefore sql.NullString
		if err := rows.Scan(&p, &date, &delta, &latestBefore); err != nil {
			t.Fatal(err)
		}
		if latestBefore.Valid && date < latestBefore.String {
			backdated++
		}
		balance[p] += delta
		if balance[p] < 0 {
			t.Errorf("%s: balance %d hundredths after its operation dated %s, in business-date order", p, balance[p], date)
		}
		seen[p+" "+date] = balance[p]
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(ends) {
		t.Errorf("balances has %d rows, the ledger %d product dates", len(ends), len(seen))
	}
	for k, want := range seen {
		if ends[k] != want {
			t.Errorf("balances %s: end %d, the ledger rows give %d", k, ends[k], want)
		}
	}
	return backdated
}
