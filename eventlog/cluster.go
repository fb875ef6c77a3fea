package eventlog

import (
	"context"
	"fmt"
	"slices"
)

// Placement is where the cluster keeps one partition of the topic: the broker leading
// it and the brokers holding copies, by broker (node) ID.
type Placement struct {
	Partition int32
	// Leader is the broker that serves the partition's reads and writes; -1 when none is
	// elected (its products can be neither sold nor read until one is).
	Leader   int32
	Replicas []int32
	// InSync are the replicas caught up with the leader; an acks=all write waits for them
	// and needs at least min.insync.replicas of them.
	InSync  []int32
	Offline []int32
}

// UnderReplicated reports whether some replica has fallen out of sync (or is offline):
// one more broker lost may then stop writes to the partition, or lose its data.
func (p Placement) UnderReplicated() bool { return len(p.InSync) < len(p.Replicas) }

// Placements returns each partition's leader and replicas as the cluster reports them
// now. Sarama's client keeps the metadata it last saw; it is refreshed first, and read
// from the client directly because Watermill has no such query.
func (l *Log) Placements(ctx context.Context) ([]Placement, error) {
	var out []Placement
	err := l.bounded(ctx, "partition metadata of "+l.cfg.Topic, func(context.Context) error {
		if err := l.client.RefreshMetadata(l.cfg.Topic); err != nil {
			return fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		out = out[:0]
		for p := int32(0); p < l.partitions; p++ {
			pl := Placement{Partition: p, Leader: -1}
			// Replicas and InSyncReplicas return what is known even with an error such as
			// a leader not available: the error is what status shows.
			pl.Replicas, _ = l.client.Replicas(l.cfg.Topic, p)
			pl.InSync, _ = l.client.InSyncReplicas(l.cfg.Topic, p)
			pl.Offline, _ = l.client.OfflineReplicas(l.cfg.Topic, p)
			if b, _, err := l.client.LeaderAndEpoch(l.cfg.Topic, p); err == nil && b != nil {
				pl.Leader = b.ID()
			}
			for _, s := range [][]int32{pl.Replicas, pl.InSync, pl.Offline} {
				slices.Sort(s)
			}
			out = append(out, pl)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
