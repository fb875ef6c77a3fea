package main_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/stockctl/stockctl/internal/testkafka"
)

// embeddedEnv makes a command use the data directory's embedded log even when the suite
// runs against a real cluster.
var embeddedEnv = []string{"STOCKCTL_BROKERS=", "STOCKCTL_TOPIC=stock.events"}

// target names a cluster and topic to copy to: the real cluster with a fresh topic, or
// a `stockctl broker` on a data directory of its own.
func copyTarget(t *testing.T) (brokers, topic string) {
	if testkafka.Real() {
		return strings.Join(testkafka.Brokers(t), ","), testkafka.Topic(t)
	}
	b := startBroker(t, t.TempDir())
	return b.addr, "stock.events"
}

// TestLogCopyResumesAfterInterruption copies an embedded log of 200,000 events to a
// cluster, killed while the target holds part of it; the copy run again sends only the
// rest, the target then holds every record once, and a replay there gives the source's
// stock.
func TestLogCopyResumesAfterInterruption(t *testing.T) {
	if testing.Short() {
		t.Skip("long: builds a 200,000-event log")
	}
	const total = 200_000 + 4*3 // events, stale retries and foreign records of writeLog
	src := t.TempDir()
	writeLog(t, src, 200_000, false)
	// The kill must land while the target holds part of the log. The copy may finish
	// before a poll sees it part-way, or be killed before anything landed: then the
	// attempt is repeated on a fresh target, rather than depending on one observation.
	var brokers, topic string
	for attempt := 1; ; attempt++ {
		brokers, topic = copyTarget(t)
		cmd := exec.Command(binary, "--data-dir", src, "log", "copy", "--quiet", "--to-brokers", brokers, "--to-topic", topic)
		cmd.Env = append(cleanEnv(), embeddedEnv...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for testkafka.Records(t, strings.Split(brokers, ","), topic) < 20_000 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		cmd.Process.Kill()
		cmd.Wait()
		r := runEnv(t, src, embeddedEnv, "log", "copy", "--to-brokers", brokers, "--to-topic", topic)
		if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("the target holds all %d records", total)) {
			t.Fatalf("the resumed copy: %v", r)
		}
		var copied, present int
		if _, err := fmt.Sscanf(r.stdout, "copied %d records to topic", &copied); err != nil {
			t.Fatal(err)
		}
		if i := strings.Index(r.stdout, "("); i >= 0 {
			fmt.Sscanf(r.stdout[i:], "(%d were there already)", &present)
		}
		if copied+present != total {
			t.Fatalf("copied %d and %d present, want %d in all: %v", copied, present, total, r)
		}
		if copied > 0 && present > 0 {
			t.Logf("attempt %d: the kill left %d of %d records to resume", attempt, copied, total)
			break
		}
		if attempt == 3 {
			t.Fatalf("in 3 attempts the kill never left a partial copy to resume (last: copied %d, present %d): %v", copied, present, r)
		}
		t.Logf("attempt %d: the kill did not land part-way (copied %d, present %d); again on a fresh target", attempt, copied, present)
	}
	again := runEnv(t, src, embeddedEnv, "log", "copy", "--to-brokers", brokers, "--to-topic", topic)
	if again.code != 0 || !strings.Contains(again.stdout, "copied 0 records") {
		t.Fatalf("a copy of a complete copy sends nothing: %v", again)
	}

	want := runEnv(t, src, embeddedEnv, "stock", "--output", "json")
	dst := t.TempDir()
	onTarget := []string{"STOCKCTL_BROKERS=" + brokers, "STOCKCTL_TOPIC=" + topic}
	if r := runEnv(t, dst, onTarget, "replay", "--quiet"); r.code != 0 {
		t.Fatal(r)
	}
	got := runEnv(t, dst, onTarget, "stock", "--output", "json")
	if got.stdout != want.stdout || got.code != 0 {
		t.Fatalf("stock replayed on the target differs from the source:\nsource: %.300s\ntarget: %.300s", want.stdout, got.stdout)
	}
	if a, b := tableCounts(t, filepath.Join(src, "operations.db")), tableCounts(t, filepath.Join(dst, "operations.db")); a != b {
		t.Errorf("ledger, rejections and offsets differ: source %s, target %s", a, b)
	}
}

// TestRetentionWarning: a topic someone else created with Kafka's default retention
// would lose ledger events; stockctl says so on every command.
func TestRetentionWarning(t *testing.T) {
	dir := t.TempDir()
	brokers := testkafka.Brokers(t)
	topic := testkafka.Topic(t)
	week := "604800000"
	admin, err := sarama.NewClusterAdmin(brokers, testkafka.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1,
		ConfigEntries: map[string]*string{"retention.ms": &week}}, false); err != nil {
		t.Fatal(err)
	}
	env := []string{"STOCKCTL_BROKERS=" + strings.Join(brokers, ","), "STOCKCTL_TOPIC=" + topic}
	r := runEnv(t, dir, env, "restock", "P1", "1")
	if r.code != 0 || !strings.Contains(r.stderr, "warning: topic "+topic+" has retention.ms=604800000") {
		t.Fatalf("want the restock done with a retention warning, got %v", r)
	}
}

// TestSASLPlain runs the ledger flow against a listener that requires SASL/PLAIN, and
// shows that wrong credentials exit 3 without echoing the password.
func TestSASLPlain(t *testing.T) {
	brokers := os.Getenv("STOCKCTL_TEST_SASL_BROKERS")
	if brokers == "" {
		if os.Getenv("CI") == "true" && testkafka.Real() {
			t.Fatal("CI runs real Kafka with a SASL listener: set STOCKCTL_TEST_SASL_BROKERS (make test-kafka does)")
		}
		t.Skip("needs a SASL/PLAIN listener: run make test-kafka, or set STOCKCTL_TEST_SASL_BROKERS")
	}
	dir := t.TempDir()
	topic := testkafka.Topic(t)
	good := []string{"STOCKCTL_BROKERS=" + brokers, "STOCKCTL_TOPIC=" + topic, "STOCKCTL_SASL_MECHANISM=PLAIN",
		"STOCKCTL_SASL_USER=stockctl", "STOCKCTL_SASL_PASSWORD=stockctl-secret"}
	for _, args := range [][]string{{"restock", "P1", "10"}, {"sell", "P1", "3"}} {
		if r := runEnv(t, dir, good, args...); r.code != 0 {
			t.Fatalf("with the right credentials: %v", r)
		}
	}
	if r := runEnv(t, dir, good, "stock", "P1"); !strings.Contains(r.stdout, "7.00") {
		t.Fatalf("stock after restock 10 and sale 3 over SASL: %v", r)
	}
	bad := append(good[:len(good):len(good)], "STOCKCTL_SASL_PASSWORD=wrong-horse-battery")
	start := time.Now()
	r := runEnv(t, dir, bad, "sell", "P1", "1")
	if r.code != 3 || !strings.Contains(r.stderr, "refused the credentials") || strings.Contains(r.stderr, "wrong-horse-battery") {
		t.Fatalf("want exit 3 saying the credentials were refused, without the password; got %v", r)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refusing bad credentials took %s; a refusal is not waited out like a leader election", d)
	}
	if r := runEnv(t, dir, good, "stock", "P1"); !strings.Contains(r.stdout, "7.00") {
		t.Fatalf("the refused sale changed the stock: %v", r)
	}
}

// TestFollowSurvivesBrokerRestart: `project --follow` keeps its committed state while the
// broker is gone and resumes, without loss or duplication, once it is back.
// Embedded broker only: it SIGKILLs `stockctl broker`; TestRealKafkaDownAndRestarted
// stops and restarts Apache Kafka.
func TestFollowSurvivesBrokerRestart(t *testing.T) {
	logDir := t.TempDir()
	b := startBroker(t, logDir)
	onBroker := []string{"STOCKCTL_BROKERS=" + b.addr}
	follower := t.TempDir()
	cmd := exec.Command(binary, "--data-dir", follower, "project", "--follow", "--quiet")
	cmd.Env = append(cleanEnv(), onBroker...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	writer := t.TempDir()
	mustRunEnv(t, writer, onBroker, "restock", "P1", "10")
	waitForLedger(t, filepath.Join(follower, "operations.db"), 1)

	b.cmd.Process.Kill() // SIGKILL: the broker dies mid-flight
	<-b.exited
	restartBroker(t, logDir, b.addr)
	mustRunEnv(t, writer, onBroker, "sell", "P1", "4")
	waitForLedger(t, filepath.Join(follower, "operations.db"), 2)

	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("project --follow did not stop cleanly: %v", err)
	}
	if got := tableCounts(t, filepath.Join(follower, "operations.db")); !strings.HasPrefix(got, "ledger=2 rejected=0 skipped=0 ") {
		t.Fatalf("follower's model after the restart: %s; want the 2 operations once each", got)
	}
}

func mustRunEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	r := runEnv(t, dir, env, args...)
	if r.code != 0 {
		t.Fatalf("want exit 0, got %v", r)
	}
	return r
}

// waitForLedger waits until the read model at path holds n accepted operations.
func waitForLedger(t *testing.T, path string, n int) {
	t.Helper()
	// The follower creates the file before its tables: tolerate both while waiting.
	waitForAccepted(t, path, n)
}

// TestKcatInterop: what stockctl writes, kcat (librdkafka) reads as the documented JSON
// keyed by product; what kcat writes that is not an event is skipped and counted.
func TestKcatInterop(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("kcat is not installed; .ci/run installs Debian's kcat package")
		}
		t.Skip("needs kcat (apt-get install kcat)")
	}
	dir := t.TempDir()
	var brokers, topic string
	if testkafka.Real() {
		brokers, topic = strings.Join(testkafka.Brokers(t), ","), testkafka.Topic(t)
	} else {
		brokers, topic = startBroker(t, dir).addr, "stock.events"
	}
	env := []string{"STOCKCTL_BROKERS=" + brokers, "STOCKCTL_TOPIC=" + topic}
	mustRunEnv(t, dir, env, "restock", "P1", "5", "--date", "2024-05-01", "--note", "via kcat test")

	out, err := exec.Command(kcat, "-C", "-b", brokers, "-t", topic, "-e", "-q", "-f", "%k\t%s\n").Output()
	if err != nil {
		t.Fatalf("kcat -C: %v", err)
	}
	key, value, ok := strings.Cut(strings.TrimSpace(string(out)), "\t")
	var ev struct {
		Type          string `json:"type"`
		SchemaVersion int    `json:"schema_version"`
		ProductID     string `json:"product_id"`
		Quantity      string `json:"quantity"`
		ExpectedSeq   int    `json:"expected_seq"`
		BusinessDate  string `json:"business_date"`
		Note          string `json:"note"`
	}
	if !ok || json.Unmarshal([]byte(value), &ev) != nil {
		t.Fatalf("kcat printed %q, want KEY<tab>JSON", out)
	}
	if key != "P1" || ev.Type != "StockRestocked" || ev.SchemaVersion != 1 || ev.ProductID != "P1" || ev.Quantity != "5.00" ||
		ev.ExpectedSeq != 1 || ev.BusinessDate != "2024-05-01 00:00:00" || ev.Note != "via kcat test" {
		t.Fatalf("kcat read key %q and %+v", key, ev)
	}

	produce := exec.Command(kcat, "-P", "-b", brokers, "-t", topic, "-k", "P1")
	produce.Stdin = strings.NewReader("hello from kcat\n")
	if out, err := produce.CombinedOutput(); err != nil {
		t.Fatalf("kcat -P: %v: %s", err, out)
	}
	r := mustRunEnv(t, dir, env, "stock", "P1")
	if !strings.Contains(r.stderr, "skipped 1 record(s)") || !strings.Contains(r.stdout, "5.00") {
		t.Fatalf("want the kcat record skipped with a warning and stock 5.00: %v", r)
	}
}

// TestKcatSeesACloseInEveryPartition: close-period writes one copy of its PeriodClosed to
// each partition, with the empty key and the same event ID, after the operations there,
// as kcat (librdkafka) reads the topic; on real Kafka as on `stockctl broker`.
func TestKcatSeesACloseInEveryPartition(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("kcat is not installed; .ci/run installs Debian's kcat package")
		}
		t.Skip("needs kcat (apt-get install kcat)")
	}
	dir := t.TempDir()
	var brokers, topic string
	if testkafka.Real() {
		brokers, topic = strings.Join(testkafka.Brokers(t), ","), testkafka.Topic(t)
	} else {
		brokers, topic = startBroker(t, dir).addr, "stock.events"
	}
	env := []string{"STOCKCTL_BROKERS=" + brokers, "STOCKCTL_TOPIC=" + topic}
	mustRunEnv(t, dir, env, "restock", "P1", "5", "--date", "2024-03-01")
	mustRunEnv(t, dir, env, "close-period", "--through", "2024-03-31", "--operator", "ana")

	out, err := exec.Command(kcat, "-C", "-b", brokers, "-t", topic, "-e", "-q", "-f", "%p|%o|%K|%s\n").Output()
	if err != nil {
		t.Fatalf("kcat -C: %v", err)
	}
	copies := map[string]bool{}
	ids := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "|", 4)
		var ev map[string]any
		if len(f) != 4 || json.Unmarshal([]byte(f[3]), &ev) != nil {
			t.Fatalf("kcat printed %q", line)
		}
		if ev["type"] != "PeriodClosed" {
			continue
		}
		// %K is the key's length: 0 for the empty key (-1 would be a null key).
		if _, hasProduct := ev["product_id"]; f[2] != "0" || ev["business_date"] != "2024-03-31 00:00:00" || hasProduct {
			t.Errorf("a copy of the close: %q", line)
		}
		copies[f[0]] = true
		ids[fmt.Sprint(ev["event_id"])] = true
	}
	if len(copies) != 3 || len(ids) != 1 {
		t.Fatalf("kcat read copies in partitions %v with event IDs %v, want one in each of 3 partitions, one ID:\n%s", copies, ids, out)
	}
	wantRunEnv(t, dir, env, 1, "period closed through 2024-03-31", "sell", "P1", "1", "--date", "2024-03-15")
}

// wantRunEnv runs stockctl with env and fails unless it exits code with want on stderr.
func wantRunEnv(t *testing.T, dir string, env []string, code int, want string, args ...string) {
	t.Helper()
	if r := runEnv(t, dir, env, args...); r.code != code || !strings.Contains(r.stderr, want) {
		t.Fatalf("want exit %d with %q on stderr, got %v", code, want, r)
	}
}
