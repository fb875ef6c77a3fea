package eventlog

import (
	"testing"

	"github.com/stockctl/stockctl/internal/loadgen"
)

// BenchmarkRecord builds the bulk producer's record of an event.
func BenchmarkRecord(b *testing.B) {
	evs := loadgen.New(100, 1).Next(1000)
	b.ReportAllocs()
	for i := range b.N {
		if _, err := newRecord("t", evs[i%1000]); err != nil {
			b.Fatal(err)
		}
	}
}
