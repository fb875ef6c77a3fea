package readmodel

import "database/sql"

// RawDB gives a test the model's own connection pool, to change its schema (a trigger
// that fails a chosen row) even in a model built with exclusive locking.
func RawDB(d *DB) *sql.DB { return d.db }
