// Command stockbench measures stockctl on a synthetic log: bulk append, raw read, replay
// (rate and peak memory) against a raw SQLite insert baseline measured in the same run,
// replay of a log with 2% backdated operations and of one over 10 locations against the
// in-order replay, stock --by-location, stock --as-of, alerts and reorder,
// catch-up of new events, and sell latency through `stockctl broker`. It checks each
// figure that has a target, marking it met or MISSED (and listing the misses on stderr),
// prints a table and writes it to docs/benchmarks.md. Run it with `make bench`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.stockctl, "stockctl", "bin/stockctl", "the stockctl binary to measure")
	flag.IntVar(&cfg.events, "events", 1_000_000, "events in the generated log (10000000 for the large run)")
	flag.IntVar(&cfg.products, "products", 1000, "products the events are spread over")
	flag.IntVar(&cfg.sells, "sells", 50, "sell commands to time")
	flag.StringVar(&cfg.out, "out", "docs/benchmarks.md", "where to write the results (empty: nowhere)")
	flag.StringVar(&cfg.work, "work", "", "work directory (default: a temporary one, removed after)")
	flag.StringVar(&cfg.brokers, "brokers", "", "measure against this Kafka cluster (a new topic) instead of the embedded broker")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "stockbench:", err)
		os.Exit(1)
	}
}

type config struct {
	stockctl string
	events   int
	products int
	sells    int
	out      string
	work     string
	brokers  string
}

func run(ctx context.Context, cfg config) error {
	bin, err := filepath.Abs(cfg.stockctl)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("stockctl binary: %w (run make build first)", err)
	}
	work := cfg.work
	if work == "" {
		if work, err = os.MkdirTemp("", "stockbench-"); err != nil {
			return err
		}
		defer os.RemoveAll(work)
	}
	b := &bench{cfg: cfg, bin: bin, dataDir: filepath.Join(work, "data"), started: time.Now()}
	if cfg.brokers != "" {
		b.addr, b.topic = cfg.brokers, fmt.Sprintf("bench.%d", time.Now().UnixNano())
	} else {
		if err := b.startBroker(ctx); err != nil {
			return err
		}
		defer b.stopBroker()
	}
	steps := []func(context.Context) error{
		b.appendBulk, b.appendBackdated, b.appendLocations, b.rawRead, b.sqliteBaseline, b.replay, b.backdatedReplay, b.locationsReplay, b.stockByLocation, b.fullReport, b.stockAsOf, b.attention, b.catchUp, b.sellLatency, b.serveBench, b.importFile,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	report := b.report()
	fmt.Print(report)
	for _, miss := range b.misses() {
		fmt.Fprintln(os.Stderr, "stockbench:", miss)
	}
	if cfg.out != "" {
		if err := os.WriteFile(cfg.out, []byte(report), 0o644); err != nil {
			return err
		}
		fmt.Printf("\nwritten to %s\n", cfg.out)
	}
	return nil
}

// bench holds the run's state and results.
type bench struct {
	cfg     config
	bin     string
	dataDir string
	broker  *exec.Cmd
	addr    string
	topic   string // set when measuring a real cluster
	started time.Time
	results []result
	// inOrderReplay is the replay's rate in events/s, for the backdated replay's ratio.
	inOrderReplay float64
	inOrderCPU    time.Duration
	// backdatedTopic holds the backdated log, appended before either replay runs.
	backdatedTopic string
	backdated      int
	converted      int
	// locationsTopic holds the 10-location log, appended before any replay runs.
	locationsTopic string
	transfers      int
	// panelWindow is what a needs-attention list costs beyond one with an empty window,
	// measured by alerts, for the dashboard's estimate with a full panel (0: not measured).
	panelWindow time.Duration
}

// result is one measured figure; ratio, when set, is to the SQLite baseline. A result
// with a target has met, which checks the figure against it given the baseline's rate
// (the replay's target is partly a ratio to it).
type result struct {
	name, value, target, note string
	ratio                     float64
	met                       func(baseline float64) bool
}

// verdict says whether r met its target: "met", "MISSED" or "" (no target).
func (r result) verdict(baseline float64) string {
	switch {
	case r.met == nil:
		return ""
	case r.met(baseline):
		return "met"
	default:
		return "MISSED"
	}
}

func (b *bench) add(r result) {
	b.results = append(b.results, r)
	line := fmt.Sprintf("  %-44s %s", r.name, r.value)
	if v := r.verdict(b.baseline()); v == "MISSED" {
		line += "  MISSED: target " + r.target
	}
	fmt.Fprintln(os.Stderr, line)
}

func (b *bench) baseline() float64 {
	for _, r := range b.results {
		if r.name == baselineName {
			return r.ratio
		}
	}
	return 0
}

func (b *bench) startBroker(ctx context.Context) error {
	if err := os.MkdirAll(b.dataDir, 0o755); err != nil {
		return err
	}
	b.broker = exec.Command(b.bin, "--data-dir", b.dataDir, "broker", "--listen", "127.0.0.1:0")
	b.broker.Stderr = os.Stderr
	if err := b.broker.Start(); err != nil {
		return err
	}
	addrFile := filepath.Join(b.dataDir, "broker.addr")
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if raw, err := os.ReadFile(addrFile); err == nil && len(raw) > 0 {
			b.addr = strings.TrimSpace(string(raw))
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("stockctl broker did not advertise its address within 30 s")
}

func (b *bench) stopBroker() {
	if b.broker != nil && b.broker.Process != nil {
		b.broker.Process.Signal(os.Interrupt)
		b.broker.Wait()
	}
}

// stockctl runs the binary on the bench's data directory and returns its wall time and
// peak resident memory.
func (b *bench) stockctl(ctx context.Context, args ...string) (time.Duration, int64, error) {
	return measure(exec.CommandContext(ctx, b.bin, append(b.globalArgs(b.dataDir), args...)...))
}

// globalArgs points stockctl at the data directory and, on a real cluster, its topic.
func (b *bench) globalArgs(dataDir string) []string {
	args := []string{"--data-dir", dataDir}
	if b.topic != "" {
		args = append(args, "--brokers", b.addr, "--topic", b.topic)
	}
	return args
}

// measure runs cmd and returns its wall time and peak resident memory. The peak is the
// process's own VmHWM, read from /proc while it runs: getrusage's ru_maxrss would count
// this benchmark's memory too, since Linux keeps the high-water mark across fork and exec.
func measure(cmd *exec.Cmd) (time.Duration, int64, error) {
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var peak int64
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if v := vmHWM(cmd.Process.Pid); v > peak {
			peak = v
		}
		select {
		case err := <-done:
			d := time.Since(start)
			if err != nil {
				return d, peak, fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, stderr.String())
			}
			return d, peak, nil
		case <-tick.C:
		}
	}
}

// vmHWM returns a process's peak resident set size in bytes, or 0.
func vmHWM(pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			return kb * 1024
		}
	}
	return 0
}

func machine() string {
	model := "unknown CPU"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	mem := ""
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.SplitN(string(raw), "\n", 2)[0], "MemTotal: %d kB", &kb)
		mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
	}
	return fmt.Sprintf("%d cores (%s)%s, %s %s/%s", runtime.NumCPU(), model, mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
