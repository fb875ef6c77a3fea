package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"
)

// errNoLedger means a command that only reads found no ledger where it was pointed: a
// mistyped --data-dir must not start a new, empty ledger.
var errNoLedger = errors.New("no ledger")

// createsLedger names the commands that may create a data directory and a new ledger in
// it: those that record operations or serve the log. Every other command reads an
// existing ledger and refuses a data directory holding none.
var createsLedger = map[string]bool{
	"restock": true, "sell": true, "import": true, "demo": true,
	"project": true, "serve": true, "broker": true,
	"add": true, // location add: declaring where stock will be kept may come first
}

// Files of the data directory that are not the read model's (see eventlog/embedded.go).
var dataDirFiles = []string{"log", "log.lock", "broker.addr", "broker.addr.tmp"}

// sqliteHeader opens every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// checkDataDir runs before anything is opened or created: it checks the topic name and
// --db, and, on the embedded broker, that a reading command has a ledger to read. It
// reports whether a writing command is about to start a new ledger.
func checkDataDir(c *cli.Context) (fresh bool, err error) {
	dataDir := c.String("data-dir")
	if dataDir == "" {
		return false, usagef("--data-dir is empty")
	}
	if err := checkTopic("--topic", c.String("topic")); err != nil {
		return false, err
	}
	// --partitions, --replication-factor, --timeout: refused before anything is created.
	if _, err := logConfig(c); err != nil {
		return false, err
	}
	if c.String("db") != "" {
		if err := checkDBFlag(c.String("db"), dataDir); err != nil {
			return false, err
		}
	}
	if c.String("brokers") != "" {
		// The ledger is the cluster's topic; the data directory only caches it.
		return false, nil
	}
	exists, err := hasLedger(dataDir, dbPath(c))
	if err != nil || exists {
		return false, err
	}
	if !createsLedger[c.Command.Name] {
		return false, noLedgerError(dataDir)
	}
	return true, nil
}

// hasLedger reports whether dataDir holds the embedded broker's log or db exists.
func hasLedger(dataDir, db string) (bool, error) {
	for _, p := range []string{filepath.Join(dataDir, "log"), db} {
		if _, err := os.Stat(p); err == nil {
			return true, nil
		} else if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return false, fmt.Errorf("data directory %s: %w", dataDir, err)
		}
	}
	return false, nil
}

func noLedgerError(dataDir string) error {
	what := "it holds no log or read model"
	switch fi, err := os.Stat(dataDir); {
	case errors.Is(err, os.ErrNotExist):
		what = "the data directory does not exist"
	case err == nil && !fi.IsDir():
		what = "it is a file, not a directory"
	}
	return fmt.Errorf("%w at %s: %s; check --data-dir or STOCKCTL_DATA_DIR (sell, restock or import start a new ledger)",
		errNoLedger, dataDir, what)
}

// checkTopic applies Kafka's rules for topic names, which the embedded broker also uses
// as directory names in its log: a name such as ../../etc would leave the data directory.
func checkTopic(flag, topic string) error {
	valid := len(topic) >= 1 && len(topic) <= 249 && topic != "." && topic != ".."
	for i := 0; valid && i < len(topic); i++ {
		b := topic[i]
		valid = b == '.' || b == '_' || b == '-' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
	}
	if !valid {
		return usagef("%s %q: a Kafka topic name is 1 to 249 characters among a-z, A-Z, 0-9, '.', '_' and '-', other than \".\" and \"..\"", flag, topic)
	}
	return nil
}

// checkDBFlag refuses a --db that would turn another file into a read model: one of the
// data directory's own files or anything in the embedded log, or an existing file that
// is not a SQLite database.
func checkDBFlag(db, dataDir string) error {
	target := resolve(db)
	for _, name := range dataDirFiles {
		own := resolve(filepath.Join(dataDir, name))
		if name == "log" && (target == own || strings.HasPrefix(target, own+string(filepath.Separator))) {
			return usagef("--db %s is inside the embedded broker's log directory %s: give a file of its own, e.g. %s",
				db, filepath.Join(dataDir, name), filepath.Join(dataDir, "operations.db"))
		}
		if target == own {
			return usagef("--db %s is the data directory's %s file, not a read model: give a file of its own, e.g. %s",
				db, name, filepath.Join(dataDir, "operations.db"))
		}
	}
	fi, err := os.Stat(db)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--db %s: %w", db, err)
	}
	switch {
	case fi.IsDir():
		return usagef("--db %s is a directory: give the read model's file, e.g. %s", db, filepath.Join(db, "operations.db"))
	case !fi.Mode().IsRegular():
		return usagef("--db %s is not a regular file: give the read model's file", db)
	case strings.HasSuffix(db, ".lock") && fi.Size() == 0:
		return usagef("--db %s is a lock file, not a read model: give a file of its own", db)
	case fi.Size() == 0:
		return nil
	}
	f, err := os.Open(db)
	if err != nil {
		return fmt.Errorf("--db %s: %w", db, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, []byte(sqliteHeader)) {
		return usagef("--db %s is not a SQLite database: give a stockctl read model or a new file; nothing was written", db)
	}
	return nil
}

// resolve returns p absolute, with the symbolic links of its existing part followed, so
// that two names of one file compare equal.
func resolve(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	dir := filepath.Dir(abs)
	if dir == abs {
		return abs
	}
	return filepath.Join(resolve(dir), filepath.Base(abs))
}

// noteNewLedger tells, once, that a writing command started a ledger where none was.
func noteNewLedger(c *cli.Context, fresh bool) {
	if fresh && !c.Bool("quiet") {
		fmt.Fprintf(c.App.ErrWriter, "note: created a new ledger in %s\n", c.String("data-dir"))
	}
}
