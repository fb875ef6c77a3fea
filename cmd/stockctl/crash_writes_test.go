package main_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/internal/testkafka"
)

// Floors of the write-crash test, per kind of kill: each is asserted.
const (
	minSellKills   = 20 // `sell` processes killed while running
	minBrokerKills = 5  // `stockctl broker` killed while 4 sells run (embedded only)
	minImportKills = 8  // `import` processes killed while running
	// Of those: sells killed after their append (the re-run must find it, not append
	// again), and imports killed after appending some or all of their rows.
	minSellKillsAfterAppend   = 5
	minImportKillsAfterAppend = 3
	sellKillRounds            = 40
	importKillRounds          = 12
)

// TestSIGKILLDuringWrites kills `stockctl sell` and `stockctl import` at random moments,
// on both brokers, and `stockctl broker` itself while sells run, on the embedded broker
// only (on Kafka there is no broker process of ours to kill). Every sale has a command
// ID of its own (its idempotency key). After every kill, `stockctl verify` passes, every
// sale reported done is in the ledger exactly once, a killed one at most once, and no
// imported row's command ID is there twice; a killed sale re-run with its key is then in
// the ledger exactly once, and the import run to its end holds each of the file's rows
// once. Kills are counted per kind, with a floor for each.
//
// The kill moments of sells and imports are drawn from a window that narrows towards
// the append: a kill that found nothing recorded moves its start later, one that found
// everything (or came after the exit) its end earlier.
func TestSIGKILLDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("long: many processes")
	}
	dir := t.TempDir()
	var env []string // on Kafka, runEnv's realKafkaEnv; on the embedded broker, through `stockctl broker`
	var b *brokerProcess
	if !testkafka.Real() {
		env = embeddedEnv
		b = startBroker(t, dir)
	}
	mustRunEnv(t, dir, env, "restock", "K", "1000000", "--idempotency-key", "opening")
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 11))
	t.Logf("random seed %d", seed)

	w := &writeChecks{t: t, dir: dir, env: env, done: map[string]bool{}, pending: map[string]bool{}, counts: map[string]int{}}
	startIn := func(dir string, env []string, args ...string) *exec.Cmd {
		cmd := exec.Command(binary, append([]string{"--data-dir", dir}, args...)...)
		cmd.Env = append(append(cleanEnv(), realKafkaEnv(dir)...), env...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	start := func(args ...string) *exec.Cmd { return startIn(dir, env, args...) }
	// killAfter reports whether cmd was still running after d, and kills it then.
	killAfter := func(cmd *exec.Cmd, d time.Duration) bool {
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("%v failed before it was killed: %v", cmd.Args, err)
			}
			return false
		case <-time.After(d):
			cmd.Process.Kill()
			<-exited
			return true
		}
	}

	// Sells killed at random moments, each re-run with its key after the checks.
	began := time.Now()
	mustRunEnv(t, dir, env, "sell", "K", "1", "--idempotency-key", "first")
	w.done["opening"], w.done["first"] = true, true
	sellWindow := killWindow{hi: time.Since(began) * 3 / 2}
	sellFloors := func() bool {
		return w.counts["sell"] >= minSellKills && w.counts["sell killed after appending"] >= minSellKillsAfterAppend
	}
	for i := 0; i < sellKillRounds || (!sellFloors() && i < 2*sellKillRounds); i++ {
		key := fmt.Sprintf("s%d", i)
		d := sellWindow.next(rng)
		if !killAfter(start("sell", "K", "1", "--idempotency-key", key), d) {
			w.done[key] = true
			sellWindow.all(d)
			w.counts["sell finished"]++
			continue
		}
		w.pending[key] = true
		switch w.check("a killed sell") {
		case 0:
			sellWindow.none(d)
			w.counts["sell killed before appending"]++
		default:
			sellWindow.all(d)
			w.counts["sell killed after appending"]++
		}
		w.counts["sell"]++
		w.rerun(key)
	}

	// The broker itself, killed while sells run, then restarted on the same address.
	for i := 0; b != nil && i < minBrokerKills; i++ {
		var sellers []*exec.Cmd
		for j := 0; j < 4; j++ {
			sellers = append(sellers, start("sell", "K", "1", "--idempotency-key", fmt.Sprintf("b%d-%d", i, j)))
		}
		time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond) // a random moment, not a synchronisation
		b.cmd.Process.Kill()
		<-b.exited
		w.counts["broker"]++
		for j, cmd := range sellers {
			key := fmt.Sprintf("b%d-%d", i, j)
			if err := cmd.Wait(); err == nil {
				w.done[key] = true // it reported success: it must be in the ledger
			} else {
				w.pending[key] = true // it failed with the broker: it may or may not be recorded
				w.counts["sell failed by the broker's kill"]++
			}
		}
		b = restartBroker(t, dir, b.addr)
		w.check("a killed broker")
		for j := range sellers {
			if key := fmt.Sprintf("b%d-%d", i, j); w.pending[key] {
				w.rerun(key)
			}
		}
	}

	// Imports killed at random moments, each into a new ledger (an import finds the rows
	// a killed one recorded: one ledger would hold them all after the first kill), then
	// run to the end. On the embedded broker, the import's own broker dies with it.
	file := filepath.Join(t.TempDir(), "ops.csv")
	mustRunEnv(t, dir, env, "generate", "--products", "30", "--days", "120", "--seed", "5", "--out", file)
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Count(string(raw), "\n") - 1
	importWindow := killWindow{lo: 10 * time.Millisecond, hi: 2 * time.Second}
	importFloors := func() bool {
		return w.counts["import"] >= minImportKills &&
			w.counts["import killed part-way"]+w.counts["import killed after appending all"] >= minImportKillsAfterAppend
	}
	imports := 0
	for ; imports < importKillRounds || (!importFloors() && imports < 2*importKillRounds); imports++ {
		iw := &writeChecks{t: t, dir: t.TempDir(), env: embeddedEnv, done: map[string]bool{}, pending: map[string]bool{}, counts: w.counts, fresh: true}
		if testkafka.Real() {
			iw.env = nil
		}
		d := importWindow.next(rng)
		if !killAfter(startIn(iw.dir, iw.env, "import", "--quiet", file), d) {
			importWindow.all(d)
			w.counts["import finished"]++
			if n := iw.ledger("an import"); n != rows {
				t.Fatalf("after an import, the ledger holds %d imported rows (command IDs, each once) for a file of %d", n, rows)
			}
			continue
		}
		w.counts["import"]++
		switch n := iw.check("a killed import"); {
		case n == 0:
			importWindow.none(d)
			w.counts["import killed before appending"]++
		case n == rows:
			importWindow.all(d)
			w.counts["import killed after appending all"]++
		default:
			w.counts["import killed part-way"]++
		}
		if r := runEnv(t, iw.dir, iw.env, "import", "--quiet", file); r.code != 0 {
			t.Fatalf("import after a kill: %v", r)
		}
		if n := iw.ledger("the import after a kill"); n != rows {
			t.Fatalf("after the import that followed a kill, the ledger holds %d imported rows (command IDs, each once) for a file of %d", n, rows)
		}
	}

	t.Logf("kills and checks: %v", w.counts)
	w.counts["import killed after appending"] = w.counts["import killed part-way"] + w.counts["import killed after appending all"]
	floors := map[string]int{"sell": minSellKills, "import": minImportKills,
		"sell killed after appending": minSellKillsAfterAppend, "import killed after appending": minImportKillsAfterAppend}
	if b != nil {
		floors["broker"] = minBrokerKills
	}
	for kind, floor := range floors {
		if w.counts[kind] < floor {
			t.Errorf("%d %s kill(s); want at least %d (all: %v)", w.counts[kind], kind, floor, w.counts)
		}
	}
	t.Logf("%d sales and a restock, each once; %d imported rows, each once, in each of the %d imports' ledgers", len(w.done)-1, rows, imports)
}

// writeChecks holds what the write-crash test expects of the ledger.
type writeChecks struct {
	t       *testing.T
	dir     string
	env     []string
	done    map[string]bool // keys of operations reported done: each in the ledger once
	pending map[string]bool // keys of sales killed and not yet re-run: at most once
	counts  map[string]int
	fresh   bool // a new ledger: the first process may have been killed before starting it
}

// check runs verify and the ledger's checks after what, and returns how many command IDs
// of imported rows and of pending sales the ledger holds.
func (w *writeChecks) check(what string) int {
	t := w.t
	t.Helper()
	r := runEnv(t, w.dir, w.env, "verify", "--quiet")
	if w.fresh && r.code == 3 && strings.Contains(r.stderr, "no ledger at") {
		return 0 // killed before it started the ledger: nothing to verify
	}
	if r.code != 0 {
		t.Fatalf("verify after %s (kills so far %v): %v", what, w.counts, r)
	}
	w.counts["verify"]++
	return w.ledger(what)
}

// ledger checks the command IDs in the read model and returns how many of imported rows
// and of pending sales it holds.
func (w *writeChecks) ledger(what string) int {
	t := w.t
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(w.dir, "operations.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seen := commandCounts(t, db)
	found := 0
	for id, n := range seen {
		key, isSale := strings.CutPrefix(id, "key:")
		switch {
		case n != 1:
			t.Fatalf("after %s, command %s is in the ledger %d times", what, id, n)
		case strings.HasPrefix(id, "import:"):
			found++
		case isSale && w.pending[key]:
			found++
		case isSale && !w.done[key]:
			t.Fatalf("after %s, the ledger holds operation %s that no command asked for", what, key)
		}
	}
	for key := range w.done {
		if seen["key:"+key] != 1 {
			t.Fatalf("after %s, sale %s reported done is in the ledger %d times", what, key, seen["key:"+key])
		}
	}
	return found
}

// rerun sells again with a killed sale's key: exit 0, and the sale then once.
func (w *writeChecks) rerun(key string) {
	w.t.Helper()
	if r := runEnv(w.t, w.dir, w.env, "sell", "K", "1", "--idempotency-key", key); r.code != 0 {
		w.t.Fatalf("re-run of killed sell %s: %v", key, r)
	}
	delete(w.pending, key)
	w.done[key] = true
	w.ledger("the re-run of sell " + key) // the sell projected what it appended
}
