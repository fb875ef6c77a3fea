package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/stockctl/stockctl/readmodel"
)

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show the log, the read model and how far behind the model is",
		Description: "Shows where the log is (embedded in this process, served by `stockctl broker`, or\n" +
			"a cluster), the topic's end offset per partition, the read model's committed offsets\n" +
			"and lag, on a replicated topic each partition's leader, replicas and in-sync replicas\n" +
			"(WARNING when under-replicated or without a leader), accepted, rejected and skipped\n" +
			"counts by reason, and when the read model last changed. It does not catch up: it\n" +
			"shows what is.\n" +
			"Example: stockctl status --output json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "table or json", Value: "table"},
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			format := c.String("output")
			if format != "table" && format != "json" {
				return usagef("--output %q: use table or json", format)
			}
			if c.NArg() > 0 {
				return usagef("status takes no arguments")
			}
			mode, brokers := "cluster", c.String("brokers")
			if brokers == "" {
				mode = "embedded (in this process)"
				if raw, err := os.ReadFile(filepath.Join(c.String("data-dir"), "broker.addr")); err == nil {
					mode, brokers = "served by stockctl broker", strings.TrimSpace(string(raw))
				}
			}
			e, err := openEnv(c)
			if err != nil {
				return err
			}
			defer e.Close()
			end, err := e.log.HighWatermarks(c.Context)
			if err != nil {
				return err
			}
			placements, err := e.log.Placements(c.Context)
			if err != nil {
				return err
			}
			committed, err := e.db.Offsets(c.Context)
			if err != nil {
				return err
			}
			st, err := e.db.Status(c.Context)
			if err != nil {
				return err
			}
			out := statusReport{Mode: mode, Brokers: brokers, Topic: e.log.Topic(), Partitions: e.log.Partitions(),
				ReadModel: e.db.Path(), Status: st}
			for p := int32(0); p < e.log.Partitions(); p++ {
				lag := max(0, end[p]-committed[p])
				ps := partitionStatus{Partition: p, End: end[p], Committed: committed[p], Lag: lag, Leader: -1}
				if int(p) < len(placements) {
					pl := placements[p]
					ps.Leader, ps.Replicas, ps.InSync, ps.Offline = pl.Leader, pl.Replicas, pl.InSync, pl.Offline
					ps.UnderReplicated = pl.UnderReplicated()
				}
				out.Offsets = append(out.Offsets, ps)
				out.Lag += lag
			}
			out.ClosedThrough, out.ClosedDisagree = closedSummary(st.ClosedPeriods, e.log.Partitions())
			if format == "json" {
				return writeJSON(c.App.Writer, out)
			}
			return out.writeTable(c)
		},
	}
}

type partitionStatus struct {
	Partition int32 `json:"partition"`
	End       int64 `json:"end_offset"`
	Committed int64 `json:"committed_offset"`
	Lag       int64 `json:"lag"`
	// Leader is the broker ID serving the partition, -1 when none is elected.
	Leader          int32   `json:"leader"`
	Replicas        []int32 `json:"replicas"`
	InSync          []int32 `json:"in_sync_replicas"`
	Offline         []int32 `json:"offline_replicas,omitempty"`
	UnderReplicated bool    `json:"under_replicated"`
}

// replicated reports whether the topic keeps more than one copy of a partition: only
// then are the leader and replicas worth a column (the embedded broker keeps one).
func (s statusReport) replicated() bool {
	for _, p := range s.Offsets {
		if len(p.Replicas) > 1 {
			return true
		}
	}
	return false
}

func brokerIDs(ids []int32) string {
	if len(ids) == 0 {
		return "none"
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ",")
}

// writePlacement writes the partition's leader and replicas when the topic is
// replicated, and a warning when it has no leader or a replica is out of sync.
func (p partitionStatus) writePlacement(w io.Writer, replicated bool) {
	if replicated {
		leader := "none"
		if p.Leader >= 0 {
			leader = fmt.Sprint(p.Leader)
		}
		fmt.Fprintf(w, "\tleader %s, replicas %s, in sync %s\n", leader, brokerIDs(p.Replicas), brokerIDs(p.InSync))
	}
	if p.Leader < 0 {
		fmt.Fprintf(w, "\tWARNING: partition %d has no leader: its products can be neither sold nor read until the cluster elects one\n", p.Partition)
	}
	if p.UnderReplicated {
		fmt.Fprintf(w, "\tWARNING: partition %d is under-replicated: in sync %s of replicas %s; losing another broker may stop its writes (min.insync.replicas)\n",
			p.Partition, brokerIDs(p.InSync), brokerIDs(p.Replicas))
	}
}

type statusReport struct {
	Mode       string            `json:"mode"`
	Brokers    string            `json:"brokers,omitempty"`
	Topic      string            `json:"topic"`
	Partitions int32             `json:"partitions"`
	Offsets    []partitionStatus `json:"offsets"`
	Lag        int64             `json:"lag"`
	ReadModel  string            `json:"read_model"`
	// ClosedThrough is the latest day the books were closed through, "" if never.
	ClosedThrough string `json:"closed_through"`
	// ClosedDisagree says the partitions are not all closed through ClosedThrough: a close
	// reached only some of them, or the read model has not taken it in everywhere yet.
	ClosedDisagree bool `json:"closed_partitions_disagree"`
	readmodel.Status
}

func (s statusReport) writeTable(c *cli.Context) error {
	w := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "log\t%s%s\n", s.Mode, map[bool]string{true: " at " + s.Brokers, false: ""}[s.Brokers != ""])
	fmt.Fprintf(w, "topic\t%s (%d partitions)\n", s.Topic, s.Partitions)
	replicated := s.replicated()
	for _, p := range s.Offsets {
		fmt.Fprintf(w, "partition %d\tend %d, read model at %d, lag %d\n", p.Partition, p.End, p.Committed, p.Lag)
		p.writePlacement(w, replicated)
		if p.Committed > p.End {
			fmt.Fprintf(w, "\tWARNING: partition %d ends at offset %d but the read model has applied up to %d: the log was damaged, truncated or recreated\n",
				p.Partition, p.End, p.Committed)
		}
	}
	fmt.Fprintf(w, "read model\t%s\n", s.ReadModel)
	last := "never"
	if !s.LastUpdate.IsZero() {
		last = s.LastUpdate.Format(time.RFC3339)
	}
	fmt.Fprintf(w, "last update\t%s (lag %d events)\n", last, s.Lag)
	fmt.Fprintf(w, "products\t%d\n", s.Products)
	fmt.Fprintf(w, "accepted\t%d\n", s.Accepted)
	fmt.Fprintf(w, "rejected\t%s\n", counts(s.Rejected))
	fmt.Fprintf(w, "skipped\t%s\n", counts(s.Skipped))
	fmt.Fprintf(w, "thresholds\t%d set, %d crossings\n", s.Thresholds, s.Crossings)
	s.writeClosed(w)
	if len(s.Gaps) == 0 {
		fmt.Fprintf(w, "log gaps\t0\n")
	}
	for i, g := range s.Gaps {
		// Offsets with no record on a topic that never compacts: a damaged log.
		label := map[bool]string{true: fmt.Sprintf("log gaps\tWARNING: %d: ", len(s.Gaps)), false: "\t"}[i == 0]
		fmt.Fprintf(w, "%s%s\n", label, g.Detail)
	}
	return w.Flush()
}

func counts(m map[string]int) string {
	if len(m) == 0 {
		return "0"
	}
	keys := make([]string, 0, len(m))
	total := 0
	for k, n := range m {
		keys = append(keys, k)
		total += n
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
}

// closedSummary returns the latest closed-through day and whether some of the n
// partitions are not closed through it.
func closedSummary(periods []readmodel.ClosedPeriod, n int32) (string, bool) {
	through := maxThrough(periods)
	return through, through != "" && len(behindPartitions(periods, n, through)) > 0
}

func (s statusReport) writeClosed(w io.Writer) {
	if s.ClosedThrough == "" {
		fmt.Fprintf(w, "books closed\tnever (see stockctl close-period)\n")
		return
	}
	last := s.ClosedPeriods[0]
	for _, p := range s.ClosedPeriods {
		if p.Through == s.ClosedThrough {
			last = p
			break
		}
	}
	at := last.RecordedAt
	if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
		at = t.UTC().Format(time.RFC3339)
	}
	by := fmt.Sprintf("closed by %s at %s", last.RecordedBy, at)
	if last.Note != "" {
		by += fmt.Sprintf(": %q", last.Note)
	}
	fmt.Fprintf(w, "books closed through\t%s (%s)\n", s.ClosedThrough, by)
	if !s.ClosedDisagree {
		return
	}
	through := map[int32]string{}
	for _, p := range s.ClosedPeriods {
		through[p.Partition] = p.Through
	}
	parts := make([]string, s.Partitions)
	for p := range s.Partitions {
		parts[p] = fmt.Sprintf("partition %d %s", p, map[bool]string{true: "through " + through[p], false: "never closed"}[through[p] != ""])
	}
	fmt.Fprintf(w, "\tWARNING: the partitions disagree (%s): operations of the products in the others can still be recorded on closed days. "+
		"If the read model lags, run stockctl project; otherwise the close reached only some partitions: run stockctl close-period --through %s again to complete it\n",
		strings.Join(parts, ", "), s.ClosedThrough)
}
