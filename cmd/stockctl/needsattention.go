package main

import (
	"context"

	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/reports"
)

// attentionReader is the read model's list of watched stocks (readmodel.DB.Attention) as
// the report, the dashboard and the product page read it: reports cannot import the
// read model, so the rows are converted here, field for field (a field added to one side
// only stops the build here).
type attentionReader struct{ db *readmodel.DB }

// NeedsAttention implements reports.AttentionReader.
func (a attentionReader) NeedsAttention(ctx context.Context, q reports.AttentionQuery) ([]reports.Attention, error) {
	list, err := a.db.Attention(ctx, readmodel.AttentionQuery(q))
	return convertRows(list, func(x readmodel.Attention) reports.Attention { return reports.Attention(x) }), err
}

// NeedsAttention implements web.Store.
func (s webStore) NeedsAttention(ctx context.Context, q reports.AttentionQuery) ([]reports.Attention, error) {
	return attentionReader{s.DB}.NeedsAttention(ctx, q)
}

var _ reports.AttentionReader = attentionReader{}
