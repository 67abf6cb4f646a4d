//go:build go1.22

package a

import (
	"context"
	"database/sql"
	"time"
)

// With go1.22 a ticker that is not stopped ticks forever.
func Heartbeat(ctx context.Context, every time.Duration, beat func()) {
	hb := time.NewTicker(every) // want `ticker hb is never stopped: before Go 1.23 a ticker that is not stopped is never collected and ticks forever`
	for {
		select {
		case <-ctx.Done():
			return
		case <-hb.C:
			beat()
		}
	}
}

func HeartbeatStopped(ctx context.Context, every time.Duration, beat func()) {
	hb := time.NewTicker(every)
	defer hb.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hb.C:
			beat()
		}
	}
}

// Returns inside the rows.Next loop leave the rows open.
func Totals(db *sql.DB) (map[string]int, error) {
	rows, err := db.Query("SELECT name, total FROM orders")
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for rows.Next() {
		var name string
		var total int
		if err := rows.Scan(&name, &total); err != nil {
			return nil, err // want `return leaves rows rows open: it is closed on other paths`
		}
		out[name] = total
	}
	rows.Close()
	return out, rows.Err()
}
