package eventlog

import (
	"fmt"
	"testing"

	"github.com/IBM/sarama"
	"github.com/stockctl/stockctl/domain"
)

// batchAt is a one-record batch claiming base offset base, as a segment whose base
// offset was damaged (kfake's CRC does not cover it) serves it.
func batchAt(base int64) *sarama.Records {
	return &sarama.Records{RecordBatch: &sarama.RecordBatch{FirstOffset: base,
		Records: []*sarama.Record{{Key: []byte("P1"), Value: []byte(fmt.Sprint(base))}}}}
}

// decodeBlock reports offsets the log skipped and records that come back at an offset
// already passed, in their place, and a log that ends before the high watermark.
func TestDecodeBlockReportsGaps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		bases []int64
		until int64
		want  string
	}{
		{"whole", []int64{0, 1, 2, 3}, 4, "0 1 2 3"},
		{"base offset moved far", []int64{0, 1, 266, 3}, 4, "0 1 missing:2-2 3"},
		{"base offset moved by one", []int64{0, 1, 3, 3}, 4, "0 1 missing:2-2 3 out_of_order:3-3"},
		{"end moved away", []int64{0, 1, 2, 275}, 4, "0 1 2 missing:3-3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			block := &sarama.FetchResponseBlock{}
			for _, b := range tc.bases {
				block.RecordsSet = append(block.RecordsSet, batchAt(b))
			}
			expect := int64(0)
			out, next := decodeBlock(1, block, 0, tc.until, &expect, false)
			if next >= tc.until && expect < tc.until {
				out = append(out, gap(1, expect, tc.until-1, domain.GapMissing))
			}
			got := ""
			for _, r := range out {
				if r.Gap != "" {
					got += fmt.Sprintf(" %s:%d-%d", r.Gap, r.Offset, r.GapLast)
				} else {
					got += fmt.Sprintf(" %d", r.Offset)
				}
			}
			if got[1:] != tc.want {
				t.Errorf("got %q, want %q", got[1:], tc.want)
			}
		})
	}
}
