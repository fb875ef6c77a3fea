package readmodel

import "database/sql"

// RawDB gives a test the model's own connection pool, to change its schema (a trigger
// that fails a chosen row) even in a model built with exclusive locking.
func RawDB(d *DB) *sql.DB { return d.db }

// CrashSwapBeforeRename makes Swap stop, with err, where a crash between the removal of
// the live model's write-ahead log and the rename would, until the test ends.
func CrashSwapBeforeRename(t interface{ Cleanup(func()) }, err error) {
	swapCrash = func() error { return err }
	t.Cleanup(func() { swapCrash = nil })
}
