package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/IBM/sarama"
)

// topicConfig is what a ledger topic needs: events never expire and are never compacted.
func topicConfig() map[string]*string {
	s := func(v string) *string { return &v }
	return map[string]*string{
		"retention.ms":    s("-1"),
		"retention.bytes": s("-1"),
		"cleanup.policy":  s("delete"),
	}
}

// ensureTopic creates the topic with the ledger's configuration if it does not exist,
// then waits until all of its partitions have a leader.
func (l *Log) ensureTopic() error {
	admin, err := sarama.NewClusterAdminFromClient(l.client)
	if err != nil {
		return unavailable(l.cfg, err)
	}
	// Closing the admin would close the shared client; it holds nothing else. The admin
	// asks any broker, which may be one that just died: it is asked again, as a leader is.
	deadline := time.Now().Add(l.cfg.ConnectTimeout)
	var topics []*sarama.TopicMetadata
	if err := l.untilLeader(context.Background(), deadline, func() (err error) {
		topics, err = admin.DescribeTopics([]string{l.cfg.Topic})
		return err
	}); err != nil {
		return unavailable(l.cfg, err)
	}
	exists := len(topics) == 1 && !errors.Is(topics[0].Err, sarama.ErrUnknownTopicOrPartition)
	if !exists {
		cfg := topicConfig()
		if l.cfg.ReplicationFactor > 1 {
			minISR := strconv.Itoa(min(int(l.cfg.ReplicationFactor)-1, 2))
			cfg["min.insync.replicas"] = &minISR
		}
		err := admin.CreateTopic(l.cfg.Topic, &sarama.TopicDetail{
			NumPartitions:     l.cfg.Partitions,
			ReplicationFactor: l.cfg.ReplicationFactor,
			ConfigEntries:     cfg,
		}, false)
		if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return fmt.Errorf("%w: create topic %s: %v", ErrUnavailable, l.cfg.Topic, err)
		}
	}
	if err := l.waitForLeaders(time.Now().Add(l.cfg.ConnectTimeout)); err != nil {
		return err
	}
	l.checkRetention(admin, deadline)
	return nil
}

// checkRetention records a warning when the topic would delete events: a topic created
// by someone else, or under a broker default such as Kafka's seven days, loses the
// ledger's history silently.
func (l *Log) checkRetention(admin sarama.ClusterAdmin, deadline time.Time) {
	var entries []sarama.ConfigEntry
	err := l.untilLeader(context.Background(), deadline, func() (err error) {
		entries, err = admin.DescribeConfig(sarama.ConfigResource{
			Type: sarama.TopicResource, Name: l.cfg.Topic, ConfigNames: []string{"retention.ms", "retention.bytes", "cleanup.policy"},
		})
		return err
	})
	if err != nil {
		l.warnings = append(l.warnings, fmt.Sprintf("could not read the retention of topic %s: %v", l.cfg.Topic, err))
		return
	}
	for _, e := range entries {
		bad := false
		switch e.Name {
		case "retention.ms", "retention.bytes":
			bad = e.Value != "-1"
		case "cleanup.policy":
			bad = e.Value != "delete"
		}
		if bad {
			l.warnings = append(l.warnings, fmt.Sprintf(
				"topic %s has %s=%s: Kafka will delete or compact ledger events; set retention.ms=-1, retention.bytes=-1 and cleanup.policy=delete on it",
				l.cfg.Topic, e.Name, e.Value))
		}
	}
}
