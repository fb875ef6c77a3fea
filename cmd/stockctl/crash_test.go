package main_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/loadgen"
	"github.com/stockctl/stockctl/internal/testkafka"
	"github.com/stockctl/stockctl/readmodel"
)

// crashLogSize is the length of the log the crash test catches up with.
const crashLogSize = 100_000

// Floors of the crash test, per kind of kill: each is asserted.
const (
	minProjectKills = 6 // `project` killed mid-catch-up: the model holds part of the log
	minFollowKills  = 6 // `project --follow` killed mid-catch-up
	minReplayKills  = 8 // `replay` killed while its build file exists, before its rename
)

// TestSIGKILLDuringProjectAndReplay kills `stockctl project`, `stockctl project --follow`
// and `stockctl replay` with SIGKILL at random moments of a 100,000-event catch-up, on
// both brokers, and counts the kills per kind with a floor for each.
//
// A `project` or `project --follow` counts as killed mid-catch-up only if the model it
// left holds part of the log (offsets past zero, short of the log's end): one killed
// before its first batch, or a follower that had caught up and was waiting, is logged
// but not counted. After each kill the model is caught up from what the kill left, as a
// restart would (by `stockctl verify` after the first kill of each kind, by `stockctl
// project` after the others), and compared table by table with the model of an
// uninterrupted catch-up of the same, unchanging log: the comparison verify makes with
// a fresh replay, without rebuilding the whole log each time.
//
// A `replay` is killed only once its build file (operations.db.replay) exists, and counts
// only if that file is still there after the kill, i.e. the kill came before its rename.
// After each such kill every row of every table of the live model, offsets and their
// times included, is compared with what it held before: unchanged, and checked before,
// it needs no other check. A replay that got as far as its rename is logged, not
// counted, and its model compared with the reference as it stands.
//
// The kill moments are drawn from windows that narrow towards the work: a kill that
// found nothing done moves its window's start later, one that found everything done
// (or came after the exit) its end earlier.
func TestSIGKILLDuringProjectAndReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("long: builds a 100,000-event log")
	}
	dir := t.TempDir()
	writeLog(t, dir, crashLogSize, testkafka.Real())

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("random seed %d", seed)

	// How long an uninterrupted catch-up takes, to aim the kills inside one.
	start := time.Now()
	mustRun(t, dir, "project", "--quiet")
	full := time.Since(start)
	live := filepath.Join(dir, "operations.db")
	complete := offsetsOf(t, live)
	t.Logf("uninterrupted catch-up of %d events: %s, offsets %s", crashLogSize, full.Round(time.Millisecond), complete)
	// And how long a replay builds, from its build file's creation to its exit.
	building, ok := replayKilledAfter(t, dir, time.Hour)
	if ok {
		t.Fatal("the uninterrupted replay was killed")
	}
	t.Logf("uninterrupted replay: %s building", building.Round(time.Millisecond))

	// The model of the uninterrupted catch-up: the log does not change, so every model
	// caught up with it must hold the same state, table by table (what verify compares).
	ref := filepath.Join(t.TempDir(), "reference.db")
	vacuumInto(t, live, ref)

	counts := map[string]int{}
	// check compares the live model with the reference after what, having caught it up
	// (as a restart would) unless caughtUp; `stockctl verify` catches it up instead for
	// the first kill of each kind.
	check := func(what string, caughtUp bool) {
		t.Helper()
		if !caughtUp && counts[what] == 1 {
			if r := run(t, dir, "verify", "--quiet"); r.code != 0 {
				t.Fatalf("verify after %s (kills so far %v): %v", what, counts, r)
			}
			counts["verify"]++
		} else if !caughtUp {
			mustRun(t, dir, "project", "--quiet")
		}
		diffs, err := readmodel.DiffFiles(context.Background(), live, live, ref, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(diffs) > 0 {
			t.Fatalf("after %s (kills so far %v), the model differs from an uninterrupted catch-up's:\n  %s", what, counts, strings.Join(diffs, "\n  "))
		}
		counts["compared"]++
	}
	projectWindow := killWindow{hi: full}
	replayWindow := killWindow{hi: building}
	// catchUpKill kills `project args...` started on an empty model at a random moment of
	// an uninterrupted catch-up's time and says what the kill left.
	catchUpKill := func(kind string, args ...string) {
		t.Helper()
		removeDB(t, live)
		d := projectWindow.next(rng)
		if !killAt(t, dir, d, args...) {
			projectWindow.all(d)
			counts[kind+" finished"]++
			check(kind+" finished", true)
			return
		}
		what := kind
		switch got := offsetsOf(t, live); got {
		case "":
			projectWindow.none(d)
			what = kind + " killed before its first batch"
		case complete:
			projectWindow.all(d)
			what = kind + " killed after catching up"
		}
		counts[what]++
		check(what, false)
	}
	done := func() bool {
		return counts["project"] >= minProjectKills && counts["follow"] >= minFollowKills && counts["replay"] >= minReplayKills
	}
	for round := 0; !done() && round < 60; round++ {
		switch round % 3 {
		case 0:
			catchUpKill("project", "project", "--quiet")
		case 1:
			catchUpKill("follow", "project", "--follow", "--quiet")
		case 2:
			before := modelDigest(t, live)
			d := replayWindow.next(rng)
			_, killed := replayKilledAfter(t, dir, d)
			_, err := os.Stat(readmodel.BuildPath(live))
			switch {
			case !killed:
				replayWindow.all(d)
				counts["replay finished"]++
				check("a replay", true)
			case os.IsNotExist(err):
				replayWindow.all(d)
				counts["replay killed after its rename"]++
				check("a replay killed after its rename", true) // the finished build, as it stands
			default:
				counts["replay"]++
				if after := modelDigest(t, live); after != before {
					t.Fatalf("a replay killed before its rename changed the live model:\nbefore %s\nafter  %s", before, after)
				}
			}
		}
	}
	t.Logf("kills and checks: %v", counts)
	for kind, floor := range map[string]int{"project": minProjectKills, "follow": minFollowKills, "replay": minReplayKills} {
		if counts[kind] < floor {
			t.Errorf("%d %s kill(s) of the kind that counts; want at least %d (all: %v)", counts[kind], kind, floor, counts)
		}
	}
	// A replay after all that removes the unfinished file and matches the live model;
	// writeLog adds one rejected event and two skipped records per 50,000 events.
	chunks := (crashLogSize + 49_999) / 50_000
	mustRun(t, dir, "replay", "--quiet")
	if _, err := os.Stat(readmodel.BuildPath(live)); !os.IsNotExist(err) {
		t.Errorf("the unfinished replay file is still there: %v", err)
	}
	mustRun(t, dir, "verify", "--quiet")
	if got, want := tableCounts(t, live), fmt.Sprintf("ledger=%d rejected=%d skipped=%d offsets=%s ", crashLogSize, chunks, 2*chunks, complete); got != want {
		t.Errorf("after the final replay: %s, want %s", got, want)
	}
}

// killAt starts stockctl with args, sends SIGKILL after d, and reports whether the
// process was still running then.
func killAt(t *testing.T, dir string, d time.Duration, args ...string) bool {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"--data-dir", dir}, args...)...)
	cmd.Env = append(cleanEnv(), realKafkaEnv(dir)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("stockctl %v failed before it was killed: %v", args, err)
		}
		return false
	case <-time.After(d):
	}
	cmd.Process.Kill()
	<-done
	return true
}

// writeLog appends n valid events, a few records that are not events, and a few events
// the log's rule rejects, to the data directory's embedded log, or to its topic on the
// real cluster.
func writeLog(t *testing.T, dir string, n int, onRealKafka bool) {
	t.Helper()
	ctx := context.Background()
	var cfg eventlog.Config
	if onRealKafka {
		cfg = eventlog.Config{Brokers: testkafka.Brokers(t), Topic: topicFor(dir)}
	} else {
		b, err := eventlog.StartEmbedded(dir, "127.0.0.1:0", false)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		cfg = eventlog.Config{Brokers: []string{b.Addr()}}
	}
	log, err := eventlog.Connect(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	g := loadgen.New(100, 42)
	for done := 0; done < n; done += 50_000 {
		events := g.Next(min(50_000, n-done))
		// A stale writer's retry: the same sale appended again, rejected by the rule.
		events = append(events, events[len(events)-1])
		events[len(events)-1].ID += "-again"
		if err := log.AppendBulk(ctx, events, nil); err != nil {
			t.Fatal(err)
		}
		// Another program's records on the same topic: skipped and counted.
		testkafka.ProduceRaw(t, cfg.Brokers, log.Topic(),
			[2][]byte{[]byte("1"), []byte(`{"operation_date":"2023-01-15","product_ID":"1","operation_qt":-12,"stock":12,"operation_type":"sales"}`)},
			[2][]byte{nil, []byte("not json")})
	}
}

// topicFor is the topic stockctl uses for dir: the one realKafkaEnv names, or the default.
func topicFor(dir string) string {
	for _, kv := range realKafkaEnv(dir) {
		if v, ok := strings.CutPrefix(kv, "STOCKCTL_TOPIC="); ok {
			return v
		}
	}
	return eventlog.DefaultTopic
}

func removeDB(t *testing.T, path string) {
	t.Helper()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
}

// tableCounts summarises the live model's contents: row counts and offsets.
func tableCounts(t *testing.T, path string) string {
	t.Helper()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return "no model"
	}
	db := openReadOnly(t, path)
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		"SELECT 'ledger=' || count(*) FROM ledger",
		"SELECT 'rejected=' || count(*) FROM rejected_events",
		"SELECT 'skipped=' || count(*) FROM skipped_records",
		"SELECT 'offsets=' || coalesce(group_concat(partition || ':' || next_offset, ','), '') FROM (SELECT * FROM offsets ORDER BY partition)",
	} {
		var s string
		if err := db.QueryRow(q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s + " ")
	}
	return b.String()
}
