package a

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os/exec"
	"time"
)

type Store struct{ db *sql.DB }

// ctx-variant buggy: the request context is at hand but the query ignores it.
func (s *Store) Names(ctx context.Context) ([]string, error) { // want `ctx is never used although Names blocks \(call to DB.Query at line \d+\)`
	rows, err := s.db.Query("SELECT name FROM users") // want `DB.Query ignores ctx in scope; use DB.QueryContext`
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ctx-variant correct: QueryContext is used.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n)
	return n, err
}

// ctx-variant correct: no context anywhere in scope, so the plain call is all the caller can do.
func (s *Store) Migrate() error {
	_, err := s.db.Exec("CREATE TABLE IF NOT EXISTS users (name TEXT)")
	return err
}

// ctx-variant buggy: an http.Get inside a handler.
func proxy(w http.ResponseWriter, r *http.Request) {
	resp, err := http.Get("http://backend/status") // want `http.Get ignores r.Context\(\) in scope; use http.NewRequestWithContext and Client.Do`
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var v map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&v)
}

// ctx-background buggy: the handler's request context is replaced, so a client hang-up never stops
// the command.
func convert(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // want `context.WithTimeout derives a context` `context.Background\(\) drops the cancellation of r.Context\(\) in scope`
	defer cancel()
	out, err := exec.CommandContext(ctx, "convert", r.URL.Query().Get("f")).Output()
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Write(out)
}

// ctx-background correct: the server has been told to stop; shutting down needs a fresh deadline
// because ctx is already done.
func serve(ctx context.Context, srv *http.Server) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // want `context.WithTimeout derives a context`
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// ctx-background correct: no context in scope.
func main() {
	ctx, cancel := context.WithCancel(context.Background()) // want `context.WithCancel derives a context`
	defer cancel()
	_ = serve(ctx, &http.Server{Addr: ":8080"})
}

// ctx-variant buggy: exec.Command has CommandContext.
func thumbnail(ctx context.Context, path string) error { // want `ctx is never used although thumbnail blocks`
	return exec.Command("convert", path, path+".png").Run() // want `exec.Command ignores ctx in scope; use exec.CommandContext`
}
