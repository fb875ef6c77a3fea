package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/ledgercsv"
	"github.com/stockctl/stockctl/readmodel"
)

// errLedgerNotEmpty means import --format events was given a ledger that holds events.
var errLedgerNotEmpty = errors.New("the ledger is not empty")

// csvOnlyFlags are import's flags that say how to read or decide rows of a file; events
// carry their own decisions and metadata.
var csvOnlyFlags = []string{"source", "from-db", "ignore-stock-column", "delimiter", "date-format", "decimal-comma",
	"skip-invalid", "allow-future", "new-product", "operator", "location"}

// importEvents appends the events of a file written by export --format events to an empty
// ledger, in the file's order, and projects them: the same events in the same order per
// product (and each close among them where it was) give the same read model.
func importEvents(c *cli.Context) error {
	for _, name := range csvOnlyFlags {
		if c.IsSet(name) {
			return usagef("import --format events: --%s is for CSV files and databases; events carry their own dates, authors and decisions", name)
		}
	}
	if c.NArg() != 1 {
		return usagef("import --format events takes one FILE (or - for standard input), got %d argument(s)", c.NArg())
	}
	name := c.Args().First()
	content, err := readInput(c.Context, name)
	if err != nil {
		return err
	}
	events, bad := parseEvents(content)
	if len(bad) > 0 {
		listIssues(c, "invalid", "line", bad)
		return usagef("import: %d invalid line(s) in %s; nothing was appended", len(bad), name)
	}
	if len(events) == 0 {
		return usagef("import: %s holds no events; nothing was appended", name)
	}
	if _, err := checkDataDir(c); err != nil {
		return err
	}
	live := dbPath(c)
	if _, err := os.Stat(live); err == nil {
		return fmt.Errorf("import: %w: the read model %s exists; --format events reads a whole ledger into a new one "+
			"(a new --data-dir), nothing was appended", errLedgerNotEmpty, live)
	}
	e, err := connectLog(c, false)
	if err != nil {
		return err
	}
	defer e.Close()
	// Projected as replay does, into a new file renamed into place when complete: four
	// times faster than catching up event by event, and a crash leaves no half model.
	build, err := readmodel.ClaimBuild(readmodel.BuildPath(live), "import")
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer build.Release()
	hw, err := e.log.HighWatermarks(c.Context)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	var held int64
	for _, n := range hw {
		held += n
	}
	if held > 0 {
		return fmt.Errorf("import: %w: topic %s holds %d records; --format events reads a whole ledger into an empty one "+
			"(a new --data-dir, or a new --topic on a cluster), nothing was appended", errLedgerNotEmpty, e.log.Topic(), held)
	}
	if c.Bool("dry-run") {
		fmt.Fprintf(c.App.Writer, "dry run: %d events in %s; would append them to the empty topic %s\n", len(events), name, e.log.Topic())
		return nil
	}
	start := time.Now()
	bar := newProgress(c.App.ErrWriter, e.quiet, int64(len(events)), "appending")
	done := 0
	keyed := 0
	flush := func(batch []domain.Event) error {
		err := e.log.AppendBulk(c.Context, batch, func(n int) { bar.add(keyed + n - done); done = keyed + n })
		keyed += len(batch)
		return err
	}
	from := 0
	for i, ev := range events {
		if !ev.Product.IsZero() {
			continue
		}
		// An event of every product: what comes before it, then it, in every partition.
		if err := flush(events[from:i]); err != nil {
			return appendedSome(err, i)
		}
		if _, err := e.log.AppendToAll(c.Context, ev); err != nil {
			return appendedSome(err, i)
		}
		keyed++
		from = i + 1
	}
	if err := flush(events[from:]); err != nil {
		return appendedSome(err, len(events))
	}
	bar.done()
	appended := time.Since(start)
	stats, err := rebuild(c, e, readmodel.BuildPath(live), nil)
	if err == nil {
		err = readmodel.Swap(c.Context, readmodel.BuildPath(live), live, swapWait)
	}
	if err != nil {
		return fmt.Errorf("import: the %d events are appended; projecting them: %w (run stockctl replay to finish)", len(events), err)
	}
	fmt.Fprintf(c.App.Writer, "imported %d events from %s in %s (appended in %s): %d accepted, %d rejected, %d skipped\n",
		len(events), name, time.Since(start).Round(time.Millisecond), appended.Round(time.Millisecond), stats.Accepted, stats.Rejected, stats.Skipped)
	return nil
}

// appendedSome words an append that failed after the file's first n events were sent.
func appendedSome(err error, n int) error {
	return fmt.Errorf("import: appending: %w (up to %d events may be in the log: this ledger is no longer empty; "+
		"start again in a new data directory or topic)", err, n)
}

// parseEvents reads one event per non-blank line.
func parseEvents(content []byte) ([]domain.Event, []ledgercsv.RowError) {
	var events []domain.Event
	var bad []ledgercsv.RowError
	for n, line := range bytes.Split(content, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		ev, err := domain.UnmarshalEvent(line)
		if err != nil {
			bad = append(bad, ledgercsv.RowError{Line: n + 1, Msg: err.Error()})
			continue
		}
		events = append(events, ev)
	}
	return events, bad
}
