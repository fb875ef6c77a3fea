// Package testkafka gives tests a Kafka cluster: the embedded broker in a temporary
// directory, or a real cluster named by STOCKCTL_TEST_BROKERS, so that one suite runs
// against both.
package testkafka

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockctl/stockctl/eventlog"
)

// EnvBrokers names a real Kafka cluster for the tests, e.g. 127.0.0.1:19092.
const EnvBrokers = "STOCKCTL_TEST_BROKERS"

// Brokers returns bootstrap addresses for a test: those in STOCKCTL_TEST_BROKERS, or an
// embedded broker started in a temporary directory and stopped when the test ends.
func Brokers(tb testing.TB) []string {
	tb.Helper()
	if env := os.Getenv(EnvBrokers); env != "" {
		return strings.Split(env, ",")
	}
	b, err := eventlog.StartEmbedded(tb.TempDir(), "127.0.0.1:0", false)
	if err != nil {
		tb.Fatalf("start embedded broker: %v", err)
	}
	tb.Cleanup(func() { b.Close() })
	return []string{b.Addr()}
}

// Real reports whether the tests run against a real cluster.
func Real() bool { return os.Getenv(EnvBrokers) != "" }

var topicSeq atomic.Int64

// Topic returns a topic name no other test uses, so tests can share a real cluster.
func Topic(tb testing.TB) string {
	tb.Helper()
	name := strings.NewReplacer("/", ".", " ", "_").Replace(tb.Name())
	if len(name) > 100 {
		name = name[:100]
	}
	return fmt.Sprintf("test.%s.%d.%d", name, time.Now().UnixNano(), topicSeq.Add(1))
}

// Config returns an eventlog configuration for a fresh topic on the test's cluster.
func Config(tb testing.TB) eventlog.Config {
	tb.Helper()
	return eventlog.Config{Brokers: Brokers(tb), Topic: Topic(tb), Partitions: 3}
}
