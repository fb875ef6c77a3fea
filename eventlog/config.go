// Package eventlog is the Kafka adapter: it appends events through Watermill, reads
// partitions from stored offsets, creates the topic, and runs the embedded broker.
package eventlog

import (
	"errors"
	"time"

	"github.com/IBM/sarama"
)

// ErrUnavailable means the Kafka cluster could not be reached or refused the request.
var ErrUnavailable = errors.New("event log unavailable")

// DefaultTopic is the topic stockctl uses unless told otherwise.
const DefaultTopic = "stock.events"

// Config says where the log is and how the topic is made.
type Config struct {
	Brokers []string
	Topic   string
	// Partitions and ReplicationFactor apply when stockctl creates the topic.
	Partitions        int32
	ReplicationFactor int16
	// ConnectTimeout bounds how long connecting may take before ErrUnavailable.
	ConnectTimeout time.Duration
	// Timeout bounds every request to the cluster after connecting (an append, high
	// watermarks, a fetch, a metadata refresh): Sarama's own retries can wait minutes on
	// a broker that accepts connections but never answers, such as a stopped process.
	Timeout  time.Duration
	Security Security
	// LogDir is the embedded broker's log directory, empty for a Kafka cluster: a failed
	// append is then checked against its disk, to say that it is full rather than
	// relaying the broker's "unknown server error".
	LogDir string
	// ClusterID, when set, is the ID the cluster must report: a data directory's log ID
	// (see LogID), so that an address found in broker.addr that now belongs to another
	// data directory's broker is refused.
	ClusterID string
}

// DefaultTimeout is how long a request to the cluster may take unless told otherwise.
const DefaultTimeout = 10 * time.Second

func (c Config) withDefaults() Config {
	if c.Topic == "" {
		c.Topic = DefaultTopic
	}
	if c.Partitions <= 0 {
		c.Partitions = 3
	}
	if c.ReplicationFactor <= 0 {
		c.ReplicationFactor = 1
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultTimeout
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// saramaConfig returns the client configuration shared by the reader, the admin and
// the Watermill publisher. The security options were checked by Connect.
func (c Config) saramaConfig() *sarama.Config {
	sc := sarama.NewConfig()
	sc.ClientID = "stockctl"
	// Kafka 4.x removed the old request versions that Sarama's default would use.
	sc.Version = sarama.V3_6_0_0
	sc.Net.DialTimeout = 3 * time.Second
	sc.Net.ReadTimeout = 10 * time.Second
	sc.Net.WriteTimeout = 10 * time.Second
	sc.Metadata.Retry.Max = 2
	sc.Metadata.Retry.Backoff = 500 * time.Millisecond

	// A ledger write must survive a broker failure and never be duplicated by a
	// producer retry: idempotence, acks from all in-sync replicas, one request in flight.
	sc.Producer.Idempotent = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Net.MaxOpenRequests = 1
	sc.Producer.Retry.Max = 5
	sc.Producer.Retry.Backoff = 200 * time.Millisecond
	if c.waitsForLeaders() {
		// A produce whose leader died is sent again, to the leader that fresh metadata
		// names, with the same producer ID and sequence numbers, so that the broker drops
		// a copy it already holds: enough retries to outlast Timeout, which bounds the
		// append anyway (see bounded), so that an election of ~10 s is ridden out.
		sc.Producer.Retry.Max = int(c.Timeout/leaderBackoffMax) + 5
		sc.Producer.Retry.BackoffFunc = func(retries, _ int) time.Duration { return leaderBackoff(retries - 1) }
		// A refresh that finds a partition without a leader, or no broker answering,
		// asks again for about 1.5 s: the producer fails a message at once if the
		// refresh before its retry fails.
		sc.Metadata.Retry.Max = 5
		sc.Metadata.Retry.BackoffFunc = func(retries, _ int) time.Duration { return leaderBackoff(retries - 1) }
	}
	sc.Producer.Return.Successes = true
	sc.Producer.Return.Errors = true
	sc.Producer.Partitioner = newKafkaHashPartitioner
	c.Security.apply(sc)

	return sc
}
