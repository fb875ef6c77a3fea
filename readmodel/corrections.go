package readmodel

import (
	"context"
	"fmt"
	"strings"

	"github.com/stockctl/stockctl/domain"
	"github.com/stockctl/stockctl/reports"
)

// repairKinds name a repair's event type as the corrections table shows it.
var repairKinds = map[domain.EventType]string{
	domain.TypeOperationVoided: "void", domain.TypeOperationCorrected: "correction",
	domain.TypeStockCounted: "count", domain.TypeStockAdjusted: "adjustment",
}

// Repairs implements reports.Store: the repairs table (migration 008), filtered by the
// repair's business date (a void's is its target's, a correction's the new date) and
// product, most recently recorded first, each with the operation it repaired and the
// row it added. The table holds only repairs, which are few; the page's rows are chosen
// before the two ledger lookups by event ID (ledger_event).
func (d *DB) Repairs(ctx context.Context, f reports.Filter, limit int) ([]reports.Repair, int, error) {
	cond, args := where(reports.Filter{From: f.From, To: f.To, Products: f.Products})
	var total int
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM repairs WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("repairs: %w", err)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT r.recorded_at, r.recorded_by, r.event_type, r.business_date, r.product_id,
			r.delta_cents, r.reason, r.note, coalesce(r.target_event_id, ''),
			coalesce(t.event_type, ''), coalesce(t.business_date, ''), coalesce(t.delta_cents, 0),
			coalesce(n.delta_cents, 0), coalesce(n.counted_cents, 0)
		FROM (SELECT * FROM repairs WHERE `+cond+` ORDER BY recorded_at DESC, "offset" DESC LIMIT ?) AS r
		LEFT JOIN ledger AS t ON t.event_id = r.target_event_id
		LEFT JOIN ledger AS n ON n.event_id = r.event_id
		ORDER BY r.recorded_at DESC, r."offset" DESC`, append(args, limit)...)
	if err != nil {
		return nil, 0, fmt.Errorf("repairs: %w", err)
	}
	defer rows.Close()
	var out []reports.Repair
	for rows.Next() {
		var r reports.Repair
		var kind, target string
		if err := rows.Scan(&r.RecordedAt, &r.RecordedBy, &kind, &r.Date, &r.Product, &r.DeltaCents, &r.Reason, &r.Note,
			&r.TargetID, &target, &r.TargetDate, &r.TargetCents, &r.NewCents, &r.CountedCents); err != nil {
			return nil, 0, fmt.Errorf("repairs: %w", err)
		}
		r.Kind = repairKinds[domain.EventType(kind)]
		if r.Kind == "" {
			r.Kind = strings.ToLower(kind)
		}
		if target != "" {
			r.TargetType = listedType(target)
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}
