package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/internal/termsafe"
)

// exportEvents writes every event of the log as JSON Lines, each line a record's value as
// the log holds it (compacted to one line), in an order that keeps what every replay
// depends on: each product's events in log order, and an event concerning every product
// (a PeriodClosed, one copy per partition) once, after everything that comes before any of
// its copies. import --format events appends them in that order into an empty ledger.
func exportEvents(c *cli.Context) error {
	if _, err := checkDataDir(c); err != nil {
		return err
	}
	e, err := connectLog(c, false)
	if err != nil {
		return err
	}
	defer e.Close()
	hw, err := e.log.HighWatermarks(c.Context)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	parts := make([][]domain.Record, e.log.Partitions())
	var skipped []string
	err = e.log.Read(c.Context, map[int32]int64{}, hw, func(batch []domain.Record) error {
		for _, r := range batch {
			if r.Gap != "" {
				skipped = append(skipped, domain.GapText(r.Partition, r.Offset, r.GapLast, r.Gap))
				continue
			}
			parts[r.Partition] = append(parts[r.Partition], r)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	lines, notEvents := mergeEvents(parts)
	skipped = append(skipped, notEvents...)
	w := bufio.NewWriter(termsafe.Raw(c.App.Writer))
	var buf bytes.Buffer
	for _, r := range lines {
		buf.Reset()
		if err := json.Compact(&buf, r.Value); err != nil {
			return fmt.Errorf("export: partition %d offset %d: %w", r.Partition, r.Offset, err)
		}
		buf.WriteByte('\n')
		if _, err := w.Write(termsafe.JSON(buf.Bytes())); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for i, s := range skipped {
		if i == maxListed {
			fmt.Fprintf(c.App.ErrWriter, "warning: … and %d more\n", len(skipped)-maxListed)
			break
		}
		fmt.Fprintf(c.App.ErrWriter, "warning: left out: %s\n", s)
	}
	if !e.quiet {
		fmt.Fprintf(c.App.ErrWriter, "exported %d events of topic %s (%d partitions)\n", len(lines), e.log.Topic(), len(parts))
	}
	return nil
}

// mergeEvents puts the records of every partition, each in offset order, into one
// sequence that keeps each partition's order, with each PeriodClosed once: a partition
// stops at its next PeriodClosed until every partition has reached that event (or its
// end), then the event is taken once; its other copies, and a retried copy, are dropped
// as each partition reaches them, as a reader ignores a repeated close. If partitions stop at different closes (two closes appended concurrently),
// the lowest partition's goes first. Records that are not events are left out and
// described in notEvents; replay rejects them, so an import without them ends with the
// same ledger but without those rejections.
func mergeEvents(parts [][]domain.Record) (out []domain.Record, notEvents []string) {
	type head struct {
		rec domain.Record
		id  string
	}
	next := make([]int, len(parts))
	taken := map[string]bool{}
	// advance moves partition p to its next PeriodClosed not yet taken, emitting the
	// records before it; it reports that event, or false at the partition's end.
	advance := func(p int) (head, bool) {
		for ; next[p] < len(parts[p]); next[p]++ {
			r := parts[p][next[p]]
			ev, err := domain.UnmarshalEvent(r.Value)
			switch {
			case err != nil:
				notEvents = append(notEvents, fmt.Sprintf("partition %d offset %d: %v", r.Partition, r.Offset, err))
			case !ev.Product.IsZero(): // a close or a location event concerns every product
				out = append(out, r)
			case !taken[ev.ID]:
				return head{r, ev.ID}, true
			}
		}
		return head{}, false
	}
	for {
		first := -1
		var h head
		// Every partition up to its next close; the first partition's close goes next.
		for p := range parts {
			if c, ok := advance(p); ok && first < 0 {
				first, h = p, c
			}
		}
		if first < 0 {
			return out, notEvents
		}
		out = append(out, h.rec)
		taken[h.id] = true
		next[first]++
	}
}
