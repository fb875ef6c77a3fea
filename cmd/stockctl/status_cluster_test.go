package main_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/internal/testkafka"
)

type placementJSON struct {
	Partition       int32   `json:"partition"`
	Leader          int32   `json:"leader"`
	Replicas        []int32 `json:"replicas"`
	InSync          []int32 `json:"in_sync_replicas"`
	UnderReplicated bool    `json:"under_replicated"`
}

// clusterStatus runs status twice, as JSON and as the table, and returns both; ok is
// false when either failed (a partition's leader just died: its end cannot be read
// until another is elected).
func clusterStatus(t *testing.T, dir string, env []string) (parts []placementJSON, table string, ok bool) {
	t.Helper()
	r := runEnv(t, dir, env, "status", "--output", "json")
	if r.code != 0 {
		return nil, r.String(), false
	}
	var s struct {
		Offsets []placementJSON `json:"offsets"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("status --output json: %v\n%v", err, r)
	}
	tr := runEnv(t, dir, env, "status")
	return s.Offsets, tr.stdout, tr.code == 0
}

// TestStatusShowsUnderReplication: on a 3-node cluster, a topic stockctl created with
// --replication-factor 3 shows 3 replicas in sync on every partition; with one node
// killed, status shows it out of the in-sync replicas of each partition and warns that the
// partition is under-replicated; once the node is restarted the warning clears. Needs the
// cluster of deploy/kafka (kafka.sh up --nodes 3); skipped without it.
func TestStatusShowsUnderReplication(t *testing.T) {
	cluster := testkafka.NewCluster(t)
	dir := t.TempDir()
	topic := testkafka.Topic(t)
	env := []string{"STOCKCTL_BROKERS=" + strings.Join(cluster.Brokers, ","), "STOCKCTL_TOPIC=" + topic}
	mustRunEnv(t, dir, env, "--replication-factor", "3", "restock", "P1", "10")

	// A node restarted by the test before may still be catching up: wait until the
	// metadata lists all three replicas in sync, then check what status makes of it.
	var parts []placementJSON
	var table string
	awaitShowing(t, 60*time.Second, "3 partitions with 3 in-sync replicas each", func() (bool, string) {
		var ok bool
		parts, table, ok = clusterStatus(t, dir, env)
		if !ok || len(parts) != 3 {
			return false, table
		}
		for _, p := range parts {
			if len(p.InSync) != 3 {
				return false, table
			}
		}
		return true, table
	})
	for _, p := range parts {
		if len(p.Replicas) != 3 || len(p.InSync) != 3 || p.UnderReplicated || !slices.Contains(p.Replicas, p.Leader) {
			t.Fatalf("partition %d on a healthy cluster: %+v; want 3 replicas, 3 in sync, a leader among them", p.Partition, p)
		}
		want := fmt.Sprintf("leader %d, replicas 1,2,3, in sync 1,2,3", p.Leader)
		if !strings.Contains(table, want) {
			t.Fatalf("status table lacks %q:\n%s", want, table)
		}
	}
	if strings.Contains(table, "WARNING") {
		t.Fatalf("status warns on a healthy cluster:\n%s", table)
	}

	victim := cluster.Leader(topic, 0)
	cluster.Kill(victim)
	start := time.Now()
	// Waits for the controller to fence the node (broker.session.timeout.ms, 9 s) and drop
	// it from the in-sync replicas.
	awaitShowing(t, 90*time.Second, fmt.Sprintf("status to report partitions under-replicated without node %d", victim), func() (bool, string) {
		parts, table, ok := clusterStatus(t, dir, env)
		if !ok {
			return false, table
		}
		for _, p := range parts {
			if !p.UnderReplicated || slices.Contains(p.InSync, int32(victim)) || len(p.InSync) != 2 || p.Leader == int32(victim) {
				return false, table
			}
			if !strings.Contains(table, fmt.Sprintf("WARNING: partition %d is under-replicated", p.Partition)) {
				return false, table
			}
		}
		return true, table
	})
	t.Logf("node %d killed: status reported every partition under-replicated after %s", victim, time.Since(start).Round(100*time.Millisecond))

	cluster.Restart(victim)
	start = time.Now()
	awaitShowing(t, 90*time.Second, fmt.Sprintf("status to report 3 in-sync replicas again after restarting node %d", victim), func() (bool, string) {
		parts, table, ok := clusterStatus(t, dir, env)
		if !ok || strings.Contains(table, "WARNING") {
			return false, table
		}
		for _, p := range parts {
			if p.UnderReplicated || len(p.InSync) != 3 {
				return false, table
			}
		}
		return true, table
	})
	t.Logf("node %d restarted: in sync again after %s", victim, time.Since(start).Round(100*time.Millisecond))
}

// awaitShowing polls cond until it holds, or fails after d with what it showed last.
func awaitShowing(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	for deadline := time.Now().Add(d); ; time.Sleep(250 * time.Millisecond) {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s; last status:\n%s", d, what, last)
		}
	}
}
