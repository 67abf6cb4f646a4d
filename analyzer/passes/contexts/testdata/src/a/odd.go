package a

import (
	"context"
	"database/sql"
)

type getter interface {
	Get(ctx context.Context, k string) (string, error)
}

// Method expressions, interface method values and generic instantiation must not confuse the pass.
func methodExprs(ctx context.Context, db *sql.DB, gt getter) (string, error) {
	q := (*sql.DB).QueryContext
	rows, err := q(db, ctx, "SELECT 1")
	if err == nil {
		rows.Close()
	}
	get := getter.Get
	return get(gt, ctx, "k")
}

func apply[T any](ctx context.Context, f func(context.Context) T) T { return f(ctx) }

var applied = apply[int]

var hook = func(ctx context.Context) error { return ctx.Err() }

func _() {}
