package domain

import "fmt"

// The log's vocabulary, shared by the side that writes (commands, eventlog) and the side
// that reads (projections, readmodel): where a record sits and what a source gives.

// Position is where a record sits in the log.
type Position struct {
	Partition int32
	Offset    int64
}

// Key packs the position into one integer, ordered by partition then offset: partition
// times 2^40 plus offset.
func (p Position) Key() int64 { return int64(p.Partition)<<40 | p.Offset }

// Record is one record read from the log.
type Record struct {
	Position
	Key   []byte
	Value []byte
	// Gap, when set, makes this not a record but the source's report that the log failed
	// to give what its offsets promise, from Offset to GapLast: GapMissing or GapOutOfOrder.
	Gap     string
	GapLast int64
}

// The kinds of gap a source reports.
const (
	GapMissing    = "missing"      // offsets with no record
	GapOutOfOrder = "out_of_order" // a record at an offset already passed; not applied
)

// GapText describes a gap in words, the same in summaries, warnings and the read model.
func GapText(partition int32, first, last int64, kind string) string {
	switch {
	case kind == GapOutOfOrder:
		return fmt.Sprintf("partition %d: a record at offset %d came after that offset was passed (out of order; not applied)", partition, first)
	case first == last:
		return fmt.Sprintf("partition %d: offset %d missing", partition, first)
	}
	return fmt.Sprintf("partition %d: offsets %d to %d missing", partition, first, last)
}
