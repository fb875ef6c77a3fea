package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/internal/termsafe"
	"github.com/stockctl/stockctl/readmodel"
)

// errVerifyFailed means the read model differs from a fresh replay of the log.
var errVerifyFailed = errors.New("verify: the read model differs from a replay of the log")

func verifyCommand() *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "check the read model against a fresh replay of the log",
		Description: "Catches the read model up, copies it as it stands at one moment (its rows and\n" +
			"the offsets they cover), rebuilds the log up to exactly those offsets into a temporary\n" +
			"file, and compares the two table by table (contents, not bytes). Other processes may\n" +
			"keep writing meanwhile. Exits 0 when they are identical and 1, with the first\n" +
			"differences, when they are not.\n" +
			"Example: stockctl verify",
		Flags:        []cli.Flag{quietFlag()},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("verify takes no arguments")
			}
			// Before the claim, which creates a file: a mistyped data directory or --db
			// must be refused with nothing written.
			fresh, err := checkDataDir(c)
			if err != nil {
				return err
			}
			build, err := readmodel.ClaimBuild(dbPath(c)+".verify", "verify")
			if errors.Is(err, readmodel.ErrInUse) {
				return fmt.Errorf("verify: %w; wait for it to finish", err)
			} else if err != nil {
				return fmt.Errorf("verify: %w", err)
			}
			defer build.Release()
			snapshot := build.Path + ".model"
			defer readmodel.RemoveBuild(snapshot)
			if err := readmodel.RemoveBuild(snapshot); err != nil {
				return fmt.Errorf("verify: %w", err)
			}
			e, err := openChecked(c, false, fresh)
			if err != nil {
				return err
			}
			defer e.Close()
			ctx := c.Context
			if err := e.CatchUp(ctx); err != nil {
				return err
			}
			// Compare one moment of the model with the log at the same offsets: other
			// processes may be projecting into the live file while the log is rebuilt.
			until, err := e.db.SnapshotTo(ctx, snapshot)
			if err != nil {
				return fmt.Errorf("verify: %w", err)
			}
			stats, err := rebuild(c, e, build.Path, until)
			if err != nil {
				return fmt.Errorf("verify: %w", err)
			}
			defer readmodel.RemoveBuild(build.Path)
			diffs, err := readmodel.DiffFiles(ctx, snapshot, e.db.Path(), build.Path, 10)
			if err != nil {
				return fmt.Errorf("verify: %w", err)
			}
			if len(diffs) > 0 {
				for i, d := range diffs {
					diffs[i] = termsafe.Cell(d) // one line each, whatever a note holds
				}
				return fmt.Errorf("%w:\n  %s", errVerifyFailed, strings.Join(diffs, "\n  "))
			}
			if !e.quiet {
				fmt.Fprintf(c.App.Writer, "verified: %s matches a fresh replay of %d events (%d accepted, %d rejected, %d skipped)\n",
					e.db.Path(), stats.Read, stats.Accepted, stats.Rejected, stats.Skipped)
			}
			return nil
		},
	}
}
