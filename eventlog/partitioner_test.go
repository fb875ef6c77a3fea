package eventlog_test

import (
	"testing"

	"github.com/stockctl/stockctl/eventlog"
)

// The expected partitions are Kafka's: Utils.toPositive(Utils.murmur2(key)) % n, with the
// hashes from Kafka's own UtilsTest.
func TestPartitionForMatchesKafka(t *testing.T) {
	tests := []struct {
		key  string
		hash int32 // Utils.murmur2 as Kafka's tests give it
	}{
		{"21", -973932308},
		{"foobar", -790332482},
		{"a-little-bit-long-string", -985981536},
		{"a-little-bit-longer-string", -1486304829},
		{"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
		{"abc", 479470107},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			for _, n := range []int32{1, 3, 7, 100} {
				want := (tt.hash & 0x7fffffff) % n
				if got := eventlog.PartitionFor([]byte(tt.key), n); got != want {
					t.Errorf("PartitionFor(%q, %d) = %d, want %d", tt.key, n, got, want)
				}
			}
		})
	}
}
