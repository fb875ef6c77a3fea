package testkafka_test

import (
	"testing"

	"github.com/stockctl/stockctl/internal/testkafka"
)

// TestClusterNodeControl: the failure tests' controls act on the node named: pause,
// resume, kill and restart change its state as kafka.sh reports it, a restarted node serves
// clients as soon as Restart returns, and Leader names a
// node leading a partition of a topic replicated on all three. Needs the cluster of
// deploy/kafka (kafka.sh up --nodes 3); skipped without it.
func TestClusterNodeControl(t *testing.T) {
	c := testkafka.NewCluster(t)
	topic := testkafka.Topic(t)
	testkafka.CreateTopic(t, c.Brokers, topic, 3, 3)
	leader := c.Leader(topic, 0)
	if leader < 1 || leader > 3 {
		t.Fatalf("leader of %s/0 = %d, want a node 1 to 3", topic, leader)
	}
	steps := []struct {
		do   func(int)
		want string
	}{{c.Pause, "paused"}, {c.Resume, "running"}, {c.Kill, "down"}, {c.Restart, "running"}}
	for _, s := range steps {
		s.do(leader)
		if got := c.State(leader); got != s.want {
			t.Fatalf("node %d is %q, want %q", leader, got, s.want)
		}
	}
	if err := c.Serves(leader); err != nil {
		t.Fatalf("right after Restart: %v", err)
	}
	if got := c.Leader(topic, 0); got < 1 || got > 3 {
		t.Fatalf("leader of %s/0 after the restart = %d", topic, got)
	}
}
