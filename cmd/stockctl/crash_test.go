package main_test

import (
	"context"
	"database/sql"
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
)

// crashLogSize is the length of the log the crash test catches up with.
const crashLogSize = 200_000

// TestSIGKILLDuringProjectAndReplay kills `stockctl project --follow` and `stockctl replay` with
// SIGKILL at random moments of a 200,000-event catch-up, at least 20 times, and checks
// after each kill that the read model is still exact (`stockctl verify`) and that an
// interrupted replay left the live model as it was.
func TestSIGKILLDuringProjectAndReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("long: builds a 200,000-event log")
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
	t.Logf("uninterrupted catch-up of %d events: %s", crashLogSize, full.Round(time.Millisecond))
	live := filepath.Join(dir, "operations.db")

	kills := 0
	for round := 0; kills < 24 && round < 80; round++ {
		if round%2 == 0 {
			// project --follow from scratch, so that the kill lands inside a long catch-up (or
			// while it waits for more); the verify after it resumes from what the kill left,
			// as a restart would.
			removeDB(t, live)
			if killAt(t, dir, time.Duration(rng.Int64N(int64(full)*9/10)), "project", "--follow", "--quiet") {
				kills++
			}
		} else {
			before := tableCounts(t, live)
			if killAt(t, dir, time.Duration(rng.Int64N(int64(full)*9/10)), "replay", "--quiet") {
				kills++
				if after := tableCounts(t, live); after != before {
					t.Fatalf("a killed replay changed the live model: %s before, %s after", before, after)
				}
			}
		}
		r := run(t, dir, "verify", "--quiet")
		if r.code != 0 {
			t.Fatalf("after round %d (%d kills), verify failed: %v", round, kills, r)
		}
	}
	if kills < 20 {
		t.Fatalf("only %d of the runs were killed before they finished; want at least 20", kills)
	}
	// A replay after all that removes the unfinished file and matches the live model.
	mustRun(t, dir, "replay", "--quiet")
	if _, err := os.Stat(live + ".replay"); !os.IsNotExist(err) {
		t.Errorf("the unfinished replay file is still there: %v", err)
	}
	mustRun(t, dir, "verify", "--quiet")
	if got, want := tableCounts(t, live), fmt.Sprintf("ledger=%d rejected=4 skipped=8 ", crashLogSize); !strings.HasPrefix(got, want) {
		t.Errorf("after the final replay: %s, want %s", got, want)
	}
	t.Logf("%d kills, verify passed after each", kills)
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
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
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
