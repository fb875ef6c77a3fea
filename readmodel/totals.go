package readmodel

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/stockctl/stockctl/domain"
)

// totals are the sums of migrations 004 and 008 (product_totals, day_totals) kept in
// memory during a bulk load. Their triggers are dropped while the ledger is loaded and
// put back by write, which costs a replay a few thousand inserts instead of two upserts
// per event.
type totals struct {
	triggers []string // the triggers' SQL, to create again
	products map[string]*sums
	days     map[string]*sums
}

type sums struct{ sales, restocks, soldCents, restockedCents, adjustments, adjustedCents int64 }

func newTotals() *totals {
	return &totals{products: make(map[string]*sums), days: make(map[string]*sums)}
}

// suspendTotals drops the totals triggers of a new, empty model and returns the totals
// to keep in their place.
func suspendTotals(ctx context.Context, db *sql.DB) (*totals, error) {
	t := newTotals()
	for _, name := range []string{"ledger_totals", "ledger_totals_void"} {
		var trigger string
		if err := db.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?`, name).Scan(&trigger); err != nil {
			return nil, fmt.Errorf("totals trigger %s: %w", name, err)
		}
		if _, err := db.ExecContext(ctx, `DROP TRIGGER `+name); err != nil {
			return nil, fmt.Errorf("totals trigger %s: %w", name, err)
		}
		t.triggers = append(t.triggers, trigger)
	}
	return t, nil
}

// count adds an accepted operation of kind, dated day, moving the stock by delta.
func (t *totals) count(product string, day domain.BusinessDate, kind domain.EventType, delta int64, sign int64) {
	for _, m := range []struct {
		sums map[string]*sums
		key  string
	}{{t.products, product}, {t.days, day.String()[:10]}} {
		s := m.sums[m.key]
		if s == nil {
			s = &sums{}
			m.sums[m.key] = s
		}
		switch kind {
		case domain.TypeStockSold:
			s.sales += sign
			s.soldCents -= sign * delta
		case domain.TypeStockRestocked:
			s.restocks += sign
			s.restockedCents += sign * delta
		default:
			s.adjustments += sign
			s.adjustedCents += sign * delta
		}
	}
}

// add adds a committed transaction's totals.
func (t *totals) add(o *totals) {
	for _, pair := range [][2]map[string]*sums{{t.products, o.products}, {t.days, o.days}} {
		for k, v := range pair[1] {
			s := pair[0][k]
			if s == nil {
				s = &sums{}
				pair[0][k] = s
			}
			s.sales += v.sales
			s.restocks += v.restocks
			s.soldCents += v.soldCents
			s.restockedCents += v.restockedCents
			s.adjustments += v.adjustments
			s.adjustedCents += v.adjustedCents
		}
	}
}

// write stores the totals and puts the trigger back, in one transaction.
func (t *totals) write(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write totals: %w", err)
	}
	defer tx.Rollback()
	for table, m := range map[string]map[string]*sums{"product_totals": t.products, "day_totals": t.days} {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+table+` VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("write totals: %w", err)
		}
		for k, s := range m {
			if _, err := stmt.ExecContext(ctx, k, s.sales, s.restocks, s.soldCents, s.restockedCents, s.adjustments, s.adjustedCents); err != nil {
				stmt.Close()
				return fmt.Errorf("write totals: %w", err)
			}
		}
		stmt.Close()
	}
	for _, trigger := range t.triggers {
		if _, err := tx.ExecContext(ctx, trigger); err != nil {
			return fmt.Errorf("write totals: %w", err)
		}
	}
	return tx.Commit()
}
