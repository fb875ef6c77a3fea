// Package readmodel is the SQLite read model: the operations ledger, current stock per
// product, rejected events and the log offsets they were built from.
package readmodel

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrUnreadable means the database file exists but is not a usable stockctl read model.
var ErrUnreadable = errors.New("read model unreadable")

// DB is the read model database.
type DB struct {
	db   *sql.DB
	path string
	lock *os.File // shared lock on the live model, held while open
	// bulk, in a model made by Create, holds the totals of migration 004 in memory, for
	// Finish to write once instead of a trigger updating them row by row.
	bulk *totals
	// lines, with bulk, holds the balances of migration 007 in memory (see balances.go).
	lines timelines
	// places, with bulk, holds the stock per location in memory (see locations.go).
	places placeStocks
}

// Open opens (creating if needed) the read model at path and applies pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open read model: %w", err)
	}
	// A replay swaps the file only while no stockctl process has it open.
	lock, err := lockFile(path, syscall.LOCK_SH, swapWait)
	if err != nil {
		return nil, err
	}
	d, err := openNoLock(ctx, path)
	if err != nil {
		lock.Close()
		return nil, err
	}
	d.lock = lock
	return d, nil
}

// swapWait is how long opening waits for a replay's swap to finish.
const swapWait = 30 * time.Second

func openNoLock(ctx context.Context, path string) (*DB, error) {
	// Several stockctl processes may project the same log into one file: WAL lets readers
	// run beside the writer, the busy timeout queues writers, and IMMEDIATE transactions
	// take the write lock before reading the offsets they will advance.
	return open(ctx, path, nil, "busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)")
}

// OpenReader opens a pool of conns read-only connections to the read model at path, for
// a server answering many requests at once beside its writer: the writer's single
// connection would queue every page behind every catch-up. Open the writer first; a
// reader neither migrates nor takes the lock a replay waits on.
func OpenReader(ctx context.Context, path string, conns int) (*DB, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "query_only(1)", "cache_size(-8192)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open read model: %w", err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: %s: %v", ErrUnreadable, path, err)
	}
	return &DB{db: db, path: path}, nil
}

// deferredMigrations are index builds a bulk load runs once at the end instead of
// maintaining them row by row.
var deferredMigrations = map[string]bool{"migrations/002_ledger_product.sql": true, "migrations/006_operation_lists.sql": true,
	"migrations/009_ledger_indexes.sql": true, "migrations/011_ledger_indexes.sql": true, "migrations/015_sales_window.sql": true}

// Create makes a new read model at path for one process to build alone, as a replay does:
// no write-ahead log and no syncing while it is built, since an unfinished file is thrown
// away. Finish makes it durable before it is used.
func Create(ctx context.Context, path string) (*DB, error) {
	for _, p := range []string{path, path + "-journal", path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("create read model: %w", err)
		}
	}
	d, err := open(ctx, path, deferredMigrations, "journal_mode(MEMORY)", "synchronous(OFF)", "locking_mode(EXCLUSIVE)")
	if err != nil {
		return nil, err
	}
	d.lines = make(timelines)
	d.places = make(placeStocks)
	if d.bulk, err = suspendTotals(ctx, d.db); err != nil {
		d.Close()
		return nil, fmt.Errorf("create read model: %w", err)
	}
	return d, nil
}

func open(ctx context.Context, path string, skip map[string]bool, pragmas ...string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open read model: %w", err)
	}
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	// 16 MiB of page cache: more makes a replay no faster (the command index is
	// probed only on a Bloom filter hit) and costs resident memory.
	q.Add("_pragma", "cache_size(-16384)")
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open read model: %w", err)
	}
	// One connection: the read model has one writer per process, and pragmas such as the
	// exclusive locking of a build hold per connection.
	db.SetMaxOpenConns(1)
	d := &DB{db: db, path: path}
	if err := d.migrate(ctx, skip); err != nil {
		db.Close()
		if isBusy(err) {
			return nil, busyError(path)
		}
		return nil, fmt.Errorf("%w: %s: %v; it holds nothing the log does not: rebuild it with stockctl replay", ErrUnreadable, path, err)
	}
	return d, nil
}

// ErrBusy means another program held the read model's write lock for longer than the
// busy timeout.
var ErrBusy = errors.New("read model busy")

func isBusy(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "database is locked") || strings.Contains(err.Error(), "SQLITE_BUSY"))
}

func busyError(path string) error {
	return fmt.Errorf("%w: %s stayed locked by another program for 10 s (a sqlite3 shell inside a transaction?); end that transaction and retry", ErrBusy, path)
}

// Path returns the database file's path.
func (d *DB) Path() string { return d.path }

// Close closes the database.
func (d *DB) Close() error {
	err := d.db.Close()
	if d.lock != nil {
		d.lock.Close()
	}
	return err
}

func (d *DB) migrate(ctx context.Context, skip map[string]bool) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if n > 0 || skip[name] {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name) VALUES (?)`, name); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return tx.Commit()
}

// ErrLogMismatch means the read model was built from another topic or another partition
// count than the log it is now pointed at.
var ErrLogMismatch = errors.New("read model does not match the log")

// BindLog records which topic and partition count the model is built from, or checks
// them against what was recorded. Per-product order holds only while a product's events
// stay in one partition: after a repartition, keys move and replays would disagree.
func (d *DB) BindLog(ctx context.Context, topic string, partitions int32) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("bind log: %w", err)
	}
	defer tx.Rollback()
	want := map[string]string{"topic": topic, "partitions": strconv.Itoa(int(partitions))}
	for _, k := range []string{"topic", "partitions"} {
		var have string
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, k).Scan(&have)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)`, k, want[k]); err != nil {
				return fmt.Errorf("bind log: %w", err)
			}
		case err != nil:
			return fmt.Errorf("bind log: %w", err)
		case have != want[k] && k == "topic":
			return fmt.Errorf("%w: %s was built from topic %q, not %q; use --db for another file or run stockctl replay", ErrLogMismatch, d.path, have, topic)
		case have != want[k]:
			return fmt.Errorf("%w: topic %q has %s partitions but %s was built from %s; "+
				"a repartitioned topic moves products between partitions and their order is lost: "+
				"copy the log to a new topic with the original partition count", ErrLogMismatch, topic, want[k], d.path, have)
		}
	}
	return tx.Commit()
}

// BindCluster records the ID of the cluster (for the embedded broker, of the data
// directory's log) the model is built from, or checks it against the one recorded. A
// model built before IDs were recorded adopts the first one it is bound to. A model
// built from another log would take that log's offsets for its own and ingest events
// that are not its ledger's. An empty id (a cluster that reports none) checks nothing.
func (d *DB) BindCluster(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	var have string
	err := d.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'cluster_id'`).Scan(&have)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := d.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('cluster_id', ?) ON CONFLICT (key) DO NOTHING`, id); err != nil {
			return fmt.Errorf("bind log: %w", err)
		}
		return d.BindCluster(ctx, id) // another process may have bound it first
	case err != nil:
		return fmt.Errorf("bind log: %w", err)
	case have != id:
		return fmt.Errorf("%w: %s was built from the log with cluster ID %q, but the log reached has cluster ID %q "+
			"(another data directory's log, or another Kafka cluster); check --data-dir and --brokers, use --db for another "+
			"file, or rebuild it from this log with `stockctl replay`, which says what of its history would be lost", ErrLogMismatch, d.path, have, id)
	}
	return nil
}

// CheckTopic fails with ErrLogMismatch if the model was built from another topic. It
// lets a command refuse before it connects to the cluster, and so before it creates a
// topic the user did not mean.
func (d *DB) CheckTopic(ctx context.Context, topic string) error {
	var have string
	err := d.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'topic'`).Scan(&have)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("check topic: %w", err)
	case have != topic:
		return fmt.Errorf("%w: %s was built from topic %q, not %q; use --db for another file or run stockctl replay", ErrLogMismatch, d.path, have, topic)
	}
	return nil
}

// Offsets returns the next offset to apply for each partition that has any.
func (d *DB) Offsets(ctx context.Context) (map[int32]int64, error) {
	return d.partitionOffsets(ctx, "offsets", `SELECT partition, next_offset FROM offsets`)
}

// partitionOffsets reads query's (partition, offset) rows into a map; what names it in errors.
func (d *DB) partitionOffsets(ctx context.Context, what, query string) (map[int32]int64, error) {
	rows, err := d.db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	m := make(map[int32]int64)
	for rows.Next() {
		var p int32
		var n int64
		if err := rows.Scan(&p, &n); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		m[p] = n
	}
	return m, rows.Err()
}

// placeholders returns "?, ?, ?" for n parameters.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
