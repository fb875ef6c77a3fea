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
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/ledgercsv"
	"github.com/stockctl/stockctl/legacydb"
)

// errImportIncomplete means some rows of a file were not recorded.
var errImportIncomplete = errors.New("import: not every row was recorded")

// maxListed bounds how many rows a message lists.
const maxListed = 50

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "record the operations of a file in the original CSV format, or of the original database",
		ArgsUsage: "FILE | --from-db DATABASE | --format events FILE",
		Description: "Reads FILE (operation_date;product_ID;operation_qt;stock, dates dd/mm/yyyy, positive\n" +
			"quantities restock, negative ones sell; UTF-8 with or without BOM, CRLF or LF), or with\n" +
			"--from-db the original pipeline's SQLite database. Every row is checked before anything\n" +
			"is appended: with an invalid row nothing is, and every bad row is listed (exit 2) unless\n" +
			"--skip-invalid. --decimal-comma reads -12,5 as -12.5. Rows dated more than a day after\n" +
			"today are listed and refuse the import (exit 2) unless --allow-future.\n" +
			"\n" +
			"Re-imports are recognised: a row is its source (--source, default the file's base name),\n" +
			"its date, product and signed quantity, and its occurrence among identical rows of the\n" +
			"source. The same rows imported again from the same source record nothing, whatever the\n" +
			"line ends, delimiter or date format; a file that grew records only its new rows.\n" +
			"\n" +
			"Rows are decided in file order like sell and restock, each against the balances by\n" +
			"business date of the ledger and of the rows above it: a sale the stock cannot cover at its\n" +
			"date or at a later-dated operation is refused and listed (exit 1 at the end; the others are\n" +
			"recorded). A stock column is evidence: it must equal the balance right after the row in\n" +
			"business-date order, given the ledger and the rows above it (for a file in date order, its\n" +
			"running balance); if it disagrees,\n" +
			"nothing is appended (exit 1), the first such lines are listed with the likely cause;\n" +
			"--ignore-stock-column imports anyway.\n" +
			"- reads standard input, with --source to name it.\n" +
			"\n" +
			"--format events reads a file written by export --format events (one event per line) into\n" +
			"an empty ledger: every event is checked first (a bad line appends nothing, exit 2), a\n" +
			"ledger that holds events is refused (exit 1), and the events are appended in the file's\n" +
			"order with their own IDs, dates and authors, so the read model comes out the same as the\n" +
			"exported one's, voids, corrections, counts and closes included.\n" +
			"\n" +
			"Locations: every row is in main unless --location names another declared location for the\n" +
			"whole file (or database), or the header has a location column (anywhere in it, as export\n" +
			"writes it): a blank cell means --location's (or main), a cell naming another location\n" +
			"than --location is an invalid row, and an unknown or closed location refuses the import\n" +
			"(exit 2, the open ones listed). Rows are decided per (product, location), as sell does.\n" +
			"Examples: stockctl import data/operations.csv\n" +
			"          stockctl import --location north north-2024-06.csv\n" +
			"          stockctl import --source operations.csv operations-2024-06.csv\n" +
			"          stockctl import --from-db Operations.db\n" +
			"          stockctl --data-dir ./copy import --format events ledger.jsonl",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Usage: "csv, or events: a file of export --format events, read into an empty ledger", Value: "csv"},
			&cli.StringFlag{Name: "location", Usage: "the location of every row (default main): a location column's blank cells mean it, another location there is an invalid row"},
			&cli.StringFlag{Name: "source", Usage: "the name re-imports of these rows are recognised by (default the file's base name)"},
			&cli.StringFlag{Name: "from-db", Usage: "read the original pipeline's SQLite database (table operations) instead of a FILE"},
			&cli.BoolFlag{Name: "ignore-stock-column", Usage: "import even if the stock column disagrees with the ledger"},
			&cli.StringFlag{Name: "delimiter", Usage: "field separator", Value: ";"},
			&cli.StringFlag{Name: "date-format", Usage: "date pattern with dd, mm, yyyy (and HH:MM:SS)", Value: "dd/mm/yyyy"},
			&cli.BoolFlag{Name: "decimal-comma", Usage: "quantities use a decimal comma (-12,5), as French-style files do"},
			&cli.BoolFlag{Name: "skip-invalid", Usage: "import the valid rows and list the invalid ones"},
			&cli.BoolFlag{Name: "dry-run", Usage: "check and decide every row, report the verdict, and append nothing"},
			allowFutureFlag(),
			&cli.BoolFlag{Name: "new-product", Usage: "let rows create products whose IDs look like existing ones' (P1, p1, \"P 1\")"},
			&cli.StringFlag{Name: "operator", Usage: "who recorded the operations (default the login user)"},
			quietFlag(),
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			switch c.String("format") {
			case "events":
				return importEvents(c)
			case "csv":
			default:
				return usagef("--format %q: use csv (the original format, or --from-db) or events (a file of export --format events)", c.String("format"))
			}
			in, err := readImport(c)
			if err != nil {
				return err
			}
			if len(in.bad) > 0 {
				listIssues(c, "invalid", in.unit, in.bad)
				if !c.Bool("skip-invalid") {
					return usagef("import: %d invalid row(s) in %s; nothing was appended (fix them, or use --skip-invalid)", len(in.bad), in.name)
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
			return runImport(c, in, operator)
		},
	}
}

// importInput is what an import reads: the rows of a file or database, the invalid ones,
// and the source their identities come from.
type importInput struct {
	name   string // as the user named it, for messages
	unit   string // what a row's number counts: "line" or "rowid"
	source string
	// fileID identifies a file's bytes, as imports before sources did (see
	// commands.Import.LegacyFileID); empty for a database.
	fileID string
	rows   []commands.ImportRow
	bad    []ledgercsv.RowError
}

// importRow is a file's or a database's row as commands imports it. The conversion is a
// plain one between identical fields: a field added to one row type and not the other
// stops the build here. ledgercsv.ReadAs and legacydb.ReadAs call it as each row is read,
// so a large file's rows exist once, not twice.
func importRow(r ledgercsv.Row) commands.ImportRow { return commands.ImportRow(r) }

func readImport(c *cli.Context) (importInput, error) {
	in := importInput{unit: "line"}
	if c.IsSet("source") {
		source, err := commands.NormaliseSource(c.String("source"))
		if err != nil {
			return in, usagef("import: --%s", commands.TextMessage(err))
		}
		in.source = source
	}
	var loc domain.LocationID
	if c.IsSet("location") {
		var err error
		if loc, err = domain.ParseLocationID(c.String("location")); err != nil {
			return in, usagef("import: --location: %v; see stockctl location list", err)
		}
	}
	if db := c.String("from-db"); c.IsSet("from-db") {
		if c.NArg() > 0 {
			return in, usagef("import --from-db reads the database and takes no FILE; got %d argument(s)", c.NArg())
		}
		for _, name := range []string{"delimiter", "date-format", "decimal-comma"} {
			if c.IsSet(name) {
				return in, usagef("import: --%s is for CSV files; --from-db reads the database's own columns", name)
			}
		}
		if db == "" {
			return in, usagef("import: --from-db \"\": give the original database's path, e.g. Operations.db")
		}
		rows, bad, err := legacydb.ReadAs(c.Context, db, func(r ledgercsv.Row) commands.ImportRow {
			r.Location = loc // the database has no location column
			return importRow(r)
		})
		if errors.Is(err, context.Canceled) {
			return in, err
		}
		if err != nil {
			return in, usagef("import: %s: %v", db, err)
		}
		in.name, in.unit, in.rows, in.bad = db, "rowid", rows, bad
		if in.source == "" {
			in.source, err = defaultSource(db)
		}
		return in, err
	}
	if c.NArg() != 1 {
		return in, usagef("import takes one FILE, got %d argument(s); e.g. stockctl import data/operations.csv", c.NArg())
	}
	in.name = c.Args().First()
	if in.name == "-" && in.source == "" {
		return in, usagef("import: standard input has no name to recognise re-imports by; give one with --source NAME")
	}
	if in.source == "" {
		var err error
		if in.source, err = defaultSource(in.name); err != nil {
			return in, err
		}
	}
	content, err := readInput(c.Context, in.name)
	if err != nil {
		return in, err
	}
	opts, err := csvOptions(c)
	if err != nil {
		return in, err
	}
	opts.Location, opts.LocationGiven = loc, c.IsSet("location")
	if in.rows, in.bad, err = ledgercsv.ReadAs(bytes.NewReader(content), opts, importRow); err != nil {
		return in, usagef("import: %s: %v", in.name, err)
	}
	sum := sha256.Sum256(content)
	in.fileID = hex.EncodeToString(sum[:8])
	return in, nil
}

// defaultSource is a file's base name, the source its rows are recognised by.
func defaultSource(path string) (string, error) {
	base := filepath.Base(path)
	s, err := commands.NormaliseSource(base)
	if err != nil && commands.CheckText(base, 1<<20) != nil {
		// A base name with control characters: its escaped form is still one name.
		s, err = commands.NormaliseSource(strconv.QuoteToASCII(base))
	}
	if err != nil {
		return "", usagef("import: the file's name cannot be a source (%s); give one with --source NAME", commands.TextMessage(err))
	}
	return s, nil
}

func runImport(c *cli.Context, in importInput, operator string) error {
	e, err := openEnv(c)
	if err != nil {
		return err
	}
	defer e.Close()
	dry := c.Bool("dry-run")
	bar := newProgress(c.App.ErrWriter, e.quiet, int64(len(in.rows)), "appending")
	shown := 0
	start := time.Now()
	h := commands.NewImportHandler(e.log, e, e.db, uuid.NewString)
	rep, err := h.Handle(c.Context, commands.Import{
		Rows: in.rows, Source: in.source, LegacyFileID: in.fileID, Operator: operator, DryRun: dry,
		IgnoreStockColumn: c.Bool("ignore-stock-column"), NewProduct: c.Bool("new-product"), Unit: in.unit,
		AllowFuture: c.Bool("allow-future"),
		Progress:    func(done int) { bar.add(done - shown); shown = done },
	})
	bar.done()
	var stockErr *commands.StockColumnError
	var future *commands.FutureRowsError
	if errors.As(err, &future) {
		listIssues(c, "future date", in.unit, asRowErrors(future.Rows))
		return fmt.Errorf("import: %w", err)
	}
	if errors.As(err, &stockErr) {
		listIssues(c, "stock column", in.unit, asRowErrors(rep.Mismatches))
		listIssues(c, "stock column (recorded earlier)", in.unit, asRowErrors(rep.AlreadyMismatches))
		for _, cause := range likelyCauses(stockErr, in, rep.Appended) {
			fmt.Fprintln(c.App.ErrWriter, "likely cause: "+cause)
		}
		if dry {
			return fmt.Errorf("import: dry run: %w (see the likely cause above; --ignore-stock-column would record the rows anyway)", err)
		}
		return fmt.Errorf("import: %w (see the likely cause above; --ignore-stock-column records the rows anyway)", err)
	}
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	listIssues(c, "warning: stock column", in.unit, asRowErrors(rep.Mismatches))
	listIssues(c, "warning: stock column (recorded earlier)", in.unit, asRowErrors(rep.AlreadyMismatches))
	listIssues(c, "refused", in.unit, asRowErrors(rep.Refused))
	d := time.Since(start)
	w := c.App.Writer
	mismatches := len(rep.Mismatches) + len(rep.AlreadyMismatches)
	switch {
	case dry:
		fmt.Fprintf(w, "dry run: %d rows from source %s; would append %d, %d already recorded, %d refused, %d stock mismatches\n",
			rep.Rows, strconv.Quote(in.source), rep.Appended, rep.Already, len(rep.Refused), mismatches)
	case rep.Appended == 0 && rep.Already > 0 && len(rep.Refused) == 0:
		fmt.Fprintf(w, "nothing to import: all %d rows of %s were recorded by an earlier import from source %s\n",
			rep.Already, in.name, strconv.Quote(in.source))
	default:
		others := ""
		if rep.ByOthers > 0 {
			others = fmt.Sprintf(", %d recorded meanwhile by another import of the same source", rep.ByOthers)
		}
		fmt.Fprintf(w, "imported %d of %d rows from %s in %s (%.0f rows/s); %d already recorded%s, %d refused, %d stock mismatches\n",
			rep.Appended-rep.Rejected-rep.ByOthers, rep.Rows, in.name, d.Round(time.Millisecond), float64(rep.Rows)/d.Seconds(),
			rep.Already, others, len(rep.Refused), mismatches)
	}
	if rep.Rejected > 0 {
		return fmt.Errorf("%w: %d row(s) were refused by the log because other writers changed the same products meanwhile; run the import again to record them", errImportIncomplete, rep.Rejected)
	}
	if len(rep.Refused) > 0 {
		if dry {
			return fmt.Errorf("%w: dry run: %d row(s) would be refused by the ledger (listed above)", errImportIncomplete, len(rep.Refused))
		}
		return fmt.Errorf("%w: %d row(s) refused by the ledger (listed above); the others are recorded", errImportIncomplete, len(rep.Refused))
	}
	return nil
}

// likelyCauses words what may explain a stock column that disagrees with the ledger.
func likelyCauses(e *commands.StockColumnError, in importInput, toRecord int) []string {
	var causes []string
	if e.SameSource > 0 {
		causes = append(causes, fmt.Sprintf("%d row(s) match operations recorded earlier from source %s but claim another stock: "+
			"%s looks like another file with the same name; import it under a name of its own with --source NAME",
			e.SameSource, strconv.Quote(e.Source), in.name))
	}
	if e.Shifted > 0 {
		b := e.Backdated[0]
		more := ""
		if len(e.Backdated) > 1 {
			more = fmt.Sprintf(" (and %d more such products)", len(e.Backdated)-1)
		}
		causes = append(causes, fmt.Sprintf("%s %d (%q, %s) is new and dated before operations recorded earlier (latest %s)%s: "+
			"the %d row(s) recorded earlier whose stock differs were given their balance before it existed, the file's "+
			"balance includes it; if the file is right, --ignore-stock-column records the new rows and the balances by date "+
			"then agree with it; check with stockctl history %s",
			in.unit, b.Line, b.Product.String(), day(b.Date), day(b.Latest), more, e.Shifted, shellQuote(b.Product.String())))
	}
	if len(e.FileOrder) > 0 {
		f := e.FileOrder[0]
		more := ""
		if len(e.FileOrder) > 1 {
			more = fmt.Sprintf(" (and %d more such rows)", len(e.FileOrder)-1)
		}
		causes = append(causes, fmt.Sprintf("%s %d (%q, %s) is dated before an operation above it or in the ledger (latest %s) "+
			"and its stock is the stock after the rows in file order%s: the ledger compares a row's stock with the balance "+
			"right after it by business date (%s here); if the file's stock was computed in file order, --ignore-stock-column "+
			"records the rows", in.unit, f.Line, f.Product.String(), day(f.Date), day(f.Latest), more, f.Balance))
	}
	if e.Mismatches == e.SameSource+e.Shifted || e.Probed == 0 {
		return causes
	}
	var rows string
	switch {
	case e.Probed < toRecord:
		rows = fmt.Sprintf("%d of the first %d rows to record", e.Found, e.Probed)
	case e.Found == 1 && e.Probed == 1:
		rows = "the row to record"
	case e.Found == e.Probed:
		rows = fmt.Sprintf("all %d rows to record", e.Probed)
	default:
		rows = fmt.Sprintf("%d of the %d rows to record", e.Found, e.Probed)
	}
	look := "look"
	if rows == "the row to record" {
		look = "looks"
	}
	switch {
	case e.Found*2 < e.Probed || e.Found == 0:
		if len(causes) == 0 {
			causes = append(causes, "the ledger holds operations of these products that the file does not, or the file's stock was "+
				"computed another way; compare with stockctl history PRODUCT")
		}
	case e.FromSource*2 >= e.Found:
		causes = append(causes, fmt.Sprintf("%s %s already recorded from source %s (same date, product and quantity); "+
			"if %s is a copy or a later version of that file, import it with --source %s, which records only the rows not yet there",
			rows, look, strconv.Quote(e.Other), in.name, shellQuote(e.Other)))
	case e.FromLegacy*2 >= e.Found:
		causes = append(causes, fmt.Sprintf("%s %s already recorded by an import made before stockctl named import sources (same date, "+
			"product and quantity); importing that very file again recognises its rows, a changed copy cannot: import only its new rows", rows, look))
	case e.SameSource == 0:
		causes = append(causes, fmt.Sprintf("%s %s already recorded by sell, restock, the web form or an earlier import from this source "+
			"(same date, product and quantity)", rows, look))
	}
	return causes
}

// day is a business date as people write it: without the time when it is midnight.
func day(d domain.BusinessDate) string {
	return strings.TrimSuffix(d.String(), " 00:00:00")
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

// listIssues prints up to maxListed rows with their line numbers (or rowids).
func listIssues(c *cli.Context, what, unit string, issues []ledgercsv.RowError) {
	for i, is := range issues {
		if i == maxListed {
			fmt.Fprintf(c.App.ErrWriter, "%s: … and %d more\n", what, len(issues)-maxListed)
			break
		}
		fmt.Fprintf(c.App.ErrWriter, "%s: %s %d: %s\n", what, unit, is.Line, is.Msg)
	}
}
