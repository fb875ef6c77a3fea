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

// TestVoidRacingSalesNeverNegativeAtAnyDate: 8 writers, each a node of its own (its own
// connection to one broker, its own read model), sell one product at random business
// dates while three of them, after their sales, try to void the restock that most of
// those sales need, and two, before theirs, another restock. The
// void and the sales are decided by each writer on its model and again by the log.
// Afterwards, recomputed from the ledger rows in effect in (business date, log position)
// order, no balance of any date is below zero and the balances table and the operations
// view say the same; the restock is voided at most once, by the one void the ledger
// accepted; every writer was told what the ledger decided; and a fresh projection and an
// exclusive replay of the log are identical.
func TestVoidRacingSalesNeverNegativeAtAnyDate(t *testing.T) {
	const writers, salesEach = 8, 6
	ctx := context.Background()
	cfg := testkafka.Config(t)
	seed := mustNode(t, cfg, dbPath(t))
	start := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	restock := func(qty string, day int) string {
		o := op(t, "VD-1", qty)
		o.Date = domain.NewBusinessDate(start.AddDate(0, 0, day))
		res, err := seed.restock.Handle(ctx, commands.Restock(o))
		if err != nil {
			t.Fatal(err)
		}
		return res.Event.ID
	}
	restock("10", 0)
	// Two restocks to void: one after every sale of its writers, when the others have
	// sold much of it, and one before any.
	late, early := restock("20", 4), restock("10", 14)
	// Stock enough at the end for the late void: only the balances of the dates before
	// this restock can refuse it.
	restock("30", 26)
	targets := []string{late, early}

	type outcome struct {
		void    string // the target of a void
		cmd     string
		eventID string
		err     error
	}
	results := make([][]outcome, writers)
	var wg sync.WaitGroup
	for w := range writers {
		n := mustNode(t, cfg, dbPath(t))
		repairs := commands.NewRepairHandler(n.log, n, n.db, n.db, uuid.NewString)
		rng := rand.New(rand.NewPCG(uint64(w), 18))
		var plan []commands.Operation
		for range salesEach {
			o := op(t, "VD-1", fmt.Sprint(1+rng.IntN(3)))
			o.Date = domain.NewBusinessDate(start.AddDate(0, 0, rng.IntN(25)).Add(time.Duration(rng.IntN(2)) * 12 * time.Hour))
			plan = append(plan, o)
		}
		voidAt, target := -1, late
		switch w {
		case 0, 3, 6:
			voidAt = salesEach
		case 1, 4:
			voidAt, target = 0, early
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i <= len(plan); i++ {
				if i == voidAt {
					v := commands.Repair{Kind: domain.TypeOperationVoided, Target: target, Reason: "never delivered",
						CommandID: uuid.NewString(), Operator: fmt.Sprint("writer ", w)}
					res, err := repairs.Handle(ctx, v)
					results[w] = append(results[w], outcome{void: target, cmd: v.CommandID, eventID: res.Event.ID, err: err})
				}
				if i < len(plan) {
					res, err := n.sell.Handle(ctx, commands.Sell(plan[i]))
					results[w] = append(results[w], outcome{cmd: plan[i].CommandID, eventID: res.Event.ID, err: err})
				}
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
	voids, voidRefusals := map[string]int{}, map[string]int{}
	sold, refused := 0, 0
	acceptedVoid := map[string]string{}
	for w, rs := range results {
		for _, r := range rs {
			recorded, err := judge.db.CommandOutcome(ctx, r.cmd)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case r.err == nil:
				if r.void != "" {
					voids[r.void]++
					acceptedVoid[r.void] = r.eventID
				} else {
					sold++
				}
				if !recorded.Found || recorded.EventID != r.eventID {
					t.Errorf("writer %d was told %s was accepted, the ledger has %+v", w, r.eventID, recorded)
				}
			case errors.Is(r.err, domain.ErrInsufficientStock), errors.Is(r.err, commands.ErrConflict),
				r.void != "" && errors.Is(r.err, domain.ErrAlreadyVoided):
				if r.void != "" {
					voidRefusals[r.void]++
				} else {
					refused++
				}
				if recorded.Found {
					t.Errorf("writer %d was refused (%v) but the ledger accepted command %s", w, r.err, r.cmd)
				}
			default:
				t.Errorf("writer %d: unexpected error %v", w, r.err)
			}
		}
	}
	db, err := sql.Open("sqlite", "file:"+judge.db.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, target := range targets {
		if voids[target] > 1 {
			t.Errorf("restock %s was voided %d times", target, voids[target])
		}
		var voidedBy sql.NullString
		var repairs int
		if err := db.QueryRow(`SELECT voided_by, (SELECT count(*) FROM repairs WHERE target_event_id = ?1) FROM ledger WHERE event_id = ?1`, target).
			Scan(&voidedBy, &repairs); err != nil {
			t.Fatal(err)
		}
		if voidedBy.String != acceptedVoid[target] || repairs != voids[target] {
			t.Errorf("restock %s is voided by %q with %d repairs; the writers were told %q, %d times", target, voidedBy.String, repairs,
				acceptedVoid[target], voids[target])
		}
	}
	checkEffectiveBalances(t, db)
	t.Logf("voids accepted %v, refused %v; %d sales accepted, %d refused", voids, voidRefusals, sold, refused)
	if voids[late]+voidRefusals[late] != 3 || voids[early]+voidRefusals[early] != 2 || refused < 5 || sold < 5 {
		t.Errorf("too few refusals or sales to test the rule")
	}
}

// checkEffectiveBalances recomputes every product's balance from the ledger rows in
// effect, in (business date, log position) order: never below zero; the operations view
// says the same, row for row; and the balances table holds it at the end of each date.
func checkEffectiveBalances(t *testing.T, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`SELECT product_id, business_date, delta_cents FROM ledger WHERE voided_by IS NULL
		ORDER BY business_date, partition, "offset"`)
	if err != nil {
		t.Fatal(err)
	}
	bal, ends := map[string]int64{}, map[string]int64{}
	var running []string
	for rows.Next() {
		var p, d string
		var delta int64
		if err := rows.Scan(&p, &d, &delta); err != nil {
			t.Fatal(err)
		}
		bal[p] += delta
		if bal[p] < 0 {
			t.Errorf("%s: the balance after an operation of %s is %d", p, d, bal[p])
		}
		ends[p+" "+d] = bal[p]
		running = append(running, fmt.Sprintf("%s %s %d", d, p, bal[p]))
	}
	rows.Close()
	rows, err = db.Query(`SELECT operation_date, product_ID, stock FROM operations`)
	if err != nil {
		t.Fatal(err)
	}
	var view []string
	for rows.Next() {
		var d, p string
		var stock float64
		if err := rows.Scan(&d, &p, &stock); err != nil {
			t.Fatal(err)
		}
		view = append(view, fmt.Sprintf("%s %s %d", d, p, int64(stock*100+0.5)))
	}
	rows.Close()
	if strings.Join(view, "\n") != strings.Join(running, "\n") {
		t.Errorf("operations view:\n%s\nwant, from the ledger rows in effect:\n%s", strings.Join(view, "\n"), strings.Join(running, "\n"))
	}
	rows, err = db.Query(`SELECT product_id, business_date, end_cents, low_cents FROM balances`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, d string
		var end, low int64
		if err := rows.Scan(&p, &d, &end, &low); err != nil {
			t.Fatal(err)
		}
		if want, ok := ends[p+" "+d]; ok && end != want || low < 0 {
			t.Errorf("balances of %s on %s: end %d, low %d; the ledger rows in effect end at %d", p, d, end, low, want)
		}
	}
}
