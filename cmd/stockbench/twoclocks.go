package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/loadgen"
)

const (
	// backdatedShare of the events in the second log are dated before their product's
	// latest operation, by up to backdatedWithin: late paperwork, as issue 17 measures it.
	backdatedShare  = 0.02
	backdatedWithin = 90 * 24 * time.Hour
	backdatedName   = "replay, 2% backdated by up to 90 days"
	asOfRuns        = 15
)

// appendBackdated appends a second log of as many events, 2% of them backdated, to a
// topic of its own on the same broker. It runs before either replay, so that both read
// a broker in the same state.
func (b *bench) appendBackdated(ctx context.Context) error {
	b.backdatedTopic = eventlog.DefaultTopic
	if b.topic != "" {
		b.backdatedTopic = b.topic
	}
	b.backdatedTopic += ".backdated"
	log, err := eventlog.Connect(ctx, eventlog.Config{Brokers: strings.Split(b.addr, ","), Topic: b.backdatedTopic})
	if err != nil {
		return err
	}
	defer log.Close()
	g := loadgen.New(b.cfg.products, seed)
	g.Backdate(backdatedShare, backdatedWithin)
	latest := make(map[string]time.Time, b.cfg.products)
	for done := 0; done < b.cfg.events; done += chunk {
		events := g.Next(min(chunk, b.cfg.events-done))
		for _, e := range events {
			p, d := e.Product.String(), e.BusinessDate.Time()
			if d.Before(latest[p]) {
				b.backdated++
			} else {
				latest[p] = d
			}
		}
		if err := log.AppendBulk(ctx, events, nil); err != nil {
			return err
		}
	}
	b.converted = g.Converted
	return nil
}

// backdatedReplay times `stockctl replay` of the backdated log into a data directory of
// its own, right after the in-order replay: its rate against the in-order one is what the
// rule in business-date order costs a replay.
func (b *bench) backdatedReplay(ctx context.Context) error {
	rp, err := b.replayBeside(ctx, filepath.Join(filepath.Dir(b.dataDir), "backdated"), b.backdatedTopic)
	if err != nil {
		return err
	}
	r, d, ratio, cpuRatio, refused := rp.rate, rp.took, rp.ratio, rp.cpuRatio, rp.refused
	b.add(result{name: backdatedName,
		value: fmt.Sprintf("%.0f events/s (%s), %.2f × in-order replay (%.2f × by CPU time); %d backdated, %d refused",
			r, d.Round(time.Millisecond), ratio, cpuRatio, b.backdated, refused),
		target: "≥ 0.9 × in-order replay", ratio: r,
		note: fmt.Sprintf("a second log of %d events on a topic of its own, %d of them dated before their product's latest operation by up to 90 days, each sale no larger than the least balance from its date on (internal/loadgen Backdate; %d backdated sales that no quantity fitted became restocks), replayed right after the in-order log; the ratio is of wall times, the one by CPU time of the processes' user+system time",
			b.cfg.events, b.backdated, b.converted),
		met: func(float64) bool { return ratio >= 0.9 }})
	return nil
}

// besideInOrder is a replay measured beside the in-order one of the same run.
type besideInOrder struct {
	rate            float64 // events/s
	took            time.Duration
	ratio, cpuRatio float64 // to the in-order replay: of wall times, of CPU times
	refused         int
}

// replayBeside times `stockctl replay` of topic into data directory dir and compares it
// with the in-order replay measured before it.
func (b *bench) replayBeside(ctx context.Context, dir, topic string) (besideInOrder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return besideInOrder{}, err
	}
	cmd := exec.CommandContext(ctx, b.bin, "--data-dir", dir, "--brokers", b.addr, "--topic", topic, "replay", "--quiet")
	d, _, err := measure(cmd)
	if err != nil {
		return besideInOrder{}, err
	}
	rp := besideInOrder{rate: rate(b.cfg.events, d), took: d}
	if rp.refused, err = countRejected(ctx, filepath.Join(dir, "operations.db")); err != nil {
		return besideInOrder{}, err
	}
	if b.inOrderReplay > 0 {
		rp.ratio = rp.rate / b.inOrderReplay
	}
	if c := cpu(cmd); c > 0 && b.inOrderCPU > 0 {
		rp.cpuRatio = float64(b.inOrderCPU) / float64(c)
	}
	return rp, nil
}

// cpu returns the user and system time of a process that has exited.
func cpu(cmd *exec.Cmd) time.Duration {
	if cmd.ProcessState == nil {
		return 0
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// countRejected returns how many events a read model rejected.
func countRejected(ctx context.Context, path string) (int, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM rejected_events`).Scan(&n)
	return n, err
}

// asOfDate is a day in the middle of the generated log (its events are 30 s apart from
// 2023-01-01 08:00), so an as-of answer leaves out about half of every product's
// operations, not none.
func (b *bench) asOfDate() string {
	return time.Date(2023, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(b.cfg.events/2) * 30 * time.Second).Format("2006-01-02")
}

// stockAsOf times `stockctl stock --as-of DATE` on the 1M-operation model, for one product
// and for all of them, whole processes, start to exit.
func (b *bench) stockAsOf(ctx context.Context) error {
	day := b.asOfDate()
	for _, c := range []struct {
		name, target string
		limit        time.Duration
		args         []string
	}{
		{"stock --as-of, one product", "median ≤ 50 ms including process start", 50 * time.Millisecond, []string{"stock", "P0001", "--as-of", day}},
		{fmt.Sprintf("stock --as-of, all %d products", b.cfg.products), "median ≤ 500 ms including process start", 500 * time.Millisecond, []string{"stock", "--as-of", day}},
	} {
		times := make([]time.Duration, 0, asOfRuns)
		var failed error
		for range asOfRuns {
			d, _, err := b.stockctl(ctx, c.args...)
			if err != nil {
				failed = err
				break
			}
			times = append(times, d)
		}
		name := fmt.Sprintf("%s (n=%d)", c.name, asOfRuns)
		if failed != nil {
			first, _, _ := strings.Cut(strings.TrimSpace(failed.Error()), "\n")
			b.add(result{name: name, value: "not measured: " + first, target: c.target, met: func(float64) bool { return false }})
			continue
		}
		median, p95 := percentiles(times)
		limit := c.limit
		b.add(result{name: name, value: fmt.Sprintf("median %.1f ms, p95 %.1f ms (as of %s)", ms(median), ms(p95), day),
			target: c.target, met: func(float64) bool { return median <= limit }})
	}
	return nil
}
