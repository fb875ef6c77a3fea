package eventlog_test

import (
	"context"
	"testing"

	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/loadgen"
)

// BenchmarkAppendBulk appends 20,000 events per iteration through the bulk path on the
// embedded broker and reports events/s.
func BenchmarkAppendBulk(b *testing.B) {
	e, err := eventlog.StartEmbedded(b.TempDir(), "127.0.0.1:0", false)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	l, err := eventlog.Connect(context.Background(), eventlog.Config{Brokers: []string{e.Addr()}})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	const n = 20000
	gen := loadgen.New(100, 1)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		evs := gen.Next(n)
		b.StartTimer()
		if err := l.AppendBulk(context.Background(), evs, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}
