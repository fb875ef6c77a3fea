package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/readmodel"
)

func closePeriodCommand() *cli.Command {
	return &cli.Command{
		Name:  "close-period",
		Usage: "close the books through a day: operations dated on or before it are refused from then on",
		Description: "Appends a PeriodClosed event to every partition of the topic and waits until the\n" +
			"ledger has taken it in. From then on a sale, restock or imported row dated on or before\n" +
			"that day is refused (exit 1, \"period closed through 2024-03-31\"), whenever it is\n" +
			"recorded. Operations recorded before the close keep their effect. A close is permanent\n" +
			"in the log: a later one can only move the day forward (an earlier or equal day is\n" +
			"refused, exit 1), and a day after today is invalid (exit 2): that period has not ended.\n" +
			"If a close was interrupted after reaching only some partitions (see stockctl status),\n" +
			"running it again with the same day completes it.\n" +
			"Example: stockctl close-period --through 2024-03-31 --note \"Q1 inventory counted\"",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "through", Usage: "the last day to close, YYYY-MM-DD (required; today at the latest)"},
			&cli.StringFlag{Name: "note", Usage: "free text kept with the close, e.g. why the books were closed"},
			&cli.StringFlag{Name: "operator", Usage: "who closed the books (default the login user)"},
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			day, note, operator, err := parseClose(c, time.Now())
			if err != nil {
				return err
			}
			e, err := openCaughtUp(c)
			if err != nil {
				return err
			}
			defer e.Close()
			msg, err := closePeriod(c, e, day, domain.Metadata{EventID: uuid.NewString(), CommandID: uuid.NewString(),
				RecordedAt: time.Now(), RecordedBy: operator, Note: note})
			if err != nil {
				return err
			}
			fmt.Fprintln(c.App.Writer, msg)
			return nil
		},
	}
}

// parseClose validates close-period's flags against now's local date.
func parseClose(c *cli.Context, now time.Time) (day domain.BusinessDate, note, operator string, err error) {
	if c.NArg() > 0 {
		return day, "", "", usagef("close-period takes no arguments, got %q; give the day with --through, e.g. stockctl close-period --through 2024-03-31", c.Args().First())
	}
	through := c.String("through")
	switch {
	case !c.IsSet("through"):
		return day, "", "", usagef("close-period: --through is required: the last day to close, e.g. --through 2024-03-31")
	case len(through) != len("2006-01-02"):
		// A time of day would close part of a day: the ledger closes whole days.
		return day, "", "", usagef("close-period: --through %q: give a day, YYYY-MM-DD (the whole day is closed)", strings.ToValidUTF8(through, "?"))
	}
	if day, err = domain.ParseBusinessDate(through); err != nil {
		return day, "", "", usagef("close-period: --through %q: not a real calendar day; use YYYY-MM-DD from year %d", strings.ToValidUTF8(through, "?"), domain.MinBusinessYear)
	}
	if today := now.Format("2006-01-02"); day.Day() > today {
		return day, "", "", usagef("close-period: --through %s is after today (%s): a period that has not ended cannot be closed", day.Day(), today)
	}
	note, operator = c.String("note"), c.String("operator")
	if err := commands.CheckText(note, commands.MaxNoteLength); err != nil {
		return day, "", "", usagef("close-period: --note %s", commands.TextMessage(err))
	}
	if !c.IsSet("operator") {
		operator = loginUser()
	} else if err := checkOperator(operator); err != nil {
		return day, "", "", usagef("close-period: %v", err)
	} else if err := commands.CheckText(operator, commands.MaxOperatorLength); err != nil {
		return day, "", "", usagef("close-period: --operator %s", commands.TextMessage(err))
	}
	return day, note, operator, nil
}

// closePeriod decides the close against the caught-up read model, appends it to every
// partition, catches up and says what the ledger made of it.
func closePeriod(c *cli.Context, e *env, day domain.BusinessDate, m domain.Metadata) (string, error) {
	closed, err := e.db.ClosedThrough(c.Context)
	if err != nil {
		return "", err
	}
	before, err := e.db.ClosedPeriods(c.Context)
	if err != nil {
		return "", err
	}
	// A close that reached only some partitions is completed by closing through the same
	// day again: the partitions that have it already ignore the new copy.
	behind := behindPartitions(before, e.log.Partitions(), day.Day())
	decideFrom, completing := closed, !closed.IsZero() && closed.Day() == day.Day() && len(behind) > 0
	if completing {
		decideFrom = domain.BusinessDate{}
	}
	ev, err := domain.ClosePeriod(decideFrom, day, m)
	if err != nil {
		return "", fmt.Errorf("close-period: %w", err)
	}
	if _, err := e.log.AppendToAll(c.Context, ev); err != nil {
		var na interface{ NotAppended() bool }
		if errors.As(err, &na) && na.NotAppended() {
			return "", fmt.Errorf("close-period: %w; nothing was recorded", err)
		}
		return "", fmt.Errorf("close-period: %w: the close through %s may have reached some partitions: %w; "+
			"see `stockctl status`, and run the same command again to complete it", commands.ErrOutcomeUnknown, day.Day(), err)
	}
	if err := e.CatchUp(c.Context); err != nil {
		return "", fmt.Errorf("close-period: %w: the log holds the close through %s, but the read model could not take it in: %w; "+
			"run `stockctl status` once the read model can be updated", commands.ErrOutcomeUnknown, day.Day(), err)
	}
	after, err := e.db.ClosedPeriods(c.Context)
	if err != nil {
		return "", err
	}
	ours := 0
	for _, p := range after {
		if p.EventID == ev.ID {
			ours++
		}
	}
	if late := behindPartitions(after, e.log.Partitions(), day.Day()); len(late) > 0 {
		return "", fmt.Errorf("close-period: %w: the log holds the close through %s, but the read model's partitions %s are not closed through it; "+
			"see `stockctl status`", commands.ErrOutcomeUnknown, day.Day(), joinPartitions(late))
	}
	if ours == 0 {
		// Another close through this day or later came first in every partition.
		return "", fmt.Errorf("close-period: %w through %s: the books were closed through %s by another close meanwhile",
			domain.ErrPeriodClosed, day.Day(), maxThrough(after))
	}
	msg := fmt.Sprintf("books closed through %s: no operation dated on or before that day can be recorded from now on", day.Day())
	if completing {
		msg += fmt.Sprintf(" (this completes the close that partitions %s had missed)", joinPartitions(behind))
	}
	return msg, nil
}

// behindPartitions returns the partitions of n that are not closed through day.
func behindPartitions(periods []readmodel.ClosedPeriod, n int32, day string) []int32 {
	through := make(map[int32]string, len(periods))
	for _, p := range periods {
		through[p.Partition] = p.Through
	}
	var out []int32
	for p := range n {
		if through[p] < day {
			out = append(out, p)
		}
	}
	return out
}

func maxThrough(periods []readmodel.ClosedPeriod) string {
	m := ""
	for _, p := range periods {
		m = max(m, p.Through)
	}
	return m
}

func joinPartitions(ps []int32) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprint(p)
	}
	return strings.Join(s, ", ")
}
