package readmodel

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/stockctl/stockctl/domain"
)

// totals are the sums of migration 004 (product_totals, day_totals) kept in memory
// during a bulk load. Its trigger is dropped while the ledger is loaded and put back by
// write, which costs a replay a few thousand inserts instead of two upserts per event.
type totals struct {
	trigger  string // the trigger's SQL, to create again
	products map[string]*sums
	days     map[string]*sums
}

type sums struct{ sales, restocks, soldCents, restockedCents int64 }

func newTotals() *totals {
	return &totals{products: make(map[string]*sums), days: make(map[string]*sums)}
}

// suspendTotals drops the totals trigger of a new, empty model and returns the totals
// to keep in its place.
func suspendTotals(ctx context.Context, db *sql.DB) (*totals, error) {
	t := newTotals()
	if err := db.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'ledger_totals'`).Scan(&t.trigger); err != nil {
		return nil, fmt.Errorf("totals trigger: %w", err)
	}
	if _, err := db.ExecContext(ctx, `DROP TRIGGER ledger_totals`); err != nil {
		return nil, fmt.Errorf("totals trigger: %w", err)
	}
	return t, nil
}

func (t *totals) count(e domain.Event) {
	for _, m := range []struct {
		sums map[string]*sums
		key  string
	}{{t.products, e.Product.String()}, {t.days, e.BusinessDate.String()[:10]}} {
		s := m.sums[m.key]
		if s == nil {
			s = &sums{}
			m.sums[m.key] = s
		}
		if e.Type == domain.TypeStockSold {
			s.sales++
			s.soldCents += e.Quantity.Cents()
		} else {
			s.restocks++
			s.restockedCents += e.Quantity.Cents()
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
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+table+` VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("write totals: %w", err)
		}
		for k, s := range m {
			if _, err := stmt.ExecContext(ctx, k, s.sales, s.restocks, s.soldCents, s.restockedCents); err != nil {
				stmt.Close()
				return fmt.Errorf("write totals: %w", err)
			}
		}
		stmt.Close()
	}
	if _, err := tx.ExecContext(ctx, t.trigger); err != nil {
		return fmt.Errorf("write totals: %w", err)
	}
	return tx.Commit()
}
