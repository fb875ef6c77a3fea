package eventlog

import "github.com/IBM/sarama"

// kafkaHashPartitioner places a record by the murmur2 hash of its key, as Kafka's Java
// client does by default (and librdkafka with partitioner=murmur2_random; its default,
// consistent_random, uses CRC32), so a producer set up like the Java client sends a
// product's events to the same partition stockctl does. Sarama's own hash partitioner
// uses FNV-1a and would disagree. A record whose partition AppendToAll chose
// (explicitPartition) keeps it.
type kafkaHashPartitioner struct{}

func newKafkaHashPartitioner(string) sarama.Partitioner { return kafkaHashPartitioner{} }

func (kafkaHashPartitioner) Partition(m *sarama.ProducerMessage, n int32) (int32, error) {
	if _, ok := m.Metadata.(explicitPartition); ok {
		// A copy of an event for every partition (AppendToAll): Sarama checks the range.
		return m.Partition, nil
	}
	key, err := m.Key.Encode()
	if err != nil {
		return 0, err
	}
	return PartitionFor(key, n), nil
}

func (kafkaHashPartitioner) RequiresConsistency() bool { return true }

// PartitionFor returns the partition Kafka's Java client chooses for key among n.
func PartitionFor(key []byte, n int32) int32 {
	return int32(murmur2(key)&0x7fffffff) % n
}

// murmur2 is the 32-bit MurmurHash2 with Kafka's seed, as in Kafka's Utils.murmur2.
func murmur2(data []byte) uint32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	length := len(data)
	h := seed ^ uint32(length)
	for i := 0; i+4 <= length; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	tail := length &^ 3
	switch length & 3 {
	case 3:
		h ^= uint32(data[tail+2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[tail+1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[tail])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}
