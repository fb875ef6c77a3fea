package readmodel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Finish completes a model made with Create: it builds the deferred indexes, switches the
// file to write-ahead logging like a live model, closes it and syncs it to disk.
func (d *DB) Finish(ctx context.Context) error {
	if d.bulk != nil {
		if err := d.bulk.write(ctx, d.db); err != nil {
			return fmt.Errorf("finish: %w", err)
		}
		if err := d.lines.write(ctx, d.db); err != nil {
			return fmt.Errorf("finish: %w", err)
		}
		if err := d.places.write(ctx, d.db); err != nil {
			return fmt.Errorf("finish: %w", err)
		}
		d.bulk, d.lines, d.places = nil, nil, nil
	}
	if err := d.migrate(ctx, nil); err != nil {
		return fmt.Errorf("finish: %w", err)
	}
	if _, err := d.db.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err != nil {
		return fmt.Errorf("finish: %w", err)
	}
	if err := d.db.Close(); err != nil {
		return fmt.Errorf("finish: %w", err)
	}
	return syncFile(d.path)
}

// ErrInUse means other stockctl processes kept the read model open.
var ErrInUse = errors.New("read model in use")

// BuildPath returns where a replay builds the model that will replace the one at live.
func BuildPath(live string) string { return live + ".replay" }

// Build is the claim of one process on a build file beside the live model: two replays
// sharing one file would each delete or rename the other's unfinished work.
type Build struct {
	// Path is where the claimant builds.
	Path  string
	owner *os.File
}

// ClaimBuild takes the build file at path for this process, what naming the command
// ("replay", "verify") for the message, and removes whatever an interrupted build left
// there: whoever left it is gone, since the claim is a flock the kernel releases when its
// holder dies. While another live process holds the claim it fails with ErrInUse and
// touches nothing.
func ClaimBuild(path, what string) (*Build, error) {
	f, err := os.OpenFile(path+".owner", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("claim %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: another stockctl %s is already building %s", ErrInUse, what, path)
		}
		return nil, fmt.Errorf("claim %s: %w", path, err)
	}
	if err := RemoveBuild(path); err != nil {
		f.Close()
		return nil, err
	}
	return &Build{Path: path, owner: f}, nil
}

// Release gives the claim up. The owner file stays: removing it would let two
// processes lock two different files of one name.
func (b *Build) Release() error { return b.owner.Close() }

// RemoveBuild deletes what an interrupted build left at path.
func RemoveBuild(path string) error {
	var errs []error
	for _, p := range []string{path, path + "-journal", path + "-wal", path + "-shm", path + ".lock"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Swap replaces the live model with the finished one at built, atomically: a process
// opening live sees either the old file or the new one. It waits up to wait for the
// stockctl processes that have the live model open to close it. The live model's notified
// watermarks are carried into the new one (see carryNotified).
func Swap(ctx context.Context, built, live string, wait time.Duration) error {
	lock, err := lockFile(live, syscall.LOCK_EX, wait)
	if err != nil {
		return err
	}
	defer lock.Close()
	// Interrupted before this point, the live model stays: nothing was decided yet.
	if err := ctx.Err(); err != nil {
		return err
	}
	// Under the exclusive lock, so no notifier advances the live watermarks after the copy.
	if err := carryNotified(ctx, built, live); err != nil {
		return fmt.Errorf("swap: %w", err)
	}
	if err := foldLog(ctx, live); err != nil {
		return fmt.Errorf("swap: %w", err)
	}
	for _, p := range []string{live + "-wal", live + "-shm"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("swap: %w", err)
		}
	}
	if swapCrash != nil {
		if err := swapCrash(); err != nil {
			return err
		}
	}
	if err := os.Rename(built, live); err != nil {
		return fmt.Errorf("swap: %w", err)
	}
	return syncDir(filepath.Dir(live))
}

// foldLog folds the live model's write-ahead log into its file, so that removing the log
// before the rename loses nothing the old file needs should we stop in between. A log that
// cannot be folded is kept, and so is the model: its last operations may be there only. A
// program other than stockctl reading the model (the sqlite3 shell, a backup) takes no
// lock Swap waits for, but it stops the fold.
func foldLog(ctx context.Context, live string) error {
	wal := live + "-wal"
	if fi, err := os.Stat(wal); os.IsNotExist(err) || (err == nil && fi.Size() == 0) {
		return nil
	}
	old, err := openNoLock(ctx, live)
	if errors.Is(err, ErrUnreadable) {
		return nil // a damaged file: its log has nothing it could be read with
	}
	if err != nil {
		return err
	}
	defer old.db.Close()
	var busy, frames, folded int
	err = old.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &folded)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// A reader at the latest snapshot keeps the log from being truncated, not from being
	// folded: every frame in the file is all Swap needs.
	if err == nil && busy != 0 && (frames < 0 || folded < frames) {
		err = errors.New("another program is reading it")
	}
	if err != nil {
		return fmt.Errorf("%w: the write-ahead log %s could not be folded into the read model (%v); the model was left as it was: close the programs that have %s open (a sqlite3 shell, a backup) and run the command again",
			ErrInUse, wal, err, live)
	}
	return nil
}

// swapCrash, set only by tests, runs between the removal of the live model's write-ahead
// log and the rename; its error stops Swap there, as a crash would.
var swapCrash func() error

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// lockFile takes a flock on path's companion lock file, retrying until wait has passed.
// Every stockctl process holds a shared lock while it has the read model open; a swap
// takes the exclusive lock.
func lockFile(path string, how int, wait time.Duration) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock read model: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock read model: %w", err)
		}
		if time.Now().After(deadline) {
			f.Close()
			what := "is being replaced by stockctl replay"
			if how == syscall.LOCK_EX {
				what = "is open in another stockctl process (a running `stockctl project --follow`?); stop it and retry"
			}
			return nil, fmt.Errorf("%w: %s %s", ErrInUse, path, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
