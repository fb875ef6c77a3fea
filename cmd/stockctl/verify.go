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
		Description: "Catches the read model up, rebuilds the same span of the log into a temporary\n" +
			"file, and compares the two table by table (contents, not bytes). Exits 0 when they\n" +
			"are identical and 1, with the first differences, when they are not.\n" +
			"Example: stockctl verify",
		Flags:        []cli.Flag{quietFlag()},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("verify takes no arguments")
			}
			e, err := openEnv(c)
			if err != nil {
				return err
			}
			defer e.Close()
			ctx := c.Context
			until, err := e.log.HighWatermarks(ctx)
			if err != nil {
				return err
			}
			if _, err := e.catchUp(ctx, e.ledger, until, "catching up"); err != nil {
				return err
			}
			tmp := dbPath(c) + ".verify"
			stats, err := rebuild(c, e, tmp, until)
			if err != nil {
				return fmt.Errorf("verify: %w", err)
			}
			defer readmodel.RemoveBuild(tmp)
			fresh, err := readmodel.Open(ctx, tmp)
			if err != nil {
				return fmt.Errorf("verify: %w", err)
			}
			defer fresh.Close()
			diffs, err := readmodel.Diff(ctx, e.db, fresh, 10)
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
