package eventlog

import (
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
	// Closing the admin would close the shared client; it holds nothing else.
	topics, err := admin.DescribeTopics([]string{l.cfg.Topic})
	if err != nil {
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
	return l.waitForLeaders(time.Now().Add(l.cfg.ConnectTimeout))
}
