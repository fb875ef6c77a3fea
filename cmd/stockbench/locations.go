package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/loadgen"
)

const (
	// benchLocations is the number of locations of the third log (main and nine more),
	// as issue 19 measures it.
	benchLocations  = 10
	locationsName   = "replay, 10 locations"
	byLocationRuns  = 15
	byLocationLimit = 100 * time.Millisecond
)

// appendLocations appends a third log of as many events over 10 locations (internal/
// loadgen Locations: half the operations in main, transfers feeding the others) to a
// topic of its own, its locations declared first on every partition. Like the backdated
// log, it is appended before any replay runs.
func (b *bench) appendLocations(ctx context.Context) error {
	b.locationsTopic = eventlog.DefaultTopic
	if b.topic != "" {
		b.locationsTopic = b.topic
	}
	b.locationsTopic += ".locations"
	log, err := eventlog.Connect(ctx, eventlog.Config{Brokers: strings.Split(b.addr, ","), Topic: b.locationsTopic})
	if err != nil {
		return err
	}
	defer log.Close()
	g := loadgen.New(b.cfg.products, seed)
	g.Locations(benchLocations)
	for _, e := range g.Declarations() {
		if _, err := log.AppendToAll(ctx, e); err != nil {
			return err
		}
	}
	for done := 0; done < b.cfg.events; done += chunk {
		if err := log.AppendBulk(ctx, g.Next(min(chunk, b.cfg.events-done)), nil); err != nil {
			return err
		}
	}
	b.transfers = g.Transfers()
	return nil
}

// locationsDir is the data directory the 10-location log is replayed into.
func (b *bench) locationsDir() string { return filepath.Join(filepath.Dir(b.dataDir), "locations") }

// locationsReplay times `stockctl replay` of the 10-location log, right after the
// backdated replay: its rate against the single-location (in-order) replay of the same
// run is what keeping stock per location costs a replay.
func (b *bench) locationsReplay(ctx context.Context) error {
	rp, err := b.replayBeside(ctx, b.locationsDir(), b.locationsTopic)
	if err != nil {
		return err
	}
	r, d, ratio, cpuRatio, refused := rp.rate, rp.took, rp.ratio, rp.cpuRatio, rp.refused
	b.add(result{name: locationsName,
		value: fmt.Sprintf("%.0f events/s (%s), %.2f × single-location replay (%.2f × by CPU time); %d transfers, %d refused",
			r, d.Round(time.Millisecond), ratio, cpuRatio, b.transfers, refused),
		target: "≥ 0.9 × single-location replay", ratio: r,
		note: fmt.Sprintf("a third log of %d events over the same %d products in %d locations on a topic of its own (internal/loadgen Locations: half the operations in main, which is restocked and feeds the others by transfers, sales everywhere, nothing oversold), replayed right after the backdated log; the ratio is of wall times to the in-order replay above, the one by CPU time of the processes' user+system time",
			b.cfg.events, b.cfg.products, benchLocations),
		met: func(float64) bool { return refused == 0 && ratio >= 0.9 }})
	return nil
}

// stockByLocation times `stockctl stock --by-location` on the 10-location model (every
// product × location), whole processes, and plain `stock` on the same model as the floor.
func (b *bench) stockByLocation(ctx context.Context) error {
	args := []string{"--data-dir", b.locationsDir(), "--brokers", b.addr, "--topic", b.locationsTopic, "stock"}
	median := func(extra ...string) (time.Duration, time.Duration, error) {
		times := make([]time.Duration, 0, byLocationRuns)
		for range byLocationRuns {
			d, _, err := measure(exec.CommandContext(ctx, b.bin, append(args, extra...)...))
			if err != nil {
				return 0, 0, err
			}
			times = append(times, d)
		}
		m, p95 := percentiles(times)
		return m, p95, nil
	}
	name := fmt.Sprintf("stock --by-location %d×%d (n=%d)", b.cfg.products, benchLocations, byLocationRuns)
	target := "median ≤ 100 ms including process start"
	m, p95, err := median("--by-location")
	if err == nil {
		var floor time.Duration
		if floor, _, err = median(); err == nil {
			b.add(result{name: name, value: fmt.Sprintf("median %.1f ms, p95 %.1f ms; plain stock on the same model: median %.1f ms", ms(m), ms(p95), ms(floor)),
				target: target, met: func(float64) bool { return m <= byLocationLimit }})
			return nil
		}
	}
	first, _, _ := strings.Cut(strings.TrimSpace(err.Error()), "\n")
	b.add(result{name: name, value: "not measured: " + first, target: target, met: func(float64) bool { return false }})
	return nil
}
