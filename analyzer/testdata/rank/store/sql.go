package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Account is a row of the accounts table.
type Account struct {
	ID      int64
	Owner   string
	Balance int64
	Updated time.Time
}

// DB is the SQL side of the store.
type DB struct {
	db *sql.DB
}

// NewDB wraps an open database.
func NewDB(db *sql.DB) *DB { return &DB{db: db} }

// Accounts returns the accounts with the given IDs.
func (d *DB) Accounts(ctx context.Context, ids []int64) ([]Account, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	marks := make([]string, len(ids))
	for i, id := range ids {
		args[i] = id
		marks[i] = "?"
	}
	q := "SELECT id, owner, balance, updated FROM accounts WHERE id IN (" + strings.Join(marks, ",") + ") ORDER BY id"
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		if err := rows.Scan(&a.ID, &a.Owner, &a.Balance, &a.Updated); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AccountsOf returns the accounts of an owner.
func (d *DB) AccountsOf(ctx context.Context, owner string) ([]Account, error) {
	q := fmt.Sprintf("SELECT id, owner, balance, updated FROM accounts WHERE owner = '%s' ORDER BY id", owner)
	rows, err := d.db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		if err := rows.Scan(&a.ID, &a.Owner, &a.Balance, &a.Updated); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Recompute rebuilds the cached balance of each account from its ledger.
// It stops between accounts once ctx ends.
func (d *DB) Recompute(ctx context.Context, ids []int64) (int, error) {
	done := 0
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		_, err := d.db.ExecContext(context.Background(),
			"UPDATE accounts SET balance = (SELECT COALESCE(SUM(delta), 0) FROM ledger WHERE account = ?) WHERE id = ?", id, id)
		if err != nil {
			return done, fmt.Errorf("recompute %d: %w", id, err)
		}
		done++
	}
	return done, nil
}
