package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/ledgercsv"
)

// errImportIncomplete means some rows of a file were not recorded.
var errImportIncomplete = errors.New("import: not every row was recorded")

// maxListed bounds how many rows a message lists.
const maxListed = 50

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "record the operations of a file in the original CSV format",
		ArgsUsage: "FILE",
		Description: "Reads FILE (operation_date;product_ID;operation_qt;stock, dates dd/mm/yyyy, positive\n" +
			"quantities restock, negative ones sell; UTF-8 with or without BOM, CRLF or LF). Every\n" +
			"row is checked before anything is appended: with an invalid row nothing is, and every\n" +
			"bad row is listed (exit 2) unless --skip-invalid. --decimal-comma reads -12,5 as -12.5. Rows are decided in file order like\n" +
			"sell and restock: a sale the stock cannot cover is refused and listed (exit 1 at the\n" +
			"end); a stock column that differs from the ledger's is a warning. Importing the same\n" +
			"file again records nothing twice. - reads standard input.\n" +
			"Example: stockctl import data/operations.csv",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "delimiter", Usage: "field separator", Value: ";"},
			&cli.StringFlag{Name: "date-format", Usage: "date pattern with dd, mm, yyyy (and HH:MM:SS)", Value: "dd/mm/yyyy"},
			&cli.BoolFlag{Name: "decimal-comma", Usage: "quantities use a decimal comma (-12,5), as French-style files do"},
			&cli.BoolFlag{Name: "skip-invalid", Usage: "import the valid rows and list the invalid ones"},
			&cli.BoolFlag{Name: "dry-run", Usage: "check and decide every row, report, and append nothing"},
			&cli.BoolFlag{Name: "new-product", Usage: "let rows create products whose IDs look like existing ones' (P1, p1, \"P 1\")"},
			&cli.StringFlag{Name: "operator", Usage: "who recorded the operations (default the login user)"},
			quietFlag(),
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("import takes one FILE, got %d argument(s); e.g. stockctl import data/operations.csv", c.NArg())
			}
			content, err := readInput(c.Context, c.Args().First())
			if err != nil {
				return err
			}
			opts, err := csvOptions(c)
			if err != nil {
				return err
			}
			rows, bad, err := ledgercsv.Read(bytes.NewReader(content), opts)
			if err != nil {
				return usagef("import: %s: %v", c.Args().First(), err)
			}
			if len(bad) > 0 {
				listIssues(c, "invalid", bad)
				if !c.Bool("skip-invalid") {
					return usagef("import: %d invalid row(s) in %s; nothing was appended (fix them, or use --skip-invalid)", len(bad), c.Args().First())
				}
			}
			operator := c.String("operator")
			if !c.IsSet("operator") {
				operator = loginUser()
			} else if err := checkOperator(operator); err != nil {
				return usagef("import: %v", err)
			}
			if err := commands.CheckText(operator, commands.MaxOperatorLength); err != nil {
				return usagef("import: --operator %s", commands.TextMessage(err))
			}
			return runImport(c, content, rows, operator)
		},
	}
}

func runImport(c *cli.Context, content []byte, rows []ledgercsv.Row, operator string) error {
	e, err := openEnv(c)
	if err != nil {
		return err
	}
	defer e.Close()
	sum := sha256.Sum256(content)
	bar := newProgress(c.App.ErrWriter, e.quiet, int64(len(rows)), "appending")
	shown := 0
	start := time.Now()
	h := commands.NewImportHandler(e.log, e, e.db, uuid.NewString)
	rep, err := h.Handle(c.Context, commands.Import{
		Rows: rows, FileID: hex.EncodeToString(sum[:8]), Operator: operator, DryRun: c.Bool("dry-run"), NewProduct: c.Bool("new-product"),
		Progress: func(done int) { bar.add(done - shown); shown = done },
	})
	bar.done()
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	listIssues(c, "warning: stock column", asRowErrors(rep.Mismatches))
	listIssues(c, "refused", asRowErrors(rep.Refused))
	d := time.Since(start)
	w := c.App.Writer
	switch {
	case c.Bool("dry-run"):
		fmt.Fprintf(w, "dry run: %d rows; would append %d, %d already recorded, %d refused, %d stock mismatches\n",
			rep.Rows, rep.Appended, rep.Already, len(rep.Refused), len(rep.Mismatches))
	case rep.Appended == 0 && rep.Already > 0 && len(rep.Refused) == 0:
		fmt.Fprintf(w, "nothing to import: all %d rows of %s were recorded by an earlier import\n", rep.Already, c.Args().First())
	default:
		fmt.Fprintf(w, "imported %d of %d rows from %s in %s (%.0f rows/s); %d already recorded, %d refused, %d stock mismatches\n",
			rep.Appended-rep.Rejected, rep.Rows, c.Args().First(), d.Round(time.Millisecond), float64(rep.Rows)/d.Seconds(),
			rep.Already, len(rep.Refused), len(rep.Mismatches))
	}
	if rep.Rejected > 0 {
		return fmt.Errorf("%w: %d row(s) were refused by the log because other writers changed the same products meanwhile; run the import again to record them", errImportIncomplete, rep.Rejected)
	}
	if len(rep.Refused) > 0 && !c.Bool("dry-run") {
		return fmt.Errorf("%w: %d row(s) refused by the ledger (listed above); the others are recorded", errImportIncomplete, len(rep.Refused))
	}
	return nil
}

// readInput reads the file to import, or standard input for "-", until ctx ends. Opening
// a FIFO blocks until a writer opens it, and neither open(2) nor read(2) looks at a
// context: the reading goroutine is left behind on Ctrl-C, and dies with the process.
func readInput(ctx context.Context, name string) ([]byte, error) {
	type read struct {
		b   []byte
		err error
	}
	done := make(chan read, 1)
	go func() {
		var r read
		if name == "-" {
			r.b, r.err = io.ReadAll(os.Stdin)
		} else if r.b, r.err = os.ReadFile(name); r.err != nil {
			r.err = usagef("import: %v", r.err)
		}
		done <- r
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("import: reading %s: %w", name, ctx.Err())
	}
}

func csvOptions(c *cli.Context) (ledgercsv.Options, error) {
	var opts ledgercsv.Options
	delim := []rune(c.String("delimiter"))
	if c.String("delimiter") == `\t` {
		delim = []rune{'\t'}
	}
	if len(delim) != 1 || delim[0] == '"' || delim[0] == '\n' || delim[0] == '\r' {
		return opts, usagef("--delimiter %q: give one character, such as ';' or ','", c.String("delimiter"))
	}
	opts.Delimiter = delim[0]
	opts.DecimalComma = c.Bool("decimal-comma")
	if opts.DecimalComma && opts.Delimiter == ',' {
		return opts, usagef("--decimal-comma with --delimiter ',': a comma cannot separate both fields and decimals; use ';'")
	}
	layout, err := ledgercsv.ParseDateFormat(c.String("date-format"))
	if err != nil {
		return opts, usagef("--%v", err)
	}
	opts.Layout = layout
	return opts, nil
}

func asRowErrors(issues []commands.RowIssue) []ledgercsv.RowError {
	out := make([]ledgercsv.RowError, len(issues))
	for i, is := range issues {
		out[i] = ledgercsv.RowError{Line: is.Line, Msg: is.Msg}
	}
	return out
}

// listIssues prints up to maxListed rows with their line numbers.
func listIssues(c *cli.Context, what string, issues []ledgercsv.RowError) {
	for i, is := range issues {
		if i == maxListed {
			fmt.Fprintf(c.App.ErrWriter, "%s: … and %d more\n", what, len(issues)-maxListed)
			break
		}
		fmt.Fprintf(c.App.ErrWriter, "%s: line %d: %s\n", what, is.Line, is.Msg)
	}
}
