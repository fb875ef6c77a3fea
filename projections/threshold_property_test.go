package projections_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/testfix"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// withThresholds inserts about one threshold event per eight records into records, each
// in its product's partition, and numbers every partition's offsets again. Thresholds
// change no sequence, so every operation keeps its verdict. Scopes: the total, main, the
// locations loc01…loc03 (declared by benchLocationLog) and ghost, never declared.
func withThresholds(t *testing.T, rng *rand.Rand, records []domain.Record) []domain.Record {
	partOf := map[string]int32{}
	var products []string
	for _, r := range records {
		if k := string(r.Key); k != "" {
			if _, ok := partOf[k]; !ok {
				products = append(products, k)
			}
			partOf[k] = r.Partition
		}
	}
	scopes := []string{"", "", "main", "loc01", "loc02", "loc03", "ghost"}
	var out []domain.Record
	for i, r := range records {
		out = append(out, r)
		if rng.IntN(8) != 0 {
			continue
		}
		p := products[rng.IntN(len(products))]
		scope := scopes[rng.IntN(len(scopes))]
		th := domain.Threshold{Product: testfix.Product(t, p), PerLocation: scope != ""}
		if scope != "" && scope != "main" {
			th.Location, _ = domain.ParseLocationID(scope)
		}
		th.Min, _ = domain.QuantityFromCents(int64(rng.IntN(60)) * 50)
		at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
		m := domain.Metadata{EventID: fmt.Sprintf("t%d", i), CommandID: fmt.Sprintf("tc%d", i), BusinessDate: domain.NewBusinessDate(at), RecordedAt: at, RecordedBy: "prop"}
		e, err := domain.SetThreshold(th, m)
		if err != nil {
			t.Fatal(err)
		}
		if rng.IntN(5) == 0 {
			e = domain.ClearThreshold(th, m)
		}
		out = append(out, testfix.Record(t, domain.Position{Partition: partOf[p]}, e))
	}
	next := map[int32]int64{}
	for i := range out {
		out[i].Offset = next[out[i].Partition]
		next[out[i].Partition]++
	}
	return out
}

// crossingReference decides the crossings of a log from the stock levels a model
// projected one record at a time holds after each record, by the rule as
// docs/architecture.md states it, written again here: a watched stock crosses when it
// goes from above zero to zero, or from above its minimum to at or below it; a
// threshold set at or above its stock, which was above the old minimum or had none,
// crosses too.
type crossingReference struct {
	db         *sql.DB
	levels     map[string]map[string]int64 // product → scope ("" total, else location) → stock
	thresholds map[string]map[string]int64 // product → scope → minimum
	declared   map[int32]map[string]bool
	rows       []string
}

func (c *crossingReference) read(t *testing.T, p string) map[string]int64 {
	out := map[string]int64{}
	var total int64
	if err := c.db.QueryRow(`SELECT coalesce((SELECT stock_cents FROM stock WHERE product_id = ?), 0)`, p).Scan(&total); err != nil {
		t.Fatal(err)
	}
	out[""], out["main"] = total, total
	rows, err := c.db.Query(`SELECT location_id, stock_cents FROM place_stock WHERE product_id = ?`, p)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	spread := false
	for rows.Next() {
		var l string
		var n int64
		if err := rows.Scan(&l, &n); err != nil {
			t.Fatal(err)
		}
		if !spread {
			out["main"], spread = 0, true
		}
		out[l] = n
	}
	return out
}

func (c *crossingReference) cross(pos domain.Position, scope, kind string, stock, min int64, hasMin bool) {
	m := "-"
	if hasMin {
		m = fmt.Sprint(min)
	}
	c.rows = append(c.rows, fmt.Sprintf("%d %d %s %s %d %s", pos.Partition, pos.Offset, scope, kind, stock, m))
}

// step records r's crossings; after is what the model holds once r is applied.
func (c *crossingReference) step(t *testing.T, r domain.Record, apply func()) {
	e, err := domain.UnmarshalEvent(r.Value)
	if err != nil || e.Product.IsZero() {
		if err == nil && e.Type == domain.TypeLocationAdded {
			if c.declared[r.Partition] == nil {
				c.declared[r.Partition] = map[string]bool{"main": true}
			}
			c.declared[r.Partition][e.Location.String()] = true
		}
		apply()
		return
	}
	p := e.Product.String()
	if c.levels[p] == nil {
		c.levels[p] = c.read(t, p)
	}
	if c.thresholds[p] == nil {
		c.thresholds[p] = map[string]int64{}
	}
	if domain.IsThresholdEvent(e.Type) {
		apply()
		scope := ""
		if e.PerLocation {
			scope = e.Location.String()
		}
		if e.Type == domain.TypeThresholdCleared {
			delete(c.thresholds[p], scope)
			return
		}
		if scope != "" && scope != "main" && !c.declared[r.Partition][scope] {
			return // rejected: unknown location
		}
		old, had := c.thresholds[p][scope]
		level := c.levels[p][scope]
		if level <= e.Min.Cents() && (!had || level > old) {
			c.cross(r.Position, scope, "below_min", level, e.Min.Cents(), true)
		}
		c.thresholds[p][scope] = e.Min.Cents()
		return
	}
	before := c.levels[p]
	apply()
	after := c.read(t, p)
	c.levels[p] = after
	min, hasMin := c.thresholds[p][""]
	switch {
	case before[""] > 0 && after[""] == 0:
		c.cross(r.Position, "", "zero", 0, min, hasMin)
	case hasMin && before[""] > min && after[""] <= min:
		c.cross(r.Position, "", "below_min", after[""], min, true)
	}
	for scope, min := range c.thresholds[p] {
		switch {
		case scope == "":
		case before[scope] > 0 && after[scope] == 0:
			c.cross(r.Position, scope, "zero", 0, min, true)
		case before[scope] > min && after[scope] <= min:
			c.cross(r.Position, scope, "below_min", after[scope], min, true)
		}
	}
}

// TestCrossingsLiveMatchAReplayAndAReference: random logs with thresholds, of sales,
// restocks and repairs with closes and rejections (randomRepairLog), or of operations
// and transfers over locations (benchLocationLog), give the crossings and thresholds the
// reference decides, whether projected live in batches of random sizes (shared ledger)
// or by a replay's exclusive ledger; and the two models do not differ.
func TestCrossingsLiveMatchAReplayAndAReference(t *testing.T) {
	ctx := context.Background()
	kinds := map[string]int{}
	for seed := range uint64(12) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 20))
			var base []domain.Record
			if seed < 6 {
				base, _, _ = randomRepairLog(t, rng, 150+rng.IntN(100), 20, 6)
			} else {
				base = benchLocationLog(t, 200+rng.IntN(200), 3+int(seed), 4)
			}
			records := withThresholds(t, rng, base)

			stepwise := testfix.MustOpenDB(t)
			raw, err := sql.Open("sqlite", "file:"+stepwise.Path()+"?mode=ro")
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			ref := &crossingReference{db: raw, levels: map[string]map[string]int64{}, thresholds: map[string]map[string]int64{},
				declared: map[int32]map[string]bool{}}
			l := projections.NewLedger(stepwise)
			for _, r := range records {
				ref.step(t, r, func() {
					if _, err := l.Apply(ctx, []domain.Record{r}); err != nil {
						t.Fatal(err)
					}
				})
			}
			sort.Strings(ref.rows)
			for _, row := range ref.rows {
				f := strings.Split(row, " ")
				where := "total"
				if f[2] != "" {
					where = "location"
				}
				kinds[f[3]+" of a "+where]++
			}
			var wantThresholds []string
			for p, ts := range ref.thresholds {
				for scope, min := range ts {
					wantThresholds = append(wantThresholds, fmt.Sprintf("%s|%s|%d", p, scope, min))
				}
			}
			sort.Strings(wantThresholds)

			shared := testfix.MustOpenDB(t)
			applyInBatches(t, rng, projections.NewLedger(shared), records, 40)
			replayPath := filepath.Join(t.TempDir(), "operations.db.replay")
			replay, err := readmodel.Create(ctx, replayPath)
			if err != nil {
				t.Fatal(err)
			}
			applyInBatches(t, rng, projections.NewExclusiveLedger(replay), records, 40)
			if err := replay.Finish(ctx); err != nil {
				t.Fatal(err)
			}
			replay.Close()
			for name, path := range map[string]string{"stepwise": stepwise.Path(), "shared": shared.Path(), "replay": replayPath} {
				got := readRows(t, path, `SELECT partition || ' ' || "offset" || ' ' || location || ' ' || kind || ' ' || stock_cents || ' ' || coalesce(min_cents, '-') FROM crossings`)
				sort.Strings(got)
				if !reflect.DeepEqual(got, ref.rows) {
					t.Errorf("%s: crossings\n%s\nthe reference says\n%s", name, strings.Join(got, "\n"), strings.Join(ref.rows, "\n"))
				}
				gotT := readRows(t, path, `SELECT product_id || '|' || location || '|' || min_cents FROM thresholds`)
				sort.Strings(gotT)
				if !reflect.DeepEqual(gotT, wantThresholds) {
					t.Errorf("%s: thresholds %v, the reference says %v", name, gotT, wantThresholds)
				}
			}
			diffs, err := readmodel.DiffFiles(ctx, replayPath, "replay", shared.Path(), 10)
			if err != nil || len(diffs) != 0 {
				t.Errorf("the replay's model differs from the shared one's: %v\n%s", err, strings.Join(diffs, "\n"))
			}
		})
	}
	t.Logf("crossings by kind: %v", kinds)
	for _, k := range []string{"zero of a total", "below_min of a total", "zero of a location", "below_min of a location"} {
		if kinds[k] < 5 {
			t.Errorf("the random logs gave %d crossings %s, too few to test it", kinds[k], k)
		}
	}
}
