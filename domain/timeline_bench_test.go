package domain_test

import (
	"testing"
	"time"

	"github.com/stockctl/stockctl/domain"
)

// BenchmarkTimelineAddInOrder adds operations dated day after day (four a day) to 10
// timelines in turn, as a replay in date order does to a product's balances in each
// location, and reads each one's span first, as deciding does.
//
//	go test -run '^$' -bench BenchmarkTimelineAddInOrder ./domain/
func BenchmarkTimelineAddInOrder(b *testing.B) {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	lines := make([]*domain.Timeline, 10)
	for i := range lines {
		lines[i] = domain.NewTimeline(nil)
	}
	b.ResetTimer()
	for i := range b.N {
		d := domain.NewBusinessDate(base.Add(time.Duration(i/40) * 24 * time.Hour))
		line := lines[i%len(lines)]
		line.Span(d)
		line.Add(d, 100)
	}
}
