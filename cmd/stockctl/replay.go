package main

import (
	"errors"
	"fmt"
	"strings"
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
			"it as it was, and the next replay removes the unfinished file. One replay runs at a\n" +
			"time per read model: a second one exits 3 and changes nothing.\n" +
			"A rebuild that holds less accepted history than the read model (a damaged or\n" +
			"shortened log) is not swapped in: replay exits 1 saying what would be lost, unless\n" +
			"--allow-loss.\n" +
			"Example: stockctl replay",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "allow-loss", Usage: "replace the read model even if the rebuild lost accepted events it holds"},
			quietFlag(),
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("replay takes no arguments")
			}
			// Before the claim, which creates a file: a mistyped data directory or --db
			// must be refused with nothing written.
			if _, err := checkDataDir(c); err != nil {
				return err
			}
			live := dbPath(c)
			// One build at a time: a second replay would remove or publish the first's
			// unfinished file.
			build, err := readmodel.ClaimBuild(readmodel.BuildPath(live), "replay")
			if errors.Is(err, readmodel.ErrInUse) {
				return fmt.Errorf("replay: %w; the read model was left as it was: wait for that replay to finish", err)
			} else if err != nil {
				return fmt.Errorf("replay: %w; the read model was left as it was", err)
			}
			defer build.Release()
			e, err := connectLog(c, false)
			if err != nil {
				return err
			}
			defer e.Close()
			start := time.Now()
			stats, err := rebuild(c, e, readmodel.BuildPath(live), nil)
			if err != nil {
				return fmt.Errorf("replay: %w (the read model was left as it was)", err)
			}
			if err := checkLoss(c, e, readmodel.BuildPath(live), live); err != nil {
				return err
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

// errReplayWouldLose means a rebuild holds less accepted history than the live model, so
// replay kept the live one.
var errReplayWouldLose = errors.New("the rebuilt read model would lose accepted history")

// checkLoss compares the finished rebuild with the live model. A rebuild that lost
// accepted events (a damaged or shortened log) is not swapped in unless --allow-loss:
// the live model may be the only complete copy of that history left.
func checkLoss(c *cli.Context, e *env, built, live string) error {
	loss, err := readmodel.Losses(c.Context, built, live, e.log.HighWatermarks)
	if err != nil || len(loss.Lines) == 0 {
		return err
	}
	what := fmt.Sprintf("%s (%d accepted event(s) of %s):\n  %s", errReplayWouldLose, loss.Events, live, strings.Join(loss.Lines, "\n  "))
	if c.Bool("allow-loss") {
		fmt.Fprintf(e.stderr, "warning: replay: %s\nwarning: replacing it anyway (--allow-loss)\n", what)
		return nil
	}
	kept := "the read model was left as it was"
	if loss.Gaps > 0 {
		// Kept, the live model must still say what the log lacks: status and verify read it.
		err = readmodel.CopyGaps(c.Context, built, live)
		kept += " but for its log_gaps table, which now records the gaps found"
	}
	readmodel.RemoveBuild(built)
	if err != nil {
		return fmt.Errorf("replay: %w", errors.Join(errors.New(what), err))
	}
	if loss.Refused > 0 && loss.Refused == len(loss.Lines) {
		// Every loss is an operation the log holds that this version's rule refuses.
		return fmt.Errorf("replay: %w\n"+kept+"; "+
			"the log holds these operations, but they were accepted by an earlier stockctl that checked stock in log order: "+
			"by business date they would make the stock negative (or pass the maximum), and this version refuses them and, "+
			"in sequence, the product's later ones; keep this read model (it stays usable), or run `stockctl replay --allow-loss` "+
			"to rebuild it by the business-date rule without them",
			&lossError{what})
	}
	return fmt.Errorf("replay: %w\n"+kept+"; "+
		"the log is damaged or shorter than the one the read model was built from: restore the log from a backup "+
		"(DATA_DIR/log, or the topic) and replay again, or run `stockctl replay --allow-loss` to replace the read model with what the log still holds",
		&lossError{what})
}

// lossError is errReplayWouldLose with its details.
type lossError struct{ msg string }

func (e *lossError) Error() string        { return e.msg }
func (e *lossError) Is(target error) bool { return target == errReplayWouldLose }

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
	stats, err := e.newRunner(e.newLedger(db, true), "replaying", nil).CatchUpTo(ctx, until)
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
	gaps := ""
	if s.Gaps > 0 {
		gaps = fmt.Sprintf("; %d gap(s) in the log", s.Gaps)
	}
	fmt.Fprintf(c.App.Writer, "%s %d events into %s in %s (%.0f events/s): %d accepted, %d rejected, %d skipped%s\n",
		verb, s.Read, path, d.Round(time.Millisecond), rate, s.Accepted, s.Rejected, s.Skipped, gaps)
}
