package projections

import (
	"fmt"
	"strings"

	"github.com/stockctl/stockctl/domain"
)

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
	// Gaps counts the gaps the log had (see domain.Record.Gap); GapTexts describes the first few.
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
func (s *Stats) skipped(pos domain.Position, reason, detail string) {
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
