package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/internal/testkafka"
)

// envKafkaControl names the script that stops and starts the real broker
// (deploy/kafka/kafka.sh). make test-kafka sets it for this test alone, after the rest of
// the suite, since stopping the broker would fail tests running beside it.
const envKafkaControl = "STOCKCTL_TEST_KAFKA_CONTROL"

// TestRealKafkaDownAndRestarted: with Apache Kafka stopped, a command fails within 10 s
// with exit 3 and records nothing; `project --follow` waits it out and, once Kafka is
// back, resumes without losing or repeating an event.
func TestRealKafkaDownAndRestarted(t *testing.T) {
	script := os.Getenv(envKafkaControl)
	if script == "" || !testkafka.Real() {
		t.Skip("stops and restarts the real broker: make test-kafka runs it on its own")
	}
	kafka := func(verb string) {
		t.Helper()
		out, err := exec.Command("bash", script, verb).CombinedOutput()
		if err != nil {
			t.Fatalf("kafka.sh %s: %v\n%s", verb, err, out)
		}
	}
	t.Cleanup(func() { exec.Command("bash", script, "up").Run() })
	brokers := strings.Join(testkafka.Brokers(t), ",")
	env := []string{"STOCKCTL_BROKERS=" + brokers, "STOCKCTL_TOPIC=" + testkafka.Topic(t)}
	follower := t.TempDir()
	cmd := exec.Command(binary, "--data-dir", follower, "project", "--follow", "--quiet")
	cmd.Env = append(cleanEnv(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	writer := t.TempDir()
	mustRunEnv(t, writer, env, "restock", "P1", "10")
	waitForLedger(t, filepath.Join(follower, "operations.db"), 1)

	kafka("down")
	start := time.Now()
	r := runEnv(t, writer, env, "sell", "P1", "2")
	if r.code != 3 || time.Since(start) > 12*time.Second {
		t.Fatalf("with Kafka down, want exit 3 within 10 s; got %v", r)
	}
	kafka("up")
	mustRunEnv(t, writer, env, "sell", "P1", "4")
	waitForLedger(t, filepath.Join(follower, "operations.db"), 2)
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("project --follow did not stop cleanly: %v", err)
	}
	if got := tableCounts(t, filepath.Join(follower, "operations.db")); !strings.HasPrefix(got, "ledger=2 rejected=0 skipped=0 ") {
		t.Fatalf("follower after the outage: %s; want the restock and the later sale, once each", got)
	}
	if r := mustRunEnv(t, writer, env, "stock", "P1"); !strings.Contains(r.stdout, "6.00") {
		t.Fatalf("stock = %v, want 6.00: the sale tried while Kafka was down must not count", r)
	}
}
