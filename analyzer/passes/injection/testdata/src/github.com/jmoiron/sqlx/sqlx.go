// Package sqlx is a stub of github.com/jmoiron/sqlx for tests.
package sqlx

type DB struct{}

func (db *DB) Get(dest any, query string, args ...any) error    { return nil }
func (db *DB) Select(dest any, query string, args ...any) error { return nil }
