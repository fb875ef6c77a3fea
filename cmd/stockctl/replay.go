package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
)

// swapWait is how long replay waits for other stockctl processes to close the read model.
const swapWait = 10 * time.Second

func replayCommand() *cli.Command {
	return &cli.Command{
		Name:  "replay",
		Usage: "rebuild the read model from offset zero of the log",
		Description: "Projects every event of the topic, from the first, into a new file beside the\n" +
			"read model (DB.replay), and replaces the read model with it in one rename once it\n" +
			"is complete. Until then the old model is untouched; an interrupted replay leaves\n" +
			"it as it was, and the next replay removes the unfinished file.\n" +
			"Example: stockctl replay",
		Flags:        []cli.Flag{quietFlag()},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("replay takes no arguments")
			}
			e, err := openLog(c, false)
			if err != nil {
				return err
			}
			defer e.Close()
			live := dbPath(c)
			start := time.Now()
			stats, err := rebuild(c, e, readmodel.BuildPath(live), nil)
			if err != nil {
				return fmt.Errorf("replay: %w (the read model was left as it was)", err)
			}
			if err := readmodel.Swap(c.Context, readmodel.BuildPath(live), live, swapWait); err != nil {
				readmodel.RemoveBuild(readmodel.BuildPath(live))
				return fmt.Errorf("replay: %w", err)
			}
			if !e.quiet {
				printSummary(c, "replayed", stats, time.Since(start), live)
			}
			return nil
		},
	}
}

// rebuild projects the log from offset zero up to until (nil: the current end) into a
// new file at path, finished and synced; on failure the file is removed.
func rebuild(c *cli.Context, e *env, path string, until map[int32]int64) (projections.Stats, error) {
	ctx := c.Context
	if err := readmodel.RemoveBuild(path); err != nil {
		return projections.Stats{}, err
	}
	db, err := readmodel.Create(ctx, path)
	if err != nil {
		return projections.Stats{}, err
	}
	fail := func(err error) (projections.Stats, error) {
		db.Close()
		return projections.Stats{}, errors.Join(err, readmodel.RemoveBuild(path))
	}
	if err := db.BindLog(ctx, e.log.Topic(), e.log.Partitions()); err != nil {
		return fail(err)
	}
	if err := db.BindCluster(ctx, e.log.ClusterID()); err != nil {
		return fail(err)
	}
	stats, err := e.catchUp(ctx, e.newLedger(db, true), until, "replaying")
	if err != nil {
		return fail(err)
	}
	if err := db.Finish(ctx); err != nil {
		return fail(err)
	}
	return stats, nil
}

func printSummary(c *cli.Context, verb string, s projections.Stats, d time.Duration, path string) {
	rate := float64(s.Read) / max(d.Seconds(), 1e-9)
	fmt.Fprintf(c.App.Writer, "%s %d events into %s in %s (%.0f events/s): %d accepted, %d rejected, %d skipped\n",
		verb, s.Read, path, d.Round(time.Millisecond), rate, s.Accepted, s.Rejected, s.Skipped)
}
