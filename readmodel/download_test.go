package readmodel_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stockctl/stockctl/readmodel"
)

// TestDownloadHoldsNoConnectionWhileTheClientReads: a download reads a page of rows and
// lets its connection go before handing them on, so a client that reads slowly keeps no
// connection from the pages. serve reads through four connections; four slow downloads
// once held all four, and every page waited. Here the reader has one connection, and
// the callback, a slow client, asks for another query with a deadline.
func TestDownloadHoldsNoConnectionWhileTheClientReads(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	var ops []string
	for i := range 12 {
		ops = append(ops, fmt.Sprintf("restock 1 %d", i+1))
	}
	apply(t, db, 0, 0, ops...)
	reader, err := readmodel.OpenReader(ctx, db.Path(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	rows := 0
	err = reader.EachListedOperation(ctx, readmodel.OperationQuery{}, func(readmodel.ListedOperation) error {
		rows++
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if _, err := reader.CountOperations(qctx, readmodel.OperationQuery{}); err != nil {
			return fmt.Errorf("a page's query while a download waits on its client: %w", err)
		}
		return nil
	})
	if err != nil || rows != 12 {
		t.Fatalf("download: %d rows, %v", rows, err)
	}
}
