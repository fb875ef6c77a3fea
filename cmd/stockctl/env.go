package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// env is what a command runs against: the log, the read model, and the projection that
// keeps one up to date with the other.
type env struct {
	log    *eventlog.Log
	db     *readmodel.DB
	ledger *projections.Ledger
	stderr io.Writer
	close  []func() error
}

// lockWait is how long a command waits for another process using the embedded log.
const lockWait = 10 * time.Second

func openEnv(c *cli.Context) (*env, error) {
	ctx := c.Context
	e := &env{stderr: c.App.ErrWriter}
	dataDir := c.String("data-dir")
	if dataDir == "" {
		return nil, fmt.Errorf("%w: --data-dir is empty", errUsage)
	}
	brokers := splitBrokers(c.String("brokers"))
	if len(brokers) == 0 {
		addrs, closer, err := eventlog.Local(ctx, dataDir, lockWait)
		if err != nil {
			return nil, err
		}
		brokers = addrs
		e.close = append(e.close, closer)
	}
	partitions := c.Int("partitions")
	if partitions < 1 || partitions > 1000 {
		e.Close()
		return nil, fmt.Errorf("%w: --partitions %d: give 1 to 1000", errUsage, partitions)
	}
	log, err := eventlog.Connect(ctx, eventlog.Config{
		Brokers:    brokers,
		Topic:      c.String("topic"),
		Partitions: int32(partitions),
	})
	if err != nil {
		e.Close()
		return nil, err
	}
	e.log = log
	e.close = append(e.close, log.Close)

	dbPath := c.String("db")
	if dbPath == "" {
		dbPath = filepath.Join(dataDir, "operations.db")
	}
	db, err := readmodel.Open(ctx, dbPath)
	if err != nil {
		e.Close()
		return nil, err
	}
	e.db = db
	e.close = append(e.close, db.Close)
	if err := db.BindLog(ctx, log.Topic(), log.Partitions()); err != nil {
		e.Close()
		return nil, err
	}
	e.ledger = projections.NewLedger(db)
	return e, nil
}

// CatchUp projects everything the log holds that the read model lacks.
func (e *env) CatchUp(ctx context.Context) error {
	stats, err := e.ledger.CatchUp(ctx, e.log)
	if stats.Skipped > 0 {
		fmt.Fprintf(e.stderr, "warning: skipped %d record(s) on topic %s that are not stockctl events (see the skipped_records table)\n",
			stats.Skipped, e.log.Topic())
	}
	return err
}

// Close releases everything, in reverse order of opening.
func (e *env) Close() error {
	var errs []error
	for i := len(e.close) - 1; i >= 0; i-- {
		errs = append(errs, e.close[i]())
	}
	return errors.Join(errs...)
}

func splitBrokers(s string) []string {
	var out []string
	for _, b := range strings.Split(s, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}
