package eventlog

import (
	"context"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/stockctl/stockctl/domain"
)

// Header is a record header as the broker returned it, for the contract suite.
type Header struct{ Key, Value string }

// RawRecord is a record with its headers, which Read does not return.
type RawRecord struct {
	domain.Record
	Headers []Header
}

// ReadRaw reads as CopyTo does, headers included.
func (l *Log) ReadRaw(ctx context.Context, from, until map[int32]int64) ([]RawRecord, error) {
	var out []RawRecord
	err := l.readRaw(ctx, from, until, func(batch []rawRecord) error {
		for _, r := range batch {
			rr := RawRecord{Record: r.Record}
			for _, h := range r.headers {
				rr.Headers = append(rr.Headers, Header{string(h.Key), string(h.Value)})
			}
			out = append(out, rr)
		}
		return nil
	})
	return out, err
}

// Cluster gives the suite the embedded broker itself, to inject faults.
func (e *Embedded) Cluster() *kfake.Cluster { return e.cluster }

// WaitAbandoned waits until every call given up on so far has ended.
func (l *Log) WaitAbandoned() {
	for _, c := range l.runningAbandoned() {
		<-c
	}
}
