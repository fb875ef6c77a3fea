package main

import (
	"context"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/projections"
)

func projectCommand() *cli.Command {
	return &cli.Command{
		Name:  "project",
		Usage: "catch the read model up with the log, or keep following it",
		Description: "Applies every event the read model lacks and exits. With --follow it keeps\n" +
			"applying new events as they arrive until interrupted (Ctrl-C or SIGTERM), each batch\n" +
			"committed with its offsets, so it stops with the read model intact. On the embedded\n" +
			"broker, a following process also serves the log to other stockctl commands.\n" +
			"Example: stockctl project --follow",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "keep following new events until interrupted"},
			&cli.DurationFlag{Name: "poll", Usage: "with --follow, how often to look for new events", Value: 100 * time.Millisecond},
			quietFlag(),
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("project takes no arguments")
			}
			poll := c.Duration("poll")
			if poll < time.Millisecond || poll > time.Minute {
				return usagef("--poll %s: give 1ms to 1m", poll)
			}
			follow := c.Bool("follow")
			e, err := openEnvServing(c, follow)
			if err != nil {
				return err
			}
			defer e.Close()
			if !follow {
				start := time.Now()
				stats, err := e.runner.CatchUpTo(c.Context, nil)
				if err != nil {
					return err
				}
				if !e.quiet {
					printSummary(c, "projected", stats, time.Since(start), e.db.Path())
				}
				return nil
			}
			r := e.newRunner(e.ledger, "catching up", func(r projections.Report) {
				if msg := outageMessage(r); msg != "" {
					fmt.Fprintln(c.App.ErrWriter, "stockctl project: "+msg)
				}
				if r.Kind == projections.CaughtUp && !e.quiet && r.Stats.Read > 0 {
					printSummary(c, "projected", r.Stats, r.Took, e.db.Path())
				}
			})
			r.Poll, r.Retry = poll, time.Second
			r.Reconnect = func(ctx context.Context, down time.Duration) func() { return e.reconnect(ctx, down, nil) }
			return r.Follow(c.Context)
		},
	}
}
