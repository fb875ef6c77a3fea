package main_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// invokeNoDataDir runs stockctl without the --data-dir that invoke adds, so that the
// global flag, STOCKCTL_DATA_DIR and demo's own flag can each be tried.
func invokeNoDataDir(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), invocationTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(append(cleanEnv(), embeddedEnv...), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("stockctl %q did not finish within %s", args, invocationTimeout)
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return r
}

// listDir returns the names in dir, or nil if it does not exist.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestReadingCommandsNeedALedger: on the embedded broker, a command that only reads
// refuses (exit 3) a data directory that does not exist or holds no ledger, naming it and
// creating nothing; a command that records creates it and says so once.
// Embedded broker only: the ledger it looks for is the data directory's embedded log
// (on a cluster the ledger is the topic).
func TestReadingCommandsNeedALedger(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	missing := filepath.Join(base, "nonexistent", "xx")
	empty := filepath.Join(base, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	readers := [][]string{
		{"stock"}, {"history", "P1"}, {"report", "--out", filepath.Join(base, "report")}, {"export"},
		{"status"}, {"verify"}, {"replay"}, {"log", "copy", "--to-brokers", "127.0.0.1:1"},
	}
	for _, dir := range []struct{ path, why string }{
		{missing, "the data directory does not exist"},
		{empty, "it holds no log or read model"},
	} {
		for _, args := range readers {
			r := runEnv(t, dir.path, embeddedEnv, args...)
			want := "stockctl: no ledger at " + dir.path + ": " + dir.why + "; check --data-dir or STOCKCTL_DATA_DIR"
			if r.code != 3 || !strings.HasPrefix(r.stderr, want) || r.stdout != "" {
				t.Errorf("want exit 3 and %q, got %v", want, r)
			}
		}
	}
	if got := listDir(t, base); len(got) != 1 || got[0] != "empty" || len(listDir(t, empty)) != 0 {
		t.Fatalf("reading commands created %v in %s and %v in %s", got, base, listDir(t, empty), empty)
	}

	r := mustRunEnv(t, missing, embeddedEnv, "restock", "P1", "10")
	if want := "note: created a new ledger in " + missing + "\n"; strings.Count(r.stderr, want) != 1 {
		t.Errorf("first restock: want stderr with %q once, got %v", want, r)
	}
	if r := mustRunEnv(t, missing, embeddedEnv, "sell", "P1", "3"); strings.Contains(r.stderr, "created a new ledger") {
		t.Errorf("a second write said it created a ledger: %v", r)
	}
	if r := mustRunEnv(t, missing, embeddedEnv, "stock", "-o", "csv"); !strings.Contains(r.stdout, "P1,7.00,") {
		t.Errorf("stock after writing: %v", r)
	}
}

// TestDemoRefusesALedger: demo uses the data directory given as its own flag, the global
// flag or STOCKCTL_DATA_DIR, and refuses (exit 2, nothing written) one holding anything.
// Embedded broker only: demo always runs on its data directory's embedded broker.
func TestDemoRefusesALedger(t *testing.T) {
	t.Parallel()
	ledger := t.TempDir()
	mustRunEnv(t, ledger, embeddedEnv, "restock", "--date", "2024-05-01", "P1", "10")
	before := listDir(t, ledger)
	other := t.TempDir()
	notes := filepath.Join(other, "notes.txt")
	if err := os.WriteFile(notes, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		env       []string
		args      []string
		dir, from string
	}{
		{"demo's flag on a ledger", nil, []string{"demo", "--data-dir", ledger}, ledger, "demo --data-dir"},
		{"global flag on a ledger", nil, []string{"--data-dir", ledger, "demo"}, ledger, "--data-dir"},
		{"environment on a ledger", []string{"STOCKCTL_DATA_DIR=" + ledger}, []string{"demo"}, ledger, "STOCKCTL_DATA_DIR"},
		{"global flag on a folder of other files", nil, []string{"--data-dir", other, "demo"}, other, "--data-dir"},
	} {
		r := invokeNoDataDir(t, tc.env, tc.args...)
		want := "stockctl: demo: " + tc.dir + " (" + tc.from + ") is not empty"
		if r.code != 2 || !strings.HasPrefix(r.stderr, want) || !strings.Contains(r.stderr, "pick an empty or new directory") {
			t.Errorf("%s: want exit 2 and %q, got %v", tc.name, want, r)
		}
	}
	if got := listDir(t, ledger); strings.Join(got, " ") != strings.Join(before, " ") {
		t.Errorf("the ledger's directory changed: %v, was %v", got, before)
	}
	if levels := stockLevelsEnv(t, ledger, embeddedEnv); len(levels) != 1 || levels[0].Stock != "10.00" {
		t.Errorf("the ledger changed: %+v", levels)
	}
	if got := listDir(t, other); len(got) != 1 {
		t.Errorf("demo wrote beside notes.txt: %v", got)
	}

	// Given explicitly, a new directory is used, not a temporary one.
	for _, name := range []string{"global flag", "environment"} {
		dir := filepath.Join(t.TempDir(), "new")
		var r result
		if name == "global flag" {
			r = invokeNoDataDir(t, nil, "--data-dir", dir, "demo")
		} else {
			r = invokeNoDataDir(t, []string{"STOCKCTL_DATA_DIR=" + dir}, "demo")
		}
		index := filepath.Join(dir, "report", "index.html")
		if r.code != 0 || !strings.Contains(r.stdout, "Open file://"+index) {
			t.Fatalf("%s: want the demo in %s, got %v", name, dir, r)
		}
		if _, err := os.Stat(index); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestHistoryOfAProductNeverSeen: history exits 1 for a product with no operation, as
// the API answers 404; a product whose only operation was rejected still has history.
func TestHistoryOfAProductNeverSeen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	brokers, topic, env := rawLog(t, dir)
	mustRunEnv(t, dir, env, "restock", "P1", "10")
	for _, format := range []string{"table", "json", "csv"} {
		r := runEnv(t, dir, env, "history", "NOPE", "--output", format)
		if want := "stockctl: history: no operations on product \"NOPE\"\n"; r.code != 1 || r.stderr != want || r.stdout != "" {
			t.Errorf("want exit 1, %q and no output, got %v", want, r)
		}
	}
	// An event expecting sequence 2 of a product never restocked: rejected by the log's rule.
	p, _ := domain.ParseProductID("REJ")
	q, _ := domain.ParseQuantity("5")
	event, err := domain.MarshalEvent(domain.Event{Type: domain.TypeStockSold, ID: "e-rej", CommandID: "c-rej", Product: p,
		Quantity: q, ExpectedSeq: 2, BusinessDate: domain.NewBusinessDate(time.Now()), RecordedAt: time.Now(), RecordedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	testkafka.ProduceTo(t, brokers, topic, eventlog.PartitionFor([]byte("REJ"), 3), []byte("REJ"), event)
	r := mustRunEnv(t, dir, env, "history", "REJ")
	if !strings.Contains(r.stdout, "REJECTED") || !strings.Contains(r.stdout, "sequence_conflict") {
		t.Errorf("want the rejected sale in REJ's history, got %v", r)
	}
}

// TestOperatorAndTopicAreChecked: an empty operator and a topic name Kafka would refuse
// (one that climbs out of the log directory above all) are refused with exit 2 before
// anything is created.
// Embedded broker only: a bad topic name escapes the data directory only through the
// embedded log's files (a cluster refuses it itself).
func TestOperatorAndTopicAreChecked(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	fresh := filepath.Join(base, "a", "b", "data")
	operator := "--operator must be 1 to 64 printable characters"
	topic := "a Kafka topic name is 1 to 249 characters among a-z, A-Z, 0-9, '.', '_' and '-'"
	csv := filepath.Join(base, "ops.csv")
	if err := os.WriteFile(csv, []byte("operation_date;product_ID;operation_qt;stock\n01/05/2024;P1;10;10\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sell", "--operator", "", "P1", "1"}, "sell: " + operator},
		{[]string{"restock", "P1", "1", "--operator", "  "}, "restock: " + operator},
		{[]string{"import", "--operator", "", csv}, "import: " + operator},
		{[]string{"serve", "--listen", "127.0.0.1:0", "--operator", "   "}, operator},
		{[]string{"--topic", "../../etc", "restock", "P1", "1"}, `--topic "../../etc": ` + topic},
		{[]string{"--topic", "..", "restock", "P1", "1"}, `--topic "..": `},
		{[]string{"--topic", ".", "broker", "--listen", "127.0.0.1:0"}, `--topic ".": `},
		{[]string{"--topic", "a/b", "serve", "--listen", "127.0.0.1:0"}, `--topic "a/b": `},
		{[]string{"--topic", "", "project"}, `--topic "": `},
		{[]string{"--topic", strings.Repeat("t", 250), "import", csv}, `--topic "tttt`},
		{[]string{"--topic", "café", "restock", "P1", "1"}, `--topic "café": `},
		{[]string{"--partitions", "0", "restock", "P1", "1"}, "--partitions 0: give 1 to 1000"},
		{[]string{"--timeout", "0s", "sell", "P1", "1"}, "--timeout"},
	} {
		r := runEnv(t, fresh, embeddedEnv, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("want exit 2 and %q, got %v", tc.want, r)
		}
	}
	if got := listDir(t, base); len(got) != 1 || got[0] != "ops.csv" {
		t.Fatalf("refused commands created %v in %s", got, base)
	}
}

// TestDBFlagIsChecked: a --db naming one of the data directory's own files, a directory
// or a file that is not a SQLite database is refused (exit 2) with nothing written.
// Embedded broker only: the files --db must not name (log.lock, broker.addr, log/) are
// the embedded log's.
func TestDBFlagIsChecked(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dir := filepath.Join(base, "ledger")
	mustRunEnv(t, dir, embeddedEnv, "restock", "P1", "10")
	notes := filepath.Join(base, "notes.txt")
	if err := os.WriteFile(notes, []byte("not a database\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(dir, "log.lock")
	for _, tc := range []struct{ db, want string }{
		{lock, "is the data directory's log.lock file, not a read model"},
		{filepath.Join(dir, "broker.addr"), "is the data directory's broker.addr file"},
		{filepath.Join(dir, "log"), "is inside the embedded broker's log directory"},
		{filepath.Join(dir, "log", "model.db"), "is inside the embedded broker's log directory"},
		{dir + "/../ledger/./log.lock", "is the data directory's log.lock file"},
		{notes, "is not a SQLite database: give a stockctl read model or a new file; nothing was written"},
		{dir, "is a directory"},
	} {
		for _, cmd := range [][]string{{"restock", "P1", "1"}, {"stock"}, {"replay"}} {
			r := runEnv(t, dir, embeddedEnv, append([]string{"--db", tc.db}, cmd...)...)
			if r.code != 2 || !strings.Contains(r.stderr, "--db "+tc.db+" "+tc.want) {
				t.Errorf("want exit 2 and %q, got %v", tc.want, r)
			}
		}
	}
	if fi, err := os.Stat(lock); err != nil || fi.Size() != 0 {
		t.Errorf("log.lock was written: %v %v", fi, err)
	}
	if b, err := os.ReadFile(notes); err != nil || string(b) != "not a database\n" {
		t.Errorf("notes.txt was changed: %q %v", b, err)
	}
	if got := listDir(t, base); strings.Join(got, " ") != "ledger notes.txt" {
		t.Errorf("refused --db created files: %v", got)
	}
	if levels := stockLevelsEnv(t, dir, embeddedEnv); len(levels) != 1 || levels[0].Stock != "10.00" {
		t.Errorf("the ledger changed: %+v", levels)
	}
	// A --db of its own, new or empty, is still a read model like any other.
	own := filepath.Join(base, "own.db")
	if r := mustRunEnv(t, dir, embeddedEnv, "--db", own, "stock", "-o", "csv"); !strings.Contains(r.stdout, "P1,10.00,") {
		t.Errorf("stock with --db %s: %v", own, r)
	}
}
