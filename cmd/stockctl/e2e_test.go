package main_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/stockctl/stockctl/internal/testkafka"
)

// binary is the stockctl executable that TestMain builds once for every test.
var binary string

// buildDir is where TestMain builds binary, and raceBinary its race-detector twin.
var buildDir string

// testVersion is injected at build time to show that --version reports the linked value.
const testVersion = "e2e-test"

// invocationTimeout bounds one stockctl run, so that a hang fails the test instead of
// stalling the suite.
const invocationTimeout = 60 * time.Second

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "stockctl-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	goTool, err := exec.LookPath("go")
	if err != nil {
		// go test puts GOROOT/bin on PATH; GOROOT is the fallback for other runners.
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	buildDir, goCommand = dir, goTool
	binary = filepath.Join(dir, "stockctl")
	build := exec.Command(goTool, "build", "-ldflags", "-X main.version="+testVersion, "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building stockctl:", err)
		return 1
	}
	buildRaceBinary() // a failure fails the tests that use it
	return m.Run()
}

// result is what one stockctl process did.
type result struct {
	args           []string
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("stockctl %q: exit %d after %s\nstdout:\n%s\nstderr:\n%s",
		r.args, r.code, r.elapsed.Round(time.Millisecond), r.stdout, r.stderr)
}

// cleanEnv is the test's environment without STOCKCTL_* variables, so that a broker or
// data directory set in the developer's shell cannot leak into the tests, and with
// GORACE set for the processes of raceBinary.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STOCKCTL_") && !strings.HasPrefix(kv, "GORACE=") {
			env = append(env, kv)
		}
	}
	return append(env, raceEnv)
}

// realKafkaEnv points stockctl at the real cluster in STOCKCTL_TEST_BROKERS, if any,
// with a topic of its own for each data directory, so the suite runs on both brokers.
func realKafkaEnv(dataDir string) []string {
	brokers := os.Getenv(testkafka.EnvBrokers)
	if brokers == "" {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(dataDir))
	return []string{"STOCKCTL_BROKERS=" + brokers, fmt.Sprintf("STOCKCTL_TOPIC=e2e.%d.%x", os.Getpid(), h.Sum64())}
}

// skipOnRealKafka skips tests of the embedded broker itself.
func skipOnRealKafka(t *testing.T) {
	if testkafka.Real() {
		t.Skip("tests the embedded broker; runs without " + testkafka.EnvBrokers)
	}
}

// invoke runs stockctl on dataDir; it is safe to call from any goroutine.
func invoke(dataDir string, env []string, args ...string) (result, error) {
	return invokeStdin(dataDir, env, nil, args...)
}

// invokeStdin runs stockctl on dataDir with stdin as its standard input (none if nil).
func invokeStdin(dataDir string, env []string, stdin io.Reader, args ...string) (result, error) {
	return invokeBinary(binary, dataDir, env, stdin, args...)
}

// invokeBinary is invokeStdin with the executable bin: binary or raceBinary's. A data
// race reported on stderr is an error.
func invokeBinary(bin, dataDir string, env []string, stdin io.Reader, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), invocationTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--data-dir", dataDir}, args...)...)
	cmd.Env = append(append(cleanEnv(), realKafkaEnv(dataDir)...), env...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return r, fmt.Errorf("stockctl %q did not finish within %s", args, invocationTimeout)
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		return r, fmt.Errorf("stockctl %q: %w", args, err)
	}
	if err := raceReported(r.stderr); err != nil {
		return r, fmt.Errorf("stockctl %q: %w", args, err)
	}
	return r, nil
}

func run(t *testing.T, dataDir string, args ...string) result {
	t.Helper()
	return runEnv(t, dataDir, nil, args...)
}

func runEnv(t *testing.T, dataDir string, env []string, args ...string) result {
	t.Helper()
	r, err := invoke(dataDir, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// mustRun runs stockctl and fails the test unless it exits 0.
func mustRun(t *testing.T, dataDir string, args ...string) result {
	t.Helper()
	r := run(t, dataDir, args...)
	if r.code != 0 {
		t.Fatalf("want exit 0, got %v", r)
	}
	return r
}

// stockLevel is one element of `stockctl stock --output json`.
type stockLevel struct {
	Product    string `json:"product"`
	Stock      string `json:"stock"`
	Operations int64  `json:"operations"`
	LastDate   string `json:"last_operation_date"`
}

func stockLevels(t *testing.T, dataDir string, products ...string) []stockLevel {
	t.Helper()
	return stockLevelsEnv(t, dataDir, nil, products...)
}

// stockLevelsEnv is stockLevels with env added to stockctl's environment.
func stockLevelsEnv(t *testing.T, dataDir string, env []string, products ...string) []stockLevel {
	t.Helper()
	r := mustRunEnv(t, dataDir, env, append([]string{"stock", "--output", "json"}, products...)...)
	var levels []stockLevel
	if err := json.Unmarshal([]byte(r.stdout), &levels); err != nil {
		t.Fatalf("stock --output json is not a JSON array of levels: %v\n%v", err, r)
	}
	return levels
}

// historyEntry is the stable part of one element of `stockctl history --output json`.
type historyEntry struct {
	Date       string `json:"date"`
	Type       string `json:"type"`
	Quantity   string `json:"quantity"`
	Stock      string `json:"stock"`
	Status     string `json:"status"`
	Reason     string `json:"reason"`
	RecordedBy string `json:"recorded_by"`
	Note       string `json:"note"`
}

func history(t *testing.T, dataDir, product string) []historyEntry {
	t.Helper()
	return historyEnv(t, dataDir, nil, product)
}

// historyEnv is history with env added to stockctl's environment.
func historyEnv(t *testing.T, dataDir string, env []string, product string) []historyEntry {
	t.Helper()
	r := mustRunEnv(t, dataDir, env, "history", "--output", "json", product)
	var entries []historyEntry
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil {
		t.Fatalf("history --output json is not a JSON array of entries: %v\n%v", err, r)
	}
	return entries
}

// operationRow is one row of the read model's operations view, the original table.
type operationRow struct {
	Date    string
	Product string
	Qty     float64
	Stock   float64
	Type    string
}

// operations returns the column names and rows of SELECT * FROM operations.
func operations(t *testing.T, dataDir string) ([]string, []operationRow) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "operations.db")+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT * FROM operations`)
	if err != nil {
		t.Fatalf("SELECT * FROM operations: %v", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []operationRow
	for rows.Next() {
		var o operationRow
		if err := rows.Scan(&o.Date, &o.Product, &o.Qty, &o.Stock, &o.Type); err != nil {
			t.Fatalf("scan operations row: %v", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return cols, out
}

func TestRecordSellAndReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	steps := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{
			name:       "restock of a new product sets its stock",
			args:       []string{"restock", "--date", "2024-05-01", "--operator", "bob", "P1", "10"},
			wantStdout: `restocked 10.00 of "P1" on 2024-05-01 00:00:00; stock now 10.00`,
		},
		{
			name:       "sale covered by the stock lowers it",
			args:       []string{"sell", "--date", "2024-05-01 10:11:12", "--note", "order 1182", "--operator", "alice", "P1", "3"},
			wantStdout: `sold 3.00 of "P1" on 2024-05-01 10:11:12; stock now 7.00`,
		},
		{
			name:       "sale above the stock is refused",
			args:       []string{"sell", "P1", "8"},
			wantCode:   1,
			wantStderr: `sell: insufficient stock for "P1": 7.00 available, 8.00 requested`,
		},
		{
			name:       "sale of a product never restocked is refused",
			args:       []string{"sell", "P9", "1"},
			wantCode:   1,
			wantStderr: `insufficient stock for "P9": it has never been restocked`,
		},
	}
	for _, s := range steps {
		r := run(t, dir, s.args...)
		if r.code != s.wantCode || !strings.Contains(r.stdout, s.wantStdout) || !strings.Contains(r.stderr, s.wantStderr) {
			t.Fatalf("%s: want exit %d, stdout containing %q, stderr containing %q; got %v",
				s.name, s.wantCode, s.wantStdout, s.wantStderr, r)
		}
		if s.wantCode != 0 && r.stdout != "" {
			t.Errorf("%s: a refused command printed to stdout: %v", s.name, r)
		}
	}

	const lastDate = "2024-05-01 10:11:12"
	t.Run("stock table lists the product once at 7.00", func(t *testing.T) {
		r := mustRun(t, dir, "stock")
		lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
		want := [][]string{{"product", "stock", "last_operation_date"}, {"P1", "7.00", "2024-05-01", "10:11:12"}}
		if len(lines) != len(want) {
			t.Fatalf("want %d lines, got %v", len(want), r)
		}
		for i, l := range lines {
			if got := strings.Fields(l); !slices.Equal(got, want[i]) {
				t.Errorf("line %d: want fields %q, got %q", i, want[i], got)
			}
		}
	})
	t.Run("stock json holds the level, operation count and last date", func(t *testing.T) {
		want := []stockLevel{{Product: "P1", Stock: "7.00", Operations: 2, LastDate: lastDate}}
		if got := stockLevels(t, dir); !slices.Equal(got, want) {
			t.Errorf("want %+v, got %+v", want, got)
		}
	})
	t.Run("stock csv has a header and one record", func(t *testing.T) {
		r := mustRun(t, dir, "stock", "--output", "csv")
		records, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if err != nil {
			t.Fatalf("stock --output csv is not CSV: %v\n%v", err, r)
		}
		want := [][]string{{"product", "stock", "last_operation_date"}, {"P1", "7.00", lastDate}}
		if !slices.EqualFunc(records, want, slices.Equal) {
			t.Errorf("want %q, got %q", want, records)
		}
	})
	t.Run("stock of named products shows an unknown one at zero", func(t *testing.T) {
		want := []stockLevel{{Product: "P1", Stock: "7.00", Operations: 2, LastDate: lastDate}, {Product: "P9", Stock: "0.00"}}
		if got := stockLevels(t, dir, "P1", "P9"); !slices.Equal(got, want) {
			t.Errorf("want %+v, got %+v", want, got)
		}
	})
	t.Run("history holds only the two accepted operations", func(t *testing.T) {
		// Both refusals were decided before appending, so the log has nothing to show.
		want := []historyEntry{
			{Date: "2024-05-01 00:00:00", Type: "restock", Quantity: "10.00", Stock: "10.00", Status: "accepted", RecordedBy: "bob"},
			{Date: lastDate, Type: "sale", Quantity: "3.00", Stock: "7.00", Status: "accepted", RecordedBy: "alice", Note: "order 1182"},
		}
		if got := history(t, dir, "P1"); !slices.Equal(got, want) {
			t.Errorf("want %+v, got %+v", want, got)
		}
	})
	t.Run("history of the refused product is empty", func(t *testing.T) {
		r := run(t, dir, "history", "--output", "json", "P9")
		if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, `history: no operations on product "P9"`) {
			t.Errorf("want exit 1, nothing on stdout and the reason on stderr, got %v", r)
		}
	})
	t.Run("operations table has the original columns and the accepted rows", func(t *testing.T) {
		cols, rows := operations(t, dir)
		wantCols := []string{"operation_date", "product_ID", "operation_qt", "stock", "operation_type"}
		if !slices.Equal(cols, wantCols) {
			t.Errorf("want columns %q, got %q", wantCols, cols)
		}
		want := []operationRow{
			{Date: "2024-05-01 00:00:00", Product: "P1", Qty: 10, Stock: 10, Type: "replenishment"},
			{Date: lastDate, Product: "P1", Qty: 3, Stock: 7, Type: "sales"}, // positive, as the original pipeline stored it
		}
		if !slices.Equal(rows, want) {
			t.Errorf("want rows %+v, got %+v", want, rows)
		}
	})
}

func TestDateAndOperatorDefaultToNowAndLoginUser(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	before := time.Now().Truncate(time.Second)
	mustRun(t, dir, "restock", "P1", "1")
	after := time.Now()
	h := history(t, dir, "P1")
	if len(h) != 1 {
		t.Fatalf("want one entry, got %+v", h)
	}
	// A business date is the local wall clock with no zone.
	d, err := time.ParseInLocation("2006-01-02 15:04:05", h[0].Date, time.Local)
	if err != nil || d.Before(before) || d.After(after) {
		t.Errorf("want a date between %s and %s, got %q", before, after, h[0].Date)
	}
	if u, err := user.Current(); err == nil && h[0].RecordedBy != u.Username {
		t.Errorf("want recorded_by %q, the login user, got %q", u.Username, h[0].RecordedBy)
	}
}

func TestReadModelIsRebuiltFromTheLog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "restock", "--date", "2024-05-01", "P1", "10")
	mustRun(t, dir, "sell", "--date", "2024-05-02", "P1", "4")
	wantLevels, wantHistory := stockLevels(t, dir), history(t, dir, "P1")
	_, wantRows := operations(t, dir)
	files, _ := filepath.Glob(filepath.Join(dir, "operations.db*"))
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	if got := stockLevels(t, dir); !slices.Equal(got, wantLevels) || wantLevels[0].Stock != "6.00" {
		t.Errorf("stock: want %+v (6.00), got %+v", wantLevels, got)
	}
	if got := history(t, dir, "P1"); !slices.Equal(got, wantHistory) {
		t.Errorf("history: want %+v, got %+v", wantHistory, got)
	}
	if _, got := operations(t, dir); !slices.Equal(got, wantRows) {
		t.Errorf("operations: want %+v, got %+v", wantRows, got)
	}
}

// freeAddr returns a 127.0.0.1 address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// brokerProcess is a running `stockctl broker`.
type brokerProcess struct {
	cmd     *exec.Cmd
	exited  chan struct{} // closed once waitErr is set
	waitErr error
	addr    string
	logPath string
}

// startBroker starts `stockctl broker` on dataDir and waits until it advertises its
// address in DATA_DIR/broker.addr and accepts connections there.
func startBroker(t *testing.T, dataDir string) *brokerProcess {
	t.Helper()
	return restartBroker(t, dataDir, freeAddr(t))
}

// restartBroker starts `stockctl broker` on dataDir at a given address. It runs
// raceBinary: the broker serves concurrent clients in one process, and a data race there
// fails the test.
func restartBroker(t *testing.T, dataDir, addr string) *brokerProcess {
	skipOnRealKafka(t)
	t.Helper()
	bin := raceBinary(t)
	b := &brokerProcess{addr: addr, logPath: filepath.Join(t.TempDir(), "broker.log"), exited: make(chan struct{})}
	logFile, err := os.Create(b.logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	b.cmd = exec.Command(bin, "--data-dir", dataDir, "broker", "--listen", b.addr)
	b.cmd.Env = cleanEnv()
	b.cmd.Stdout, b.cmd.Stderr = logFile, logFile
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		b.waitErr = b.cmd.Wait()
		close(b.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-b.exited:
		default:
			b.cmd.Process.Kill()
			<-b.exited
		}
		if err := raceReported(b.log(t)); err != nil {
			t.Errorf("broker: %v", err)
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-b.exited:
			t.Fatalf("broker exited before serving: %v\n%s", b.waitErr, b.log(t))
		default:
		}
		advertised, err := os.ReadFile(filepath.Join(dataDir, "broker.addr"))
		if err == nil && strings.TrimSpace(string(advertised)) == b.addr {
			if conn, err := net.DialTimeout("tcp", b.addr, time.Second); err == nil {
				conn.Close()
				return b
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("broker did not advertise and serve %s within 15s (broker.addr: %q)\n%s", b.addr, advertised, b.log(t))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *brokerProcess) log(t *testing.T) string {
	out, err := os.ReadFile(b.logPath)
	if err != nil {
		t.Error(err)
	}
	return string(out)
}

// stop sends sig and returns the exit code, failing the test if the broker does not
// exit within 15 seconds.
func (b *brokerProcess) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	if err := b.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.exited:
		var exit *exec.ExitError
		if errors.As(b.waitErr, &exit) {
			return exit.ExitCode()
		}
		if b.waitErr != nil {
			t.Fatal(b.waitErr)
		}
		return 0
	case <-time.After(15 * time.Second):
		t.Fatalf("broker did not stop within 15s of %v\n%s", sig, b.log(t))
	}
	return -1
}

// TestBrokerServesOtherProcesses: `stockctl broker` serves the data directory's log to
// other stockctl processes. Embedded broker only: it tests stockctl's own broker.
func TestBrokerServesOtherProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := startBroker(t, dir)
	// Without the broker's address, a client would wait the 10 s lock wait for the log's
	// lock and then fail: finishing sooner shows it did not wait. Relative to that wait
	// rather than a few seconds, which parallel multi-process tests can exceed.
	const fast = 10 * time.Second

	if r := mustRun(t, dir, "restock", "P1", "10"); r.elapsed > fast || !strings.Contains(r.stdout, "stock now 10.00") {
		t.Errorf("restock through the broker: want stock now 10.00 within %s, got %v", fast, r)
	}
	t.Run("a second broker on the data directory is refused", func(t *testing.T) {
		r := run(t, dir, "broker", "--listen", freeAddr(t))
		if r.code != 3 || !strings.Contains(r.stderr, "data directory locked") || r.elapsed > fast {
			t.Errorf("want exit 3 quickly with data directory locked, got %v", r)
		}
	})
	t.Run("concurrent sales from several processes never oversell", func(t *testing.T) {
		const sellers = 6 // 6 sales of 2 against a stock of 10: exactly one must be refused
		results := make([]result, sellers)
		errs := make([]error, sellers)
		var wg sync.WaitGroup
		for i := range sellers {
			wg.Go(func() { results[i], errs[i] = invoke(dir, nil, "sell", "P1", "2") })
		}
		wg.Wait()
		codes := map[int]int{}
		for i, r := range results {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			codes[r.code]++
			if r.code == 1 && !strings.Contains(r.stderr, `insufficient stock for "P1": 0.00 available, 2.00 requested`) {
				t.Errorf("refused sale has the wrong message: %v", r)
			}
		}
		if codes[0] != 5 || codes[1] != 1 {
			t.Errorf("want 5 sales accepted and 1 refused, got exit codes %v: %v", codes, results)
		}
		r := mustRun(t, dir, "stock", "--output", "json", "P1")
		if r.elapsed > fast || !strings.Contains(r.stdout, `"stock": "0.00"`) {
			t.Errorf("want stock 0.00 within %s, got %v", fast, r)
		}
		var running []string
		for _, h := range history(t, dir, "P1") {
			if h.Status == "accepted" {
				running = append(running, h.Stock)
			}
		}
		if want := []string{"10.00", "8.00", "6.00", "4.00", "2.00", "0.00"}; !slices.Equal(running, want) {
			t.Errorf("want accepted running stock %q, got %q", want, running)
		}
	})

	if code := b.stop(t, os.Interrupt); code != 0 {
		t.Errorf("broker: want exit 0 on SIGINT, got %d\n%s", code, b.log(t))
	}
	if _, err := os.Stat(filepath.Join(dir, "broker.addr")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("broker.addr should be removed when the broker stops, stat: %v", err)
	}
	if log := b.log(t); !strings.Contains(log, "serving") || !strings.Contains(log, b.addr) || !strings.Contains(log, "stopping") {
		t.Errorf("broker log should say where it served and that it stopped:\n%s", log)
	}
	if got := stockLevels(t, dir); len(got) != 1 || got[0].Stock != "0.00" || got[0].Operations != 6 {
		t.Errorf("after the broker stopped, the embedded log should hold everything: got %+v", got)
	}
}

// TestBrokerStopsCleanlyOnSignal: `stockctl broker` exits cleanly on a signal.
// Embedded broker only: it tests stockctl's own broker.
func TestBrokerStopsCleanlyOnSignal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		sig  os.Signal
	}{
		{"interrupt", os.Interrupt},
		{"terminate", syscall.SIGTERM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			b := startBroker(t, dir)
			mustRun(t, dir, "restock", "P1", "4")
			if code := b.stop(t, tc.sig); code != 0 {
				t.Errorf("want exit 0, got %d\n%s", code, b.log(t))
			}
			if _, err := os.Stat(filepath.Join(dir, "broker.addr")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("broker.addr should be removed, stat: %v", err)
			}
			if got := stockLevels(t, dir, "P1"); len(got) != 1 || got[0].Stock != "4.00" {
				t.Errorf("the restock made through the broker should persist, got %+v", got)
			}
		})
	}
}

func TestUnreachableBrokersExitThree(t *testing.T) {
	t.Parallel()
	const closed = "127.0.0.1:1"
	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"stock with --brokers", nil, []string{"--brokers", closed, "stock"}},
		{"sell with --brokers", nil, []string{"--brokers", closed, "sell", "P1", "1"}},
		{"history with --brokers", nil, []string{"--brokers", closed, "history", "P1"}},
		{"restock with STOCKCTL_BROKERS", []string{"STOCKCTL_BROKERS=" + closed}, []string{"restock", "P1", "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runEnv(t, t.TempDir(), tc.env, tc.args...)
			if r.code != 3 || r.elapsed > 15*time.Second || !strings.Contains(r.stderr, closed) || !strings.Contains(r.stderr, "check --brokers") {
				t.Errorf("want exit 3 within 15s naming %s and --brokers, got %v", closed, r)
			}
		})
	}
}
