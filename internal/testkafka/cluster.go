package testkafka

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// EnvClusterBrokers names a Kafka cluster of several nodes for the failure tests, e.g.
// 127.0.0.1:29192,127.0.0.1:29292,127.0.0.1:29392 (deploy/kafka/kafka.sh up --nodes 3).
const EnvClusterBrokers = "STOCKCTL_TEST_CLUSTER_BROKERS"

// EnvClusterControl names the script that controls the cluster's nodes
// (deploy/kafka/kafka.sh, run as `kafka.sh node N kill`), with the same KAFKA_WORK_DIR
// and KAFKA_CLUSTER_PORT_BASE in the environment as the `up --nodes` that started it.
const EnvClusterControl = "STOCKCTL_TEST_KAFKA_CLUSTER_CONTROL"

// Cluster is a real Kafka cluster whose nodes a test can kill, pause and restart. Node N
// is broker (node) ID N, as deploy/kafka numbers them.
type Cluster struct {
	Brokers []string
	script  string
	tb      testing.TB

	mu      sync.Mutex
	damaged map[int]string // node -> "killed" or "paused", put right at cleanup
}

// NewCluster returns the cluster named by STOCKCTL_TEST_CLUSTER_BROKERS and
// STOCKCTL_TEST_KAFKA_CLUSTER_CONTROL, or skips the test when either is unset. At the
// test's end it resumes the nodes it paused and restarts those it killed, so that the
// tests after it find the whole cluster. It holds the cluster for the test alone, across
// test processes, and waits first until every node serves clients.
func NewCluster(tb testing.TB) *Cluster {
	tb.Helper()
	brokers, script := os.Getenv(EnvClusterBrokers), os.Getenv(EnvClusterControl)
	if brokers == "" || script == "" {
		tb.Skipf("needs a 3-node Kafka cluster: deploy/kafka/kafka.sh up --nodes 3, then set %s=127.0.0.1:29192,127.0.0.1:29292,127.0.0.1:29392 and %s=$PWD/deploy/kafka/kafka.sh",
			EnvClusterBrokers, EnvClusterControl)
	}
	c := &Cluster{Brokers: strings.Split(brokers, ","), script: script, tb: tb, damaged: map[int]string{}}
	unlock := lockCluster(tb, brokers)
	tb.Cleanup(func() {
		c.repair()
		unlock()
	})
	for n := range c.Brokers {
		c.awaitServing(n + 1)
	}
	return c
}

// lockCluster takes a lock on the cluster shared by every test process on this machine:
// go test runs packages in parallel, and one test killing a node would break another's
// figures. It returns the function that releases it.
func lockCluster(tb testing.TB, brokers string) func() {
	tb.Helper()
	sum := sha256.Sum256([]byte(brokers))
	path := filepath.Join(os.TempDir(), fmt.Sprintf("stockctl-test-cluster-%x.lock", sum[:6]))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		tb.Fatalf("cluster lock: %v", err)
	}
	start := time.Now()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		tb.Fatalf("cluster lock %s: %v", path, err)
	}
	if waited := time.Since(start); waited > time.Second {
		tb.Logf("waited %s for another test's use of the cluster to end", waited.Round(100*time.Millisecond))
	}
	return func() { f.Close() }
}

// awaitServing waits until node n serves clients (a test before may have just restarted
// it), for up to two minutes.
func (c *Cluster) awaitServing(n int) {
	c.tb.Helper()
	var err error
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if err = c.Serves(n); err == nil {
			return
		}
	}
	c.tb.Fatalf("the cluster is not whole: %v (deploy/kafka/kafka.sh status --nodes 3; node %d restart)", err, n)
}

// Kill ends node n with SIGKILL.
func (c *Cluster) Kill(n int) { c.tb.Helper(); c.node(n, "kill", "killed") }

// Pause stops node n with SIGSTOP: it holds its connections but answers nothing.
func (c *Cluster) Pause(n int) { c.tb.Helper(); c.node(n, "pause", "paused") }

// Resume continues node n after Pause (SIGCONT).
func (c *Cluster) Resume(n int) { c.tb.Helper(); c.node(n, "resume", "") }

// Restart starts node n again (stopping it first if it runs) and returns once the
// cluster lists it as a registered, unfenced broker.
func (c *Cluster) Restart(n int) { c.tb.Helper(); c.node(n, "restart", "") }

// State returns "running", "paused" or "down".
func (c *Cluster) State(n int) string {
	c.tb.Helper()
	out, _ := exec.Command("bash", c.script, "node", fmt.Sprint(n), "status").Output()
	return strings.TrimSpace(string(out))
}

func (c *Cluster) node(n int, verb, after string) {
	c.tb.Helper()
	out, err := exec.Command("bash", c.script, "node", fmt.Sprint(n), verb).CombinedOutput()
	if err != nil {
		c.tb.Fatalf("kafka.sh node %d %s: %v\n%s", n, verb, err, out)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if after == "" {
		delete(c.damaged, n)
	} else {
		c.damaged[n] = after
	}
}

func (c *Cluster) repair() {
	c.mu.Lock()
	damaged := c.damaged
	c.damaged = map[int]string{}
	c.mu.Unlock()
	for n, state := range damaged {
		verb := map[string]string{"killed": "restart", "paused": "resume"}[state]
		if out, err := exec.Command("bash", c.script, "node", fmt.Sprint(n), verb).CombinedOutput(); err != nil {
			c.tb.Errorf("cleanup: kafka.sh node %d %s: %v\n%s", n, verb, err, out)
		}
	}
}

// Leader returns the node leading partition of topic now, as the cluster's metadata says
// (-1 when none is elected), waiting up to a minute for the metadata to be readable.
func (c *Cluster) Leader(topic string, partition int32) int {
	c.tb.Helper()
	var last error
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		id, err := c.leader(topic, partition)
		if err == nil {
			return id
		}
		last = err
	}
	c.tb.Fatalf("leader of %s/%d: %v", topic, partition, last)
	return -1
}

func (c *Cluster) leader(topic string, partition int32) (int, error) {
	cfg := SaramaConfig()
	cfg.Metadata.Retry.Max = 0
	client, err := sarama.NewClient(c.Brokers, cfg)
	if err != nil {
		return -1, err
	}
	defer client.Close()
	if err := client.RefreshMetadata(topic); err != nil {
		return -1, err
	}
	b, err := client.Leader(topic, partition)
	switch {
	case errors.Is(err, sarama.ErrLeaderNotAvailable):
		return -1, nil
	case err != nil:
		return -1, err
	}
	return int(b.ID()), nil
}

// CreateTopic creates topic with the given partitions and replication factor, as an
// administrator would before stockctl runs.
func CreateTopic(tb testing.TB, brokers []string, topic string, partitions int32, replicas int16) {
	tb.Helper()
	admin, err := sarama.NewClusterAdmin(brokers, SaramaConfig())
	if err != nil {
		tb.Fatalf("admin: %v", err)
	}
	defer admin.Close()
	if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: replicas}, false); err != nil {
		tb.Fatalf("create topic %s: %v", topic, err)
	}
}

// Serves reports whether node n answers clients itself now: asked at its own address
// alone, it returns metadata that lists it among the cluster's brokers. A node killed a
// moment ago is still listed by the others until its session expires; this asks it.
func (c *Cluster) Serves(n int) error {
	cfg := SaramaConfig()
	cfg.Metadata.Retry.Max = 0
	cfg.Net.DialTimeout = 2 * time.Second
	addr := ""
	for i, a := range c.Brokers {
		// deploy/kafka lists node N's address Nth in the bootstrap list.
		if i+1 == n {
			addr = a
		}
	}
	if addr == "" {
		return fmt.Errorf("no node %d among %s", n, strings.Join(c.Brokers, ","))
	}
	client, err := sarama.NewClient([]string{addr}, cfg)
	if err != nil {
		return fmt.Errorf("node %d at %s: %w", n, addr, err)
	}
	defer client.Close()
	for _, b := range client.Brokers() {
		if int(b.ID()) == n {
			return nil
		}
	}
	return fmt.Errorf("node %d at %s answers but does not list itself among the brokers", n, addr)
}
