package main_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/testkafka"
)

// rawLog gives a test a log that a plain Kafka client can write to beside stockctl:
// the cluster in STOCKCTL_TEST_BROKERS with a topic of the test's own, or a `stockctl
// broker` on dir; env points stockctl at it.
func rawLog(t *testing.T, dir string) (brokers []string, topic string, env []string) {
	t.Helper()
	topic = "stock.events"
	if testkafka.Real() {
		brokers, topic = testkafka.Brokers(t), testkafka.Topic(t)
	} else {
		brokers = []string{startBroker(t, dir).addr}
	}
	return brokers, topic, []string{"STOCKCTL_BROKERS=" + strings.Join(brokers, ","), "STOCKCTL_TOPIC=" + topic}
}

// TestPoisonRecords produces, with a plain Kafka client, records that are not stockctl
// events (and one duplicated event) onto the topic: the projection skips or rejects each
// without changing any stock, says what it skipped by kind, and keeps going.
func TestPoisonRecords(t *testing.T) {
	dir := t.TempDir()
	brokers, topic, env := rawLog(t, dir)
	mustRunEnv(t, dir, env, "restock", "P1", "10")

	event := func(product, qty string, seq int64, edit func(string) string) []byte {
		p, _ := domain.ParseProductID(product)
		q, _ := domain.ParseQuantity(qty)
		b, err := domain.MarshalEvent(domain.Event{Type: domain.TypeStockRestocked, ID: "e-" + product, CommandID: "c-" + product,
			Product: p, Quantity: q, ExpectedSeq: seq, BusinessDate: domain.NewBusinessDate(time.Now()), RecordedAt: time.Now(), RecordedBy: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			return []byte(edit(string(b)))
		}
		return b
	}
	random := make([]byte, 512)
	for i := range random {
		random[i] = byte(rand.IntN(256))
	}
	produce := func(key string, nullKey bool, value []byte) {
		k := []byte(key)
		if nullKey {
			k = nil
		}
		testkafka.ProduceTo(t, brokers, topic, eventlog.PartitionFor([]byte(key), 3), k, value)
	}
	produce("1", false, []byte(`{"operation_date":"2023-01-15","product_ID":"1","operation_qt":-12,"stock":12,"operation_type":"sales"}`))
	produce("x", false, random)
	produce("P1", false, nil)
	produce("P1", true, event("P1", "5", 2, nil))
	produce("P1", false, event("P1", "5", 2, func(s string) string { return strings.Replace(s, `"StockRestocked"`, `"StockMoved"`, 1) }))
	produce("P1", false, event("P1", "5", 2, func(s string) string { return strings.Replace(s, `"schema_version":1`, `"schema_version":2`, 1) }))
	produce("P1", false, event("P1", "5", 2, func(s string) string { return strings.Replace(s, `"5.00"`, `"abc"`, 1) }))
	produce("P\x01", false, event("P2", "5", 1, func(s string) string { return strings.Replace(s, `"P2"`, `"P\u0001"`, 1) }))
	produce("P1", false, append([]byte(`{"type":"StockSold","pad":"`), append(bytes.Repeat([]byte("x"), 1_000_000), '"', '}')...))
	dup := event("DUP", "5", 1, nil)
	produce("DUP", false, dup)
	produce("DUP", false, dup)

	r := mustRunEnv(t, dir, env, "stock", "P1", "DUP")
	checkSkipWarnings(t, r.stderr, 9, map[string]int{"malformed": 6, "unknown_type": 1, "unsupported_version": 1, "key_mismatch": 1})
	levels := mustRunEnv(t, dir, env, "stock", "--output", "csv", "P1", "DUP").stdout
	if !strings.Contains(levels, "P1,10.00,") || !strings.Contains(levels, "DUP,5.00,") {
		t.Fatalf("stock changed by poison records:\n%s", levels)
	}
	s := statusOn(t, dir, env)
	if s.Skipped["malformed"] != 6 || s.Skipped["unknown_type"] != 1 || s.Skipped["unsupported_version"] != 1 ||
		s.Skipped["key_mismatch"] != 1 || s.Rejected["sequence_conflict"] != 1 || s.Accepted != 2 || s.Lag != 0 {
		t.Fatalf("status after the poison: %+v", s)
	}
	// The projection goes on: a sale after the poison is recorded as usual.
	if r := mustRunEnv(t, dir, env, "sell", "P1", "4"); !strings.Contains(r.stdout, "stock now 6.00") {
		t.Fatalf("sale after the poison: %v", r)
	}
}

var skipKindLine = regexp.MustCompile(`^warning:   (\d+) (\w+), first at `)

// checkSkipWarnings requires stderr to hold exactly one summary line of the skipped
// records (total) and exactly one line per kind, with that kind's count, and no other
// warning line: docs/reliability.md promises one warning line per kind, not one per record.
func checkSkipWarnings(t *testing.T, stderr string, total int, kinds map[string]int) {
	t.Helper()
	summary := fmt.Sprintf("warning: skipped %d record(s) on topic ", total)
	seen := map[string]int{}
	summaries := 0
	for _, line := range strings.Split(stderr, "\n") {
		switch m := skipKindLine.FindStringSubmatch(line); {
		case strings.HasPrefix(line, summary):
			summaries++
		case m != nil:
			if want, ok := kinds[m[2]]; !ok || m[1] != fmt.Sprint(want) {
				t.Errorf("warning line %q: want one of the kinds %v with its count", line, kinds)
			}
			seen[m[2]]++
		case strings.HasPrefix(line, "warning:"):
			t.Errorf("unexpected warning line %q", line)
		}
	}
	if summaries != 1 {
		t.Errorf("want exactly one line %q…, got %d:\n%s", summary, summaries, stderr)
	}
	for kind := range kinds {
		if seen[kind] != 1 {
			t.Errorf("want exactly one warning line for kind %s, got %d:\n%s", kind, seen[kind], stderr)
		}
	}
}
