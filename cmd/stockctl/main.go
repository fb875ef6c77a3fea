// Command stockctl is a stock ledger on Kafka: sales and replenishments are events on a
// topic, and a SQLite read model holds the operations ledger and current stock.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/eventlog"
	"github.com/stockctl/stockctl/internal/termsafe"
	"github.com/stockctl/stockctl/projections"
	"github.com/stockctl/stockctl/readmodel"
	"github.com/stockctl/stockctl/reports"
)

// Exit codes.
const (
	exitOK          = 0
	exitRefused     = 1 // the ledger refused the operation
	exitInvalid     = 2 // invalid input or usage
	exitUnavailable = 3 // infrastructure unavailable
	exitUnknown     = 4 // the outcome of a write is unknown: it may have been recorded
	exitInterrupted = 130
)

// errUsage marks errors in how stockctl was called; see usagef.
var errUsage = errors.New("invalid usage")

// usageErr is an error in how stockctl was called, with the message shown to the user.
type usageErr struct{ msg string }

func (e *usageErr) Error() string        { return e.msg }
func (e *usageErr) Is(target error) bool { return target == errUsage }

// usagef returns an error matching errUsage with a formatted message.
func usagef(format string, args ...any) error {
	return &usageErr{msg: fmt.Sprintf(format, args...)}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// Everything printed goes through termsafe, so that no text read from the log or
	// given on the command line can drive the terminal; see internal/termsafe.
	stdout, stderr := termsafe.NewWriter(os.Stdout), termsafe.NewWriter(os.Stderr)
	app := newApp(stdout, stderr)
	args, err := interspersed(app, os.Args)
	if err == nil {
		err = app.RunContext(ctx, args)
	}
	stop()
	stdout.Flush()
	if err != nil {
		msg := err.Error()
		if errors.Is(err, context.Canceled) {
			msg = "interrupted; what was committed before is intact"
			var na interface{ NotAppended() bool }
			switch {
			case errors.Is(err, commands.ErrOutcomeUnknown):
				msg = "interrupted: " + err.Error()
			case errors.As(err, &na) && na.NotAppended():
				// Stopped on its way to the log, before handing it the operation.
				msg = "interrupted before the operation reached the log: nothing was recorded"
			}
		}
		fmt.Fprintln(stderr, "stockctl: "+msg)
		stderr.Flush()
		os.Exit(exitCode(err))
	}
	stderr.Flush()
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:    "stockctl",
		Usage:   "a stock ledger on Kafka: record sales and replenishments, see stock and history",
		Version: appVersion(),
		Description: "Every operation becomes an event on a Kafka topic, the source of truth; a SQLite\n" +
			"read model holds the operations ledger and current stock. With no --brokers, stockctl\n" +
			"runs an embedded Kafka-protocol broker whose log lives in the data directory.",
		Writer:          stdout,
		ErrWriter:       stderr,
		Flags:           append(globalFlags(), cli.HelpFlag), // urfave/cli adds it only with its own help command
		HideHelpCommand: true,
		Commands: []*cli.Command{
			demoCommand(),
			restockCommand(),
			sellCommand(),
			voidCommand(),
			correctCommand(),
			countCommand(),
			adjustCommand(),
			stockCommand(),
			historyCommand(),
			alertsCommand(),
			reorderCommand(),
			importCommand(),
			closePeriodCommand(),
			locationCommand(),
			transferCommand(),
			thresholdCommand(),
			generateCommand(),
			exportCommand(),
			reportCommand(),
			statusCommand(),
			projectCommand(),
			replayCommand(),
			verifyCommand(),
			serveCommand(),
			brokerCommand(),
			logCommand(),
			helpCommand(),
		},
		OnUsageError: usageError,
		Before:       startProfile,
		After:        stopProfile,
		// Errors are reported once, by main, with the exit code they map to.
		ExitErrHandler: func(*cli.Context, error) {},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return unknownCommand(c.App.Name, c.Args().First(), c.App.Commands)
			}
			return cli.ShowAppHelp(c)
		},
	}
}

// startProfile starts the CPU profile asked for with --cpuprofile.
func startProfile(c *cli.Context) error {
	path := c.String("cpuprofile")
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return usagef("--cpuprofile: %v", err)
	}
	return pprof.StartCPUProfile(f)
}

func stopProfile(c *cli.Context) error {
	if c.String("cpuprofile") != "" {
		pprof.StopCPUProfile()
	}
	return nil
}

func usageError(c *cli.Context, err error, _ bool) error {
	if hint := flagSuggestion(c, err); hint != "" {
		return usagef("%v; %s", err, hint)
	}
	return usagef("%v; see --help", err)
}

// exitCode maps an error to the documented exit codes: an interruption is always 130,
// which only the CLI has; everything else by its class, which commands decides for the
// write side's errors and cliErrors for the rest.
func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	}
	switch commands.Classify(err, cliErrors...).Class {
	case commands.OutcomeUnknown:
		return exitUnknown
	case commands.Refused:
		return exitRefused
	case commands.Invalid:
		return exitInvalid
	case commands.Interrupted:
		return exitInterrupted
	}
	return exitUnavailable
}

// cliErrors classifies what commands does not know: the CLI's own errors and those of the
// infrastructure it wires, which commands may not import. They name no code but usage:
// --output json reports the others as "unavailable", as it always has. What is named
// nowhere is unavailable too; the last ones are listed to say so.
var cliErrors = []commands.Sentinel{
	{Err: errVerifyFailed, Class: commands.Refused},
	{Err: errImportIncomplete, Class: commands.Refused},
	{Err: errLedgerNotEmpty, Class: commands.Refused},
	{Err: errNoHistory, Class: commands.Refused},
	{Err: errNeedsAttention, Class: commands.Refused},
	{Err: errReplayWouldLose, Class: commands.Refused},
	{Err: errUsage, Class: commands.Invalid, Code: "invalid_usage"},
	{Err: readmodel.ErrAmbiguousID, Class: commands.Invalid, Code: "ambiguous_event_id", Field: "event_id"},
	{Err: domain.ErrMalformedEvent, Class: commands.Invalid},
	{Err: eventlog.ErrSecurityConfig, Class: commands.Invalid},
	{Err: eventlog.ErrCopyMismatch, Class: commands.Invalid},
	{Err: reports.ErrInvalidFilter, Class: commands.Invalid},
	{Err: eventlog.ErrUnavailable, Class: commands.Unavailable},
	{Err: eventlog.ErrLocked, Class: commands.Unavailable},
	{Err: eventlog.ErrDamagedLog, Class: commands.Unavailable},
	{Err: readmodel.ErrUnreadable, Class: commands.Unavailable},
	{Err: readmodel.ErrLogMismatch, Class: commands.Unavailable},
	{Err: readmodel.ErrInUse, Class: commands.Unavailable},
	{Err: readmodel.ErrBusy, Class: commands.Unavailable},
	{Err: projections.ErrAheadOfLog, Class: commands.Unavailable},
	{Err: errNoLedger, Class: commands.Unavailable},
}
