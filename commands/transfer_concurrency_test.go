package commands_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testkafka"
	"github.com/stockctl/stockctl/readmodel"
)

// TestTransfersRacingSalesNeverNegativeAnywhere: 8 writers, each a node of its own, move
// one product between main and north both ways and sell it in both, at random business
// dates. Afterwards, recomputed from the ledger rows in (business date, log position)
// order, no location's balance is ever below zero; each location's balances by date are
// the read model's; the product's total is what was restocked less what was sold; every
// writer was told what the ledger decided; and a replay of the log is identical.
func TestTransfersRacingSalesNeverNegativeAnywhere(t *testing.T) {
	const writers, opsEach = 8, 8
	ctx := context.Background()
	cfg := testkafka.Config(t)
	seed := mustNode(t, cfg, dbPath(t))
	north, _ := domain.ParseLocationID("north")
	add, err := domain.NewLocations().Add(north, "North", domain.Metadata{EventID: uuid.NewString(), CommandID: uuid.NewString(),
		BusinessDate: domain.NewBusinessDate(time.Now()), RecordedAt: time.Now(), RecordedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.log.AppendToAll(ctx, add); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range []struct {
		qty string
		at  domain.LocationID
		day int
	}{{"20", domain.MainLocation, 0}, {"10", north, 2}, {"15", domain.MainLocation, 12}} {
		o := op(t, "TR-1", r.qty)
		o.Date, o.Location = domain.NewBusinessDate(start.AddDate(0, 0, r.day)), r.at
		if _, err := seed.restock.Handle(ctx, commands.Restock(o)); err != nil {
			t.Fatal(err)
		}
	}

	type outcome struct {
		cmd, eventID string
		kind         domain.EventType
		err          error
	}
	results := make([][]outcome, writers)
	var wg sync.WaitGroup
	for w := range writers {
		n := mustNode(t, cfg, dbPath(t))
		transfers := commands.NewTransferHandler(n.log, n, n.db, uuid.NewString)
		rng := rand.New(rand.NewPCG(uint64(w), 19))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range opsEach {
				o := op(t, "TR-1", fmt.Sprint(1+rng.IntN(4)))
				o.Date = domain.NewBusinessDate(start.AddDate(0, 0, rng.IntN(20)).Add(time.Duration(rng.IntN(2)) * 12 * time.Hour))
				var res commands.Result
				var err error
				kind := domain.TypeStockTransferred
				switch rng.IntN(4) {
				case 0:
					o.Location, o.To = domain.MainLocation, north
					res, err = transfers.Handle(ctx, commands.Transfer(o))
				case 1:
					o.Location, o.To = north, domain.MainLocation
					res, err = transfers.Handle(ctx, commands.Transfer(o))
				default:
					kind = domain.TypeStockSold
					if rng.IntN(2) == 0 {
						o.Location = north
					}
					res, err = n.sell.Handle(ctx, commands.Sell(o))
				}
				results[w] = append(results[w], outcome{cmd: o.CommandID, eventID: res.Event.ID, kind: kind, err: err})
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
	counts := map[string]int{}
	for w, rs := range results {
		for _, r := range rs {
			recorded, err := judge.db.CommandOutcome(ctx, r.cmd)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case r.err == nil:
				counts[string(r.kind)+" accepted"]++
				if !recorded.Found || recorded.EventID != r.eventID {
					t.Errorf("writer %d was told %s was accepted, the ledger has %+v", w, r.eventID, recorded)
				}
			case errors.Is(r.err, domain.ErrInsufficientStock), errors.Is(r.err, commands.ErrConflict):
				counts[string(r.kind)+" refused"]++
				if recorded.Found {
					t.Errorf("writer %d was refused (%v) but the ledger accepted command %s", w, r.err, r.cmd)
				}
			default:
				t.Errorf("writer %d: unexpected error %v", w, r.err)
			}
		}
	}
	t.Logf("outcomes: %v", counts)
	for _, k := range []string{"StockTransferred accepted", "StockTransferred refused", "StockSold accepted", "StockSold refused"} {
		if counts[k] < 3 {
			t.Errorf("%d %s: too few to test the rule", counts[k], k)
		}
	}

	db, err := sql.Open("sqlite", "file:"+judge.db.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT business_date, event_type, location, coalesce(to_location, ''), qty_cents, delta_cents FROM ledger
		WHERE product_id = 'TR-1' AND voided_by IS NULL ORDER BY business_date, partition, "offset"`)
	if err != nil {
		t.Fatal(err)
	}
	bal := map[string]int64{}
	ends := map[string]map[string]int64{} // location → date → end
	var total, restocked, sold int64
	for rows.Next() {
		var date, typ, from, to string
		var qty, delta int64
		if err := rows.Scan(&date, &typ, &from, &to, &qty, &delta); err != nil {
			t.Fatal(err)
		}
		moves := map[string]int64{from: delta}
		if typ == string(domain.TypeStockTransferred) {
			moves = map[string]int64{from: -qty, to: qty}
		}
		for l, d := range moves {
			bal[l] += d
			if bal[l] < 0 {
				t.Errorf("%s: %s's balance after a %s is %d", date, l, typ, bal[l])
			}
			if ends[l] == nil {
				ends[l] = map[string]int64{}
			}
			ends[l][date] = bal[l]
		}
		total += delta
		switch typ {
		case string(domain.TypeStockRestocked):
			restocked += qty
		case string(domain.TypeStockSold):
			sold += qty
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for l, byDate := range ends {
		for date, end := range byDate {
			var got int64
			if err := db.QueryRow(`SELECT end_cents FROM place_balances WHERE product_id = 'TR-1' AND location_id = ? AND business_date = ?`, l, date).
				Scan(&got); err != nil || got != end {
				t.Errorf("place_balances of %s on %s: %d (%v), the ledger's rows give %d", l, date, got, err, end)
			}
		}
	}
	var stock int64
	if err := db.QueryRow(`SELECT stock_cents FROM stock WHERE product_id = 'TR-1'`).Scan(&stock); err != nil {
		t.Fatal(err)
	}
	if stock != total || total != restocked-sold || bal["main"]+bal["north"] != total {
		t.Errorf("stock %d, rows' total %d, restocked %d - sold %d, main %d + north %d", stock, total, restocked, sold, bal["main"], bal["north"])
	}
}
