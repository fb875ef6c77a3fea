package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/eventlog"
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
			ctx := c.Context
			var down outage
			for {
				start := time.Now()
				stats, err := e.catchUp(ctx, e.ledger, nil, "catching up")
				if err == nil {
					if msg, ok := down.end(); ok {
						fmt.Fprintln(c.App.ErrWriter, "stockctl project: "+msg)
					}
					if !e.quiet && (stats.Read > 0 || !follow) {
						printSummary(c, "projected", stats, time.Since(start), e.db.Path())
					}
					if !follow {
						return nil
					}
					err = e.log.WaitForNew(ctx, e.ledger, poll)
				}
				switch {
				case ctx.Err() != nil && follow:
					return nil // interrupted: every committed batch is intact
				case follow && waits(err):
					// Keep what is committed and try again until the broker is back or the
					// read model free, resuming at the committed offsets.
					if msg, ok := down.begin(err); ok {
						fmt.Fprintln(c.App.ErrWriter, "stockctl project: "+msg)
					}
					if e.redialable() && errors.Is(err, eventlog.ErrUnavailable) {
						if log, local, err := e.redial.reconnect(ctx, down.kafkaDown()); err == nil {
							e.swapLog(log, local)
						}
					}
					select {
					case <-ctx.Done():
						return nil
					case <-time.After(time.Second):
					}
				case err != nil:
					return err
				}
			}
		},
	}
}
