package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
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
	// runner drives ledger from log; CatchUp goes through it.
	runner *projections.Runner
	stderr io.Writer
	quiet  bool
	close  []func() error
	// local stops the embedded broker this process started for the log, if it did; it
	// is replaced with the log on a reconnect (see reconnect.go).
	local func() error
	// redial, for the embedded log only, says how to find the log again.
	redial *redialer
}

// lockWait is how long a command waits for another process using the embedded log.
const lockWait = 10 * time.Second

// openEnv connects to the log and opens the live read model.
func openEnv(c *cli.Context) (*env, error) {
	return openEnvServing(c, false)
}

// openCaughtUp is openEnv followed by a catch-up, for commands that read the model.
func openCaughtUp(c *cli.Context) (*env, error) {
	e, err := openEnv(c)
	if err != nil {
		return nil, err
	}
	if err := e.CatchUp(c.Context); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// openEnvServing is openEnv for a long-running command: with serve, an embedded broker
// it starts is shared with other processes (see openLog).
func openEnvServing(c *cli.Context, serve bool) (*env, error) {
	fresh, err := checkDataDir(c)
	if err != nil {
		return nil, err
	}
	return openChecked(c, serve, fresh)
}

// openChecked is openEnvServing once checkDataDir has passed; fresh says the command
// starts a new ledger.
func openChecked(c *cli.Context, serve, fresh bool) (*env, error) {
	// The read model first: one built from another topic is refused before connecting,
	// which would create the topic.
	db, err := readmodel.Open(c.Context, dbPath(c))
	if err != nil {
		return nil, err
	}
	if err := db.CheckTopic(c.Context, c.String("topic")); err != nil {
		db.Close()
		return nil, err
	}
	e, err := connectLog(c, serve)
	if err != nil {
		db.Close()
		return nil, err
	}
	e.db = db
	e.close = append([]func() error{db.Close}, e.close...)
	if err := db.BindLog(c.Context, e.log.Topic(), e.log.Partitions()); err != nil {
		e.Close()
		return nil, err
	}
	if err := db.BindCluster(c.Context, e.log.ClusterID()); err != nil {
		e.Close()
		return nil, err
	}
	e.ledger = e.newLedger(db, false)
	e.runner = e.newRunner(e.ledger, "catching up", nil)
	noteNewLedger(c, fresh)
	return e, nil
}

// newLedger returns the ledger projection into db; exclusive when this process is the
// only one writing db, as in a replay.
func (e *env) newLedger(db *readmodel.DB, exclusive bool) *projections.Ledger {
	l := projections.NewLedger(db)
	if exclusive {
		l = projections.NewExclusiveLedger(db)
	}
	l.CheckPartitions(e.log.PartitionOf)
	return l
}

// openLog connects to the log only. With serve, an embedded broker this process starts
// is advertised in the data directory, so that other commands can use the log while a
// long-running one holds it.
func openLog(c *cli.Context, serve bool) (*env, error) {
	if _, err := checkDataDir(c); err != nil {
		return nil, err
	}
	return connectLog(c, serve)
}

// connectLog is openLog once checkDataDir has passed.
func connectLog(c *cli.Context, serve bool) (*env, error) {
	ctx := c.Context
	e := &env{stderr: c.App.ErrWriter, quiet: c.Bool("quiet")}
	dataDir := c.String("data-dir")
	brokers := splitBrokers(c.String("brokers"))
	if len(brokers) == 0 {
		for _, f := range []string{"tls", "tls-ca", "sasl-mechanism", "sasl-user", "sasl-password"} {
			if c.IsSet(f) {
				return nil, usagef("--%s applies to a Kafka cluster named with --brokers; the embedded broker takes no credentials", f)
			}
		}
		addrs, closer, err := eventlog.Local(ctx, dataDir, lockWait, c.Duration("timeout"), serve)
		if err != nil {
			return nil, err
		}
		brokers = addrs
		e.local = closer
	}
	// The log and the broker behind it may be replaced while the command runs.
	e.close = append(e.close, e.closeLog)
	cfg, err := logConfig(c)
	if err != nil {
		e.Close()
		return nil, err
	}
	cfg.Brokers = brokers
	if len(splitBrokers(c.String("brokers"))) == 0 {
		cfg.LogDir = filepath.Join(dataDir, "log")
		// The embedded log exists now (this process opened it, or a broker serving it
		// was checked): the connection must reach that log and no other.
		if cfg.ClusterID, err = eventlog.LogID(dataDir); err != nil {
			e.Close()
			return nil, err
		}
		e.redial = &redialer{cfg: cfg, dataDir: dataDir, serve: serve}
	}
	log, err := eventlog.Connect(ctx, cfg)
	if err != nil {
		e.Close()
		return nil, err
	}
	e.log = log
	for _, w := range log.Warnings() {
		fmt.Fprintln(e.stderr, "warning: "+w)
	}
	return e, nil
}

// logConfig reads the topic and security flags.
func logConfig(c *cli.Context) (eventlog.Config, error) {
	partitions := c.Int("partitions")
	if partitions < 1 || partitions > 1000 {
		return eventlog.Config{}, usagef("--partitions %d: give 1 to 1000", partitions)
	}
	rf := c.Int("replication-factor")
	if rf < 1 || rf > 7 {
		return eventlog.Config{}, usagef("--replication-factor %d: give 1 to 7", rf)
	}
	timeout := c.Duration("timeout")
	if timeout <= 0 {
		return eventlog.Config{}, usagef("--timeout %s: give a positive duration, such as 10s or 1m", timeout)
	}
	return eventlog.Config{
		Timeout:           timeout,
		ConnectTimeout:    timeout,
		Topic:             c.String("topic"),
		Partitions:        int32(partitions),
		ReplicationFactor: int16(rf),
		Security: eventlog.Security{
			TLS:           c.Bool("tls"),
			CAFile:        c.String("tls-ca"),
			SASLMechanism: strings.ToUpper(c.String("sasl-mechanism")),
			User:          c.String("sasl-user"),
			Password:      c.String("sasl-password"),
		},
	}, nil
}

func dbPath(c *cli.Context) string {
	if p := c.String("db"); p != "" {
		return p
	}
	return filepath.Join(c.String("data-dir"), "operations.db")
}

// CatchUp projects everything the log holds that the read model lacks.
func (e *env) CatchUp(ctx context.Context) error {
	return e.runner.CatchUp(ctx)
}

// newRunner returns the runner of projection l on the env's log (the current connection,
// which a reconnect may replace), with a progress bar named what for long runs and a
// warning for records that are not events; status, when set, is told the rest of what the
// runner reports.
func (e *env) newRunner(l *projections.Ledger, what string, status func(projections.Report)) *projections.Runner {
	var bar *progress
	return &projections.Runner{
		Ledger: l,
		Source: func() projections.Source { return e.log },
		Busy:   func(err error) bool { return errors.Is(err, readmodel.ErrBusy) },
		Down:   func(err error) bool { return errors.Is(err, eventlog.ErrUnavailable) },
		Report: func(r projections.Report) {
			switch r.Kind {
			case projections.Started:
				bar = newProgress(e.stderr, e.quiet, r.Total, what)
			case projections.Batch:
				bar.add(r.Stats.Read)
			case projections.Finished:
				bar.done()
				e.warnSkipped(r.Stats)
			default:
				if status != nil {
					status(r)
				}
			}
		},
	}
}

// warnSkipped warns of the records a catch-up skipped and the gaps it found.
func (e *env) warnSkipped(stats projections.Stats) {
	if stats.Skipped > 0 {
		fmt.Fprintf(e.stderr, "warning: skipped %d record(s) on topic %s that are not stockctl events (see the skipped_records table)\n",
			stats.Skipped, e.log.Topic())
		reasons := make([]string, 0, len(stats.SkippedBy))
		for r := range stats.SkippedBy {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		for _, r := range reasons {
			fmt.Fprintf(e.stderr, "warning:   %d %s, first at %s\n", stats.SkippedBy[r], r, stats.SkipExample[r])
		}
	}
	if stats.Gaps > 0 {
		fmt.Fprintf(e.stderr, "warning: the log of topic %s is damaged: %d gap(s) in its offsets, which a topic that never compacts cannot have (see the log_gaps table); later events of the products there may be judged without the missing ones\n",
			e.log.Topic(), stats.Gaps)
		for _, g := range stats.GapTexts {
			fmt.Fprintf(e.stderr, "warning:   %s\n", g)
		}
	}
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

func quietFlag() cli.Flag {
	return &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar or summary"}
}

// The read model is what the write side reads: cmd/ wires them, so that neither package
// imports the other.
var (
	_ commands.ReadModel   = (*readmodel.DB)(nil)
	_ commands.ImportModel = (*readmodel.DB)(nil)
)
