package readmodel

import (
	"context"
	"fmt"
	"time"
)

// Status summarises what the read model holds.
type Status struct {
	Accepted   int            `json:"accepted"`
	Rejected   map[string]int `json:"rejected_by_reason"`
	Skipped    map[string]int `json:"skipped_by_reason"`
	Products   int            `json:"products"`
	LastUpdate time.Time      `json:"last_update"`
	// Gaps are the offsets the log failed to give, met by a projection or a replay.
	Gaps []Gap `json:"log_gaps"`
	// ClosedPeriods is each partition's copy of the latest close it took in, by
	// partition; a partition never closed has none.
	ClosedPeriods []ClosedPeriod `json:"closed_periods"`
	// Thresholds counts the reorder points set; Crossings the times a watched stock
	// crossed below its minimum or to zero (issue 20).
	Thresholds int `json:"thresholds"`
	Crossings  int `json:"crossings"`
}

// ClosedPeriod is the close a partition last took in: it refuses the operations of its
// products dated on or before Through.
type ClosedPeriod struct {
	Partition  int32  `json:"partition"`
	Through    string `json:"through"` // YYYY-MM-DD
	EventID    string `json:"event_id"`
	Offset     int64  `json:"offset"`
	RecordedAt string `json:"recorded_at"`
	RecordedBy string `json:"recorded_by"`
	Note       string `json:"note,omitempty"`
}

// Gap is a run of offsets the log failed to give (see domain.Record.Gap).
type Gap struct {
	Partition int32  `json:"partition"`
	First     int64  `json:"first_offset"`
	Last      int64  `json:"last_offset"`
	Kind      string `json:"kind"`
	Detail    string `json:"detail"`
}

// Status counts the model's rows and reports when its files last changed.
func (d *DB) Status(ctx context.Context) (Status, error) {
	s := Status{Rejected: map[string]int{}, Skipped: map[string]int{}}
	// Accepted counts events, as a replay does: every ledger row (a voided one too, and
	// a correction's operation) and the voids, which add none.
	if err := d.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM ledger)
		+ (SELECT count(*) FROM repairs WHERE event_type = 'OperationVoided'), (SELECT count(*) FROM stock),
		(SELECT count(*) FROM thresholds), (SELECT count(*) FROM crossings)`).Scan(&s.Accepted, &s.Products, &s.Thresholds, &s.Crossings); err != nil {
		return s, fmt.Errorf("status: %w", err)
	}
	for table, into := range map[string]map[string]int{"rejected_events": s.Rejected, "skipped_records": s.Skipped} {
		rows, err := d.db.QueryContext(ctx, `SELECT reason, count(*) FROM `+table+` GROUP BY reason ORDER BY reason`)
		if err != nil {
			return s, fmt.Errorf("status: %w", err)
		}
		for rows.Next() {
			var reason string
			var n int
			if err := rows.Scan(&reason, &n); err != nil {
				rows.Close()
				return s, fmt.Errorf("status: %w", err)
			}
			into[reason] = n
		}
		if err := rows.Close(); err != nil {
			return s, err
		}
	}
	var last string
	if err := d.db.QueryRowContext(ctx, `SELECT coalesce(max(updated_at), '') FROM offsets`).Scan(&last); err != nil {
		return s, fmt.Errorf("status: %w", err)
	}
	s.LastUpdate, _ = time.Parse(time.RFC3339Nano, last)
	rows, err := d.db.QueryContext(ctx, `SELECT partition, first_offset, last_offset, kind, detail FROM log_gaps ORDER BY partition, first_offset`)
	if err != nil {
		return s, fmt.Errorf("status: %w", err)
	}
	defer rows.Close()
	s.Gaps = []Gap{}
	for rows.Next() {
		var g Gap
		if err := rows.Scan(&g.Partition, &g.First, &g.Last, &g.Kind, &g.Detail); err != nil {
			return s, fmt.Errorf("status: %w", err)
		}
		s.Gaps = append(s.Gaps, g)
	}
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("status: %w", err)
	}
	s.ClosedPeriods, err = d.ClosedPeriods(ctx)
	return s, err
}

// ClosedPeriods returns the close each partition last took in, by partition. Every
// close is written to every partition, so they differ only while a close is partly
// appended or partly projected.
func (d *DB) ClosedPeriods(ctx context.Context) ([]ClosedPeriod, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT partition, through, event_id, "offset", recorded_at, recorded_by, note
		FROM closed_periods ORDER BY partition`)
	if err != nil {
		return nil, fmt.Errorf("closed periods: %w", err)
	}
	defer rows.Close()
	out := []ClosedPeriod{}
	for rows.Next() {
		var c ClosedPeriod
		if err := rows.Scan(&c.Partition, &c.Through, &c.EventID, &c.Offset, &c.RecordedAt, &c.RecordedBy, &c.Note); err != nil {
			return nil, fmt.Errorf("closed periods: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("closed periods: %w", err)
	}
	return out, nil
}
