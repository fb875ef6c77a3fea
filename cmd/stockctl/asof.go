package main

import (
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/asof"
)

// momentFlags are --as-of and --as-known-at, the two clocks of an as-of query.
func momentFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "as-of", Usage: "count only operations dated at or before this business date: YYYY-MM-DD (the end of that day) or \"YYYY-MM-DD HH:MM:SS\""},
		&cli.StringFlag{Name: "as-known-at", Usage: "count only operations recorded by this time (what the ledger knew then): \"YYYY-MM-DD HH:MM:SS\" in this machine's time zone (now " +
			zoneName() + "; TZ changes it), YYYY-MM-DD (the end of that day) or RFC 3339 (2024-05-03T08:00:00Z)"},
	}
}

// zoneName is the local time zone as --as-known-at reads it, for its help: "UTC+01:00".
func zoneName() string { return "UTC" + time.Now().Format("-07:00") }

// moment reads --as-of and --as-known-at; the zero Moment (now) when neither is given. A
// wrong value is a usage error naming its flag (exit 2); a date after today is a fair
// question and answered.
func moment(c *cli.Context) (asof.Moment, error) {
	var m asof.Moment
	var err error
	if c.IsSet("as-of") {
		if m.Date, err = asof.ParseDate(c.String("as-of")); err != nil {
			return m, usagef("--as-of: %v", err)
		}
	}
	if c.IsSet("as-known-at") {
		if m.KnownAt, err = asof.ParseKnownAt(c.String("as-known-at"), time.Local); err != nil {
			return m, usagef("--as-known-at: %v", err)
		}
	}
	return m, nil
}

// writeMoment says above a table which moment it shows; a table of now has no such line.
func writeMoment(w io.Writer, m asof.Moment, format string) error {
	if m.IsNow() || format != "table" {
		return nil
	}
	_, err := fmt.Fprintf(w, "%s\n", m)
	return err
}
