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

	"github.com/IBM/sarama"

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

// ProduceRaw writes records to topic with a plain Kafka producer, as another program
// would: values that need not be stockctl events. A nil key writes a null key.
func ProduceRaw(tb testing.TB, brokers []string, topic string, records ...[2][]byte) {
	tb.Helper()
	p, err := sarama.NewSyncProducer(brokers, SaramaConfig())
	if err != nil {
		tb.Fatalf("raw producer: %v", err)
	}
	defer p.Close()
	for _, r := range records {
		msg := &sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(r[1])}
		if r[0] != nil {
			msg.Key = sarama.ByteEncoder(r[0])
		}
		if _, _, err := p.SendMessage(msg); err != nil {
			tb.Fatalf("raw produce: %v", err)
		}
	}
}

// SaramaConfig is a plain client configuration for tests that act as another program.
func SaramaConfig() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_6_0_0
	cfg.Producer.Return.Successes = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	return cfg
}

// Records returns how many records topic holds, summed over its partitions; 0 when the
// topic does not exist yet.
func Records(tb testing.TB, brokers []string, topic string) int64 {
	tb.Helper()
	client, err := sarama.NewClient(brokers, SaramaConfig())
	if err != nil {
		tb.Fatalf("client: %v", err)
	}
	defer client.Close()
	parts, err := client.Partitions(topic)
	if err != nil {
		return 0
	}
	var n int64
	for _, p := range parts {
		end, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			return 0
		}
		n += end
	}
	return n
}

// ProduceTo writes one record to a given partition of topic, as a producer with its own
// partitioner would. A nil key writes a null key.
func ProduceTo(tb testing.TB, brokers []string, topic string, partition int32, key, value []byte) {
	tb.Helper()
	cfg := SaramaConfig()
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	cfg.Producer.MaxMessageBytes = 2 << 20
	p, err := sarama.NewSyncProducer(brokers, cfg)
	if err != nil {
		tb.Fatalf("producer: %v", err)
	}
	defer p.Close()
	msg := &sarama.ProducerMessage{Topic: topic, Partition: partition, Value: sarama.ByteEncoder(value)}
	if key != nil {
		msg.Key = sarama.ByteEncoder(key)
	}
	if _, _, err := p.SendMessage(msg); err != nil {
		tb.Fatalf("produce: %v", err)
	}
}
