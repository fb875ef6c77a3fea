package projections

import (
	"fmt"
	"strings"
)

// Kinds of gap a Source reports. A topic that never compacts has a record at every
// offset (transaction markers aside), so either one means a damaged or edited log.
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

// Stats counts what a projection did with the records it was given.
type Stats struct {
	Read     int // records read from the log
	Accepted int
	Rejected int
	Skipped  int // records that are not valid stockctl events
	Seen     int // records already applied before (redelivered)
	// SkippedBy counts skipped records by reason; SkipExample holds the first one's
	// position and detail for each reason.
	SkippedBy   map[string]int
	SkipExample map[string]string
	// Gaps counts the gaps the log had (see Record.Gap); GapTexts describes the first few.
	Gaps     int
	GapTexts []string
}

// maxGapTexts is how many gaps Stats describes.
const maxGapTexts = 5

// Add adds o to s.
func (s *Stats) Add(o Stats) {
	s.Read += o.Read
	s.Accepted += o.Accepted
	s.Rejected += o.Rejected
	s.Skipped += o.Skipped
	s.Seen += o.Seen
	s.Gaps += o.Gaps
	for _, g := range o.GapTexts {
		if len(s.GapTexts) < maxGapTexts {
			s.GapTexts = append(s.GapTexts, g)
		}
	}
	for reason, n := range o.SkippedBy {
		if s.SkippedBy == nil {
			s.SkippedBy, s.SkipExample = map[string]int{}, map[string]string{}
		}
		if s.SkippedBy[reason] == 0 {
			s.SkipExample[reason] = o.SkipExample[reason]
		}
		s.SkippedBy[reason] += n
	}
}

// skipped counts one skipped record.
func (s *Stats) skipped(pos Position, reason, detail string) {
	s.Skipped++
	if s.SkippedBy == nil {
		s.SkippedBy, s.SkipExample = map[string]int{}, map[string]string{}
	}
	if s.SkippedBy[reason] == 0 {
		if len(detail) > 120 {
			detail = strings.ToValidUTF8(detail[:120], "") + "…"
		}
		s.SkipExample[reason] = fmt.Sprintf("partition %d offset %d: %s", pos.Partition, pos.Offset, detail)
	}
	s.SkippedBy[reason]++
}
