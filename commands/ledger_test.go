package commands_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// node is one stockctl writer: its own connection to the log and a read model file,
// wired as cmd/stockctl wires them.
type node struct {
	log     *eventlog.Log
	db      *readmodel.DB
	ledger  *projections.Ledger
	runner  *projections.Runner
	sell    commands.SellHandler
	restock commands.RestockHandler
}

func (n *node) CatchUp(ctx context.Context) error { return n.runner.CatchUp(ctx) }

func mustNode(tb testing.TB, cfg eventlog.Config, dbPath string) *node {
	tb.Helper()
	ctx := context.Background()
	log, err := eventlog.Connect(ctx, cfg)
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	tb.Cleanup(func() { log.Close() })
	db, err := readmodel.Open(ctx, dbPath)
	if err != nil {
		tb.Fatalf("open read model: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.BindLog(ctx, log.Topic(), log.Partitions()); err != nil {
		tb.Fatalf("bind log: %v", err)
	}
	n := &node{log: log, db: db, ledger: projections.NewLedger(db)}
	n.ledger.CheckPartitions(log.PartitionOf)
	n.runner = &projections.Runner{Ledger: n.ledger, Source: func() projections.Source { return n.log }}
	n.sell = commands.NewSellHandler(log, n, db, uuid.NewString)
	n.restock = commands.NewRestockHandler(log, n, db, uuid.NewString)
	return n
}

func op(tb testing.TB, product, qty string) commands.Operation {
	tb.Helper()
	p, err := domain.ParseProductID(product)
	if err != nil {
		tb.Fatal(err)
	}
	q, err := domain.ParseQuantity(qty)
	if err != nil {
		tb.Fatal(err)
	}
	return commands.Operation{
		Product: p, Quantity: q, CommandID: uuid.NewString(),
		Date: domain.NewBusinessDate(time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)), Operator: "test",
	}
}

func dbPath(tb testing.TB) string {
	return filepath.Join(tb.TempDir(), "operations.db")
}
