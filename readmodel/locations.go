package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/stockctl/stockctl/asof"
	"github.com/stockctl/stockctl/domain"
)

// Locations (migration 010): each partition's copy of the location events in table
// locations, and a product's stock per location, once it has had an operation outside
// main, in place_stock and place_balances.

// Locations implements projections.Tx.
func (t *projectTx) Locations(partition int32) ([]domain.Location, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT location_id, name, closed FROM locations WHERE partition = ?`, partition)
	if err != nil {
		return nil, fmt.Errorf("locations: %w", err)
	}
	defer rows.Close()
	var out []domain.Location
	for rows.Next() {
		var id, name string
		var loc domain.Location
		if err := rows.Scan(&id, &name, &loc.Closed); err != nil {
			return nil, fmt.Errorf("locations: %w", err)
		}
		if loc.ID, err = domain.ParseLocationID(id); err != nil {
			return nil, fmt.Errorf("locations: %w", err)
		}
		loc.Name = name
		out = append(out, loc)
	}
	return out, rows.Err()
}

// PutLocation implements projections.Tx.
func (t *projectTx) PutLocation(pos domain.Position, e domain.Event, l domain.Location) error {
	err := t.exec(`INSERT INTO locations (partition, location_id, name, closed, event_id, recorded_at, recorded_by)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (partition, location_id) DO UPDATE SET name = excluded.name, closed = excluded.closed,
		event_id = excluded.event_id, recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by`,
		pos.Partition, l.ID.String(), l.Name, l.Closed, e.ID, e.RecordedAt.UTC().Format(time.RFC3339Nano), e.RecordedBy)
	if err != nil {
		return fmt.Errorf("location %s: %w", l.ID, err)
	}
	return nil
}

// Held implements projections.Tx: the products of partition are those with a ledger row
// in it. The stocks changed in the transaction are stored first (they are stored again
// at its end), so that one query sees them.
func (t *projectTx) Held(partition int32, l domain.LocationID, stocks []domain.Snapshot) (int64, error) {
	for _, s := range stocks {
		if err := t.PutStock(s); err != nil {
			return 0, err
		}
	}
	if err := t.flush(); err != nil {
		return 0, err
	}
	if t.places != nil {
		return t.heldInMemory(partition, l)
	}
	var held sql.NullInt64
	err := t.tx.QueryRowContext(t.ctx, `SELECT sum(stock_cents) FROM place_stock
		WHERE location_id = ? AND product_id IN (SELECT product_id FROM ledger WHERE partition = ?)`, l.String(), partition).Scan(&held)
	if err != nil {
		return 0, fmt.Errorf("stock held in %s: %w", l, err)
	}
	return held.Int64, nil
}

// heldInMemory is Held in a bulk load, whose stock per location is in memory.
func (t *projectTx) heldInMemory(partition int32, l domain.LocationID) (int64, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT DISTINCT product_id FROM ledger WHERE partition = ?`, partition)
	if err != nil {
		return 0, fmt.Errorf("stock held in %s: %w", l, err)
	}
	defer rows.Close()
	var held int64
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return 0, fmt.Errorf("stock held in %s: %w", l, err)
		}
		for _, s := range t.places[p] {
			if s.Location == l {
				held += s.Level.Cents()
			}
		}
	}
	return held, rows.Err()
}

// spread starts keeping p's stock per location: main's balances are the product's.
func (t *projectTx) spread(p domain.ProductID) error {
	if t.lines != nil {
		if line := t.lines[productKey(p)]; line != nil {
			t.lines[placeKey(p, domain.MainLocation)] = domain.NewTimeline(line.Dates())
		}
		return nil
	}
	err := t.exec(`INSERT INTO place_balances (product_id, location_id, business_date, end_cents, net_cents, low_cents, high_cents)
		SELECT product_id, 'main', business_date, end_cents, net_cents, low_cents, high_cents FROM balances WHERE product_id = ?`, p.String())
	if err != nil {
		return fmt.Errorf("balances of %q in main: %w", p, err)
	}
	return nil
}

// placeStocks are a bulk load's stock per location, by product: stored once, in Finish,
// rather than upserted for every product a batch changed.
type placeStocks map[string][]domain.PlaceSnapshot

// write stores the stock per location, several rows per statement.
func (ps placeStocks) write(ctx context.Context, db *sql.DB) error {
	const columns, rows = 5, 64
	row := "(" + placeholders(columns) + ")"
	insert := func(n int) string {
		return `INSERT INTO place_stock (product_id, location_id, stock_cents, last_date, date_net_cents) VALUES ` +
			strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write stock per location: %w", err)
	}
	defer tx.Rollback()
	products := slices.Sorted(maps.Keys(ps))
	args := make([]any, 0, columns*rows)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, insert(len(args)/columns), args...)
		args = args[:0]
		return err
	}
	for _, p := range products {
		for _, s := range ps[p] {
			args = append(args, p, s.Location.String(), s.Level.Cents(), s.LastDate.String(), s.DateNet)
			if len(args) == cap(args) {
				if err := flush(); err != nil {
					return fmt.Errorf("write stock per location: %w", err)
				}
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("write stock per location: %w", err)
	}
	return tx.Commit()
}

// placeUndo is what a bulk load's transaction replaced in its placeStocks, to put back
// if it does not commit.
type placeUndo struct {
	product string
	old     []domain.PlaceSnapshot
	had     bool
}

// placeStock reads p's stock per location.
func (t *projectTx) placeStock(p domain.ProductID) ([]domain.PlaceSnapshot, error) {
	if t.places != nil {
		return slices.Clone(t.places[p.String()]), nil
	}
	return placeStockOf(t.ctx, t.tx, p)
}

func placeStockOf(ctx context.Context, q rowsQueryer, p domain.ProductID) ([]domain.PlaceSnapshot, error) {
	rows, err := q.QueryContext(ctx, `SELECT location_id, stock_cents, last_date, date_net_cents FROM place_stock WHERE product_id = ?`, p.String())
	if err != nil {
		return nil, fmt.Errorf("stock of %q per location: %w", p, err)
	}
	defer rows.Close()
	out := []domain.PlaceSnapshot{}
	for rows.Next() {
		var id, last string
		var cents int64
		var ps domain.PlaceSnapshot
		if err := rows.Scan(&id, &cents, &last, &ps.DateNet); err != nil {
			return nil, fmt.Errorf("stock of %q per location: %w", p, err)
		}
		if ps.Location, err = domain.ParseLocationID(id); err == nil {
			if ps.Level, err = domain.QuantityFromCents(cents); err == nil {
				ps.LastDate, err = domain.ParseBusinessDate(last)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("stock of %q per location: %w", p, err)
		}
		out = append(out, ps)
	}
	return out, rows.Err()
}

// putPlaces stores p's stock per location.
func (t *projectTx) putPlaces(p domain.ProductID, places []domain.PlaceSnapshot) error {
	if t.places != nil {
		if places != nil {
			old, had := t.places[p.String()]
			t.placeUndo = append(t.placeUndo, placeUndo{p.String(), old, had})
			t.places[p.String()] = places
		}
		return nil
	}
	for _, ps := range places {
		err := t.exec(`INSERT INTO place_stock (product_id, location_id, stock_cents, last_date, date_net_cents) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (product_id, location_id) DO UPDATE SET stock_cents = excluded.stock_cents,
			last_date = excluded.last_date, date_net_cents = excluded.date_net_cents`,
			p.String(), ps.Location.String(), ps.Level.Cents(), ps.LastDate.String(), ps.DateNet)
		if err != nil {
			return fmt.Errorf("put stock of %q in %s: %w", p, ps.Location, err)
		}
	}
	return nil
}

// LocationInfo is one location as the read model knows it, over every partition.
type LocationInfo struct {
	ID   domain.LocationID
	Name string
	// Closed is true when a partition has it closed; ClosedIn and Partitions tell how
	// many have it closed and how many know it (main: every one).
	Closed               bool
	ClosedIn, Partitions int
	// Stock is what it holds over all products, Products how many hold some there.
	Stock    int64
	Products int
	// Status is "open", "closed", or "closed in N of M partitions".
	Status string
}

// LocationList returns every location the read model knows, main first, then by ID,
// with what it holds.
func (d *DB) LocationList(ctx context.Context) ([]LocationInfo, error) {
	// Before the list's query: the model has one connection, which its rows hold.
	var partitions int
	if err := d.db.QueryRowContext(ctx, `SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'partitions'), 1)`).Scan(&partitions); err != nil {
		return nil, fmt.Errorf("locations: %w", err)
	}
	rows, err := d.db.QueryContext(ctx, `WITH l AS (
			SELECT location_id, max(name) AS name, count(*) AS partitions, sum(closed) AS closed_in FROM locations GROUP BY location_id
			UNION ALL SELECT 'main', 'Main', 0, 0 WHERE NOT EXISTS (SELECT 1 FROM locations WHERE location_id = 'main')),
		s AS (SELECT location_id, sum(stock_cents) AS cents, count(*) FILTER (WHERE stock_cents > 0) AS products FROM location_stock GROUP BY location_id)
		SELECT l.location_id, l.name, l.partitions, l.closed_in, coalesce(s.cents, 0), coalesce(s.products, 0)
		FROM l LEFT JOIN s USING (location_id)
		ORDER BY l.location_id != 'main', l.location_id`)
	if err != nil {
		return nil, fmt.Errorf("locations: %w", err)
	}
	defer rows.Close()
	var out []LocationInfo
	for rows.Next() {
		var li LocationInfo
		var id string
		if err := rows.Scan(&id, &li.Name, &li.Partitions, &li.ClosedIn, &li.Stock, &li.Products); err != nil {
			return nil, fmt.Errorf("locations: %w", err)
		}
		if li.ID, err = domain.ParseLocationID(id); err != nil {
			return nil, fmt.Errorf("locations: %w", err)
		}
		li.Closed = li.ClosedIn > 0
		switch {
		case li.ClosedIn == 0:
			li.Status = "open"
		case li.ClosedIn >= partitions:
			li.Status = "closed"
		default:
			li.Status = fmt.Sprintf("closed in %d of %d partitions", li.ClosedIn, partitions)
		}
		out = append(out, li)
	}
	return out, rows.Err()
}

// Locations returns the locations a writer decides against: every location a partition
// knows, closed if a partition has it closed. The log's projection decides each event
// against its own partition's copy.
func (d *DB) Locations(ctx context.Context) (*domain.Locations, error) {
	list, err := d.LocationList(ctx)
	if err != nil {
		return nil, err
	}
	locs := make([]domain.Location, len(list))
	for i, li := range list {
		locs[i] = domain.Location{ID: li.ID, Name: li.Name, Closed: li.Closed}
	}
	return domain.RestoreLocations(locs), nil
}

// PlaceSpan returns product p's balances in location l around business date d, for a
// writer deciding an operation dated before its latest there.
func (d *DB) PlaceSpan(ctx context.Context, p domain.ProductID, l domain.LocationID, date domain.BusinessDate) (domain.Span, error) {
	return spanOf(ctx, d.db, placeKey(p, l), date)
}

// PlaceLevel is a product's stock in one location.
type PlaceLevel struct {
	Product  string
	Location string
	Cents    int64
	LastDate string
}

// PlaceLevels returns every product's stock per location (main's is the product's for a
// product kept in main only), by product then location, for products in f.Products if
// any, and locations in only if any.
func (d *DB) PlaceLevels(ctx context.Context, products []string, only []string) ([]PlaceLevel, error) {
	return d.PlaceLevelsAt(ctx, asof.Moment{}, products, only)
}

// PlaceLevelsAt is PlaceLevels at moment m: now, or the end of business date m.Date, each
// product's balance in each location at its latest date on or before it, and that date (a
// product or location with nothing dated by then has no line). As known at a past moment
// (m.KnownAt) is not kept per location.
func (d *DB) PlaceLevelsAt(ctx context.Context, m asof.Moment, products []string, only []string) ([]PlaceLevel, error) {
	query, args, err := placeLevelsQuery(m, products, only)
	if err != nil {
		return nil, err
	}
	return placeLevels(ctx, d.db, query, args)
}

// placeLevelsQuery selects product, location, cents and date of PlaceLevelsAt's lines.
func placeLevelsQuery(m asof.Moment, products []string, only []string) (string, []any, error) {
	from, args := "location_stock", []any{}
	if !m.IsNow() {
		if !m.KnownAt.IsZero() {
			return "", nil, fmt.Errorf("stock by location at %s: %w", m, ErrNotPerLocation)
		}
		// location_stock at a date. As StockAt: each line one descent of its balances'
		// primary key, the stock tables the outer loop (CROSS JOIN).
		from = `(SELECT s.product_id, 'main' AS location_id, b.end_cents AS stock_cents, b.business_date AS last_date
			FROM stock AS s CROSS JOIN balances AS b ON b.product_id = s.product_id AND b.business_date = (
				SELECT max(business_date) FROM balances WHERE product_id = s.product_id AND business_date <= ?1)
			WHERE s.spread = 0
		UNION ALL
		SELECT s.product_id, s.location_id, b.end_cents, b.business_date
			FROM place_stock AS s CROSS JOIN place_balances AS b ON b.product_id = s.product_id
				AND b.location_id = s.location_id AND b.business_date = (
				SELECT max(business_date) FROM place_balances
				WHERE product_id = s.product_id AND location_id = s.location_id AND business_date <= ?1))`
		args = append(args, m.DateText())
	}
	cond := "1 = 1"
	if len(products) > 0 {
		cond += " AND product_id IN (" + placeholders(len(products)) + ")"
		for _, p := range products {
			args = append(args, p)
		}
	}
	if len(only) > 0 {
		cond += " AND location_id IN (" + placeholders(len(only)) + ")"
		for _, l := range only {
			args = append(args, l)
		}
	}
	return `SELECT product_id, location_id, stock_cents, last_date FROM ` + from + `
		WHERE ` + cond + ` ORDER BY product_id, location_id != 'main', location_id`, args, nil
}

// placeLevels runs a placeLevelsQuery on q.
func placeLevels(ctx context.Context, q rowsQueryer, query string, args []any) ([]PlaceLevel, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("stock by location: %w", err)
	}
	defer rows.Close()
	var out []PlaceLevel
	for rows.Next() {
		var pl PlaceLevel
		if err := rows.Scan(&pl.Product, &pl.Location, &pl.Cents, &pl.LastDate); err != nil {
			return nil, fmt.Errorf("stock by location: %w", err)
		}
		out = append(out, pl)
	}
	return out, rows.Err()
}

// ErrNotPerLocation: the stock per location as known at a past moment is not kept.
var ErrNotPerLocation = errors.New("--as-known-at is not kept per location (--as-of is)")
