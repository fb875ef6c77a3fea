package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/loadgen"
	"github.com/stockctl/stockctl/ledgercsv"
	"github.com/stockctl/stockctl/readmodel"
)

const (
	seed         = 1
	chunk        = 100_000
	baselineName = "raw SQLite insert (baseline)"
)

func (b *bench) connect(ctx context.Context) (*eventlog.Log, error) {
	return eventlog.Connect(ctx, eventlog.Config{Brokers: strings.Split(b.addr, ","), Topic: b.topic})
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

func (b *bench) appendBulk(ctx context.Context) error {
	log, err := b.connect(ctx)
	if err != nil {
		return err
	}
	defer log.Close()
	g := loadgen.New(b.cfg.products, seed)
	var spent time.Duration
	for done := 0; done < b.cfg.events; done += chunk {
		events := g.Next(min(chunk, b.cfg.events-done))
		start := time.Now()
		if err := log.AppendBulk(ctx, events, nil); err != nil {
			return err
		}
		spent += time.Since(start)
	}
	r := rate(b.cfg.events, spent)
	b.add(result{name: "bulk append", value: fmt.Sprintf("%.0f events/s", r), target: "≥ 100,000 events/s", ratio: r,
		met: func(float64) bool { return r >= 100_000 }})
	return nil
}

func (b *bench) rawRead(ctx context.Context) error {
	log, err := b.connect(ctx)
	if err != nil {
		return err
	}
	defer log.Close()
	hw, err := log.HighWatermarks(ctx)
	if err != nil {
		return err
	}
	n := 0
	start := time.Now()
	err = log.Read(ctx, map[int32]int64{}, hw, func(batch []domain.Record) error {
		n += len(batch)
		return nil
	})
	if err != nil {
		return err
	}
	r := rate(n, time.Since(start))
	b.add(result{name: "raw read of the topic", value: fmt.Sprintf("%.0f records/s", r), ratio: r})
	return nil
}

// sqliteBaseline inserts the ledger rows of the same events into the same table with the
// same driver and pragmas a replay builds with, one prepared single-row INSERT per row and
// one transaction per 10,000 rows: what a plain bulk load of the same data achieves.
func (b *bench) sqliteBaseline(ctx context.Context) error {
	path := filepath.Join(b.dataDir, "baseline.db")
	schema, err := readmodel.Create(ctx, path)
	if err != nil {
		return err
	}
	schema.Close()
	defer readmodel.RemoveBuild(path)
	q := url.Values{}
	for _, p := range []string{"journal_mode(MEMORY)", "synchronous(OFF)", "locking_mode(EXCLUSIVE)", "cache_size(-65536)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	g := loadgen.New(b.cfg.products, seed)
	stock := make(map[domain.ProductID]int64)
	var spent time.Duration
	offset := int64(0)
	for done := 0; done < b.cfg.events; done += chunk {
		events := g.Next(min(chunk, b.cfg.events-done))
		start := time.Now()
		for i := 0; i < len(events); i += 10_000 {
			if err := insertRows(ctx, db, events[i:min(i+10_000, len(events))], stock, &offset); err != nil {
				return err
			}
		}
		spent += time.Since(start)
	}
	r := rate(b.cfg.events, spent)
	b.add(result{name: baselineName, value: fmt.Sprintf("%.0f rows/s", r), ratio: r,
		note: "same rows, same table and indexes, same driver and pragmas; prepared single-row INSERT, 10,000 rows per transaction"})
	return nil
}

func insertRows(ctx context.Context, db *sql.DB, events []domain.Event, stock map[domain.ProductID]int64, offset *int64) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO ledger (partition, "offset", event_id, command_id, command_key,
		event_type, product_id, product_seq, qty_cents, stock_cents, business_date, recorded_at, recorded_by, note, delta_cents)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, e := range events {
		delta := e.Quantity.Cents()
		if e.Type == domain.TypeStockSold {
			delta = -delta
		}
		stock[e.Product] += delta
		h := fnv.New64a()
		h.Write([]byte(e.CommandID))
		key := []byte(e.Product.String())
		*offset++
		if _, err := stmt.ExecContext(ctx, eventlog.PartitionFor(key, 3), *offset, e.ID, e.CommandID, int64(h.Sum64()>>1),
			string(e.Type), e.Product.String(), e.ExpectedSeq, e.Quantity.Cents(), stock[e.Product],
			e.BusinessDate.String(), e.RecordedAt.UTC().Format(time.RFC3339Nano), e.RecordedBy, e.Note, delta); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (b *bench) replay(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, b.bin, append(b.globalArgs(b.dataDir), "replay", "--quiet")...)
	d, rss, err := measure(cmd)
	if err != nil {
		return err
	}
	r := rate(b.cfg.events, d)
	b.inOrderReplay, b.inOrderCPU = r, cpu(cmd)
	b.add(result{name: "replay (process start to exit)", value: fmt.Sprintf("%.0f events/s (%s)", r, d.Round(time.Millisecond)),
		target: "≥ 200,000 events/s and ≥ 0.6 × baseline", ratio: r,
		met: func(base float64) bool { return r >= 200_000 && base > 0 && r >= 0.6*base }})
	b.add(result{name: "replay peak RSS", value: fmt.Sprintf("%.0f MB", float64(rss)/1e6), target: "≤ 200 MB at 1M events",
		met: func(float64) bool { return rss <= 200e6 }})
	return nil
}

func (b *bench) fullReport(ctx context.Context) error {
	out := filepath.Join(filepath.Dir(b.dataDir), "report")
	d, rss, err := b.stockctl(ctx, "report", "--out", out)
	if err != nil {
		return err
	}
	b.add(result{name: "full report (HTML, PNG, SVG)", value: fmt.Sprintf("%s, peak RSS %.0f MB", d.Round(time.Millisecond), float64(rss)/1e6),
		target: "≤ 3 s and ≤ 300 MB at 1M operations", met: func(float64) bool { return d <= 3*time.Second && rss <= 300e6 }})
	return nil
}

func (b *bench) catchUp(ctx context.Context) error {
	// The generator continues where the log ends, so the new events are accepted.
	g := loadgen.New(b.cfg.products, seed)
	for done := 0; done < b.cfg.events; done += chunk {
		g.Next(min(chunk, b.cfg.events-done))
	}
	log, err := b.connect(ctx)
	if err != nil {
		return err
	}
	defer log.Close()
	if err := log.AppendBulk(ctx, g.Next(1000), nil); err != nil {
		return err
	}
	d, _, err := b.stockctl(ctx, "project", "--quiet")
	if err != nil {
		return err
	}
	idle, _, err := b.stockctl(ctx, "project", "--quiet")
	if err != nil {
		return err
	}
	b.add(result{name: "catch-up of 1,000 new events", value: fmt.Sprintf("%s (%s beyond a no-op run's %s)",
		d.Round(time.Millisecond), (d - idle).Round(time.Millisecond), idle.Round(time.Millisecond)),
		target: "≤ 100 ms beyond process start", met: func(float64) bool { return d-idle <= 100*time.Millisecond }})
	return nil
}

func (b *bench) sellLatency(ctx context.Context) error {
	if _, _, err := b.stockctl(ctx, "restock", "BENCH-SELL", "1000000"); err != nil {
		return err
	}
	times := make([]time.Duration, 0, b.cfg.sells)
	for range b.cfg.sells {
		d, _, err := b.stockctl(ctx, "sell", "BENCH-SELL", "1")
		if err != nil {
			return err
		}
		times = append(times, d)
	}
	median, p95 := percentiles(times)
	via := "through stockctl broker"
	if b.topic != "" {
		via = "on the cluster"
	}
	b.add(result{name: fmt.Sprintf("sell %s (n=%d)", via, len(times)),
		value:  fmt.Sprintf("median %.1f ms, p95 %.1f ms", ms(median), ms(p95)),
		target: "median ≤ 50 ms including process start", met: func(float64) bool { return median <= 50*time.Millisecond }})
	return nil
}

// percentiles sorts ds and returns its median and 95th percentile.
func percentiles(ds []time.Duration) (median, p95 time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	median = ds[len(ds)/2]
	if len(ds)%2 == 0 {
		median = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
	}
	return median, ds[min(len(ds)-1, (len(ds)*95+99)/100-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (b *bench) report() string {
	base := b.baseline()
	var s stringsBuilder
	s.printf("# Benchmarks\n\n")
	if b.topic != "" {
		s.printf("Measured by `go run ./cmd/stockbench -brokers %s -events %d` on %s, %s.\n",
			b.addr, b.cfg.events, b.started.UTC().Format("2006-01-02 15:04 MST"), machine())
		s.printf("A log of %d events over %d products on the Kafka cluster at %s, in a new topic;\n", b.cfg.events, b.cfg.products, b.addr)
		s.printf("the import goes to a topic of its own there. Every stockctl figure is a whole process, start to exit.\n")
	} else {
		s.printf("Measured by `make bench` (`go run ./cmd/stockbench -events %d`) on %s, %s.\n",
			b.cfg.events, b.started.UTC().Format("2006-01-02 15:04 MST"), machine())
		s.printf("A log of %d events over %d products on the embedded broker, served by `stockctl broker`\n", b.cfg.events, b.cfg.products)
		s.printf("in its own process; every stockctl figure is a whole process, start to exit.\n")
	}
	s.printf("Ratios are to the raw SQLite insert rate measured in the same run. Each target is\n")
	s.printf("checked against the figure measured: met, or MISSED (listed again below the table).\n\n")
	s.printf("| measure | result | × baseline | target | verdict |\n| --- | --- | --- | --- | --- |\n")
	for _, r := range b.results {
		ratio := ""
		if r.ratio > 0 && base > 0 {
			ratio = fmt.Sprintf("%.2f", r.ratio/base)
		}
		verdict := r.verdict(base)
		if verdict == "MISSED" {
			verdict = "**MISSED**"
		}
		s.printf("| %s | %s | %s | %s | %s |\n", r.name, r.value, ratio, r.target, verdict)
	}
	if misses := b.misses(); len(misses) > 0 {
		s.printf("\n%d of %d targets MISSED:\n\n", len(misses), b.targets())
		for _, m := range misses {
			s.printf("- %s\n", m)
		}
	} else {
		s.printf("\nAll %d targets met.\n", b.targets())
	}
	for _, r := range b.results {
		if r.note != "" {
			s.printf("\n%s: %s.\n", r.name, r.note)
		}
	}
	return s.String()
}

// targets counts the results that have a target.
func (b *bench) targets() int {
	n := 0
	for _, r := range b.results {
		if r.met != nil {
			n++
		}
	}
	return n
}

// misses describes each missed target: "MISSED: NAME: target T, measured V".
func (b *bench) misses() []string {
	base := b.baseline()
	var out []string
	for _, r := range b.results {
		if r.verdict(base) == "MISSED" {
			m := fmt.Sprintf("MISSED: %s: target %s, measured %s", r.name, r.target, r.value)
			if r.ratio > 0 && base > 0 {
				m += fmt.Sprintf(" (%.2f × baseline)", r.ratio/base)
			}
			out = append(out, m)
		}
	}
	return out
}

// importFile writes the same operations as a CSV file in the original format and times
// `stockctl import` of it into a new data directory: on its embedded broker, in-process,
// or, on a cluster, into a topic of its own there.
func (b *bench) importFile(ctx context.Context) error {
	work := filepath.Dir(b.dataDir)
	path := filepath.Join(work, "operations.csv")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := ledgercsv.NewWriter(bufio.NewWriterSize(f, 1<<20))
	g := loadgen.New(b.cfg.products, seed)
	stock := make(map[domain.ProductID]int64)
	for done := 0; done < b.cfg.events; done += chunk {
		for _, e := range g.Next(min(chunk, b.cfg.events-done)) {
			signed := e.Quantity.Cents()
			if e.Type == domain.TypeStockSold {
				signed = -signed
			}
			stock[e.Product] += signed
			if err := w.Write(e.BusinessDate.Time(), e.Product.String(), signed, stock[e.Product]); err != nil {
				return err
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	dir := filepath.Join(work, "import")
	args := b.globalArgs(dir)
	if b.topic != "" {
		args[len(args)-1] += ".import"
	}
	d, rss, err := measure(exec.CommandContext(ctx, b.bin, append(args, "import", "--quiet", path)...))
	if err != nil {
		return err
	}
	r := rate(b.cfg.events, d)
	b.add(result{name: "import of a CSV file (new data directory)", value: fmt.Sprintf("%.0f rows/s (%s, peak RSS %.0f MB)", r, d.Round(time.Millisecond), float64(rss)/1e6),
		target: "≥ 100,000 rows/s", ratio: r, met: func(float64) bool { return r >= 100_000 }})
	return nil
}
