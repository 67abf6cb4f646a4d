package a

import (
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
)

type Config struct{ Paths []string }

// readAll shadows err inside the loop: the check after the loop sees the outer, nil err.
func readAll(cfg Config) ([][]byte, error) {
	var err error
	var out [][]byte
	for _, p := range cfg.Paths {
		data, err := os.ReadFile(p) // want `err declared with := shadows the err of line \d+, which is read at line \d+ after this block`
		if err != nil {
			break
		}
		out = append(out, data)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readEach is correct: the inner err is handled inside, and the outer err is reassigned before it is
// read again; the if-header := is deliberate scoping.
func readEach(cfg Config) ([]byte, error) {
	head, err := os.ReadFile(cfg.Paths[0])
	if err != nil {
		return nil, err
	}
	for _, p := range cfg.Paths[1:] {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		head = append(head, data...)
	}
	if err := os.WriteFile("out", head, 0o644); err != nil {
		return nil, err
	}
	tail, err := os.ReadFile("tail")
	if err != nil {
		return nil, err
	}
	return append(head, tail...), nil
}

// listDir is correct: the outer err holds ReadDir's unchecked error, which the check after the inner
// loop is for; the inner err is skipped on purpose.
func listDir(d *os.File) ([]fs.FileInfo, error) {
	var list []fs.FileInfo
	for {
		dirs, err := d.ReadDir(100)
		for _, dir := range dirs {
			info, err := dir.Info()
			if err != nil {
				continue
			}
			list = append(list, info)
		}
		if err != nil {
			return list, err
		}
	}
}

// writeBoth loses the first write's error.
func writeBoth(w io.Writer, a, b []byte) error {
	_, err := w.Write(a)
	_, err = w.Write(b) // want `err assigned at line \d+ is overwritten before it is checked`
	return err
}

// writeBothChecked wraps the earlier error, which reads it: quiet.
func writeBothChecked(w io.Writer, a, b []byte) error {
	_, err := w.Write(a)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

var errNotFound = errors.New("not found")

type Repo struct{ db *sql.DB }

// Lookup swallows every query failure as "no user".
func (r *Repo) Lookup(id int) (*string, error) {
	var name string
	err := r.db.QueryRow("SELECT name FROM users WHERE id = ?", id).Scan(&name)
	if err != nil { // want `err is non-nil but the return at line \d+ gives a nil error; the failure is reported as success`
		return nil, nil
	}
	return &name, nil
}

// LookupOptional swallows on purpose and says so.
func (r *Repo) LookupOptional(id int) (*string, error) {
	var name string
	err := r.db.QueryRow("SELECT name FROM users WHERE id = ?", id).Scan(&name)
	if err != nil { // want `err is non-nil but the return at line \d+ gives a nil error \(the block logs or comments on it\)`
		log.Printf("lookup %d: %v", id, err)
		return nil, nil
	}
	return &name, nil
}

// LookupStrict is correct: only ErrNoRows becomes a nil result.
func (r *Repo) LookupStrict(id int) (*string, error) {
	var name string
	err := r.db.QueryRow("SELECT name FROM users WHERE id = ?", id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &name, nil
}

type result struct{ Err error }

// probe carries the error in another result: quiet.
func probe(path string) (result, error) {
	_, err := os.Stat(path)
	if err != nil {
		return result{Err: err}, nil
	}
	return result{}, nil
}

// walk skips unreadable entries, with a comment saying so.
func walk(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil { // want `err is non-nil but the return at line \d+ gives a nil error \(the block logs`
			// unreadable directories are skipped
			return nil
		}
		files = append(files, p)
		return nil
	})
	return files, err
}

// Generic code and method values must not confuse the pass.
type Pool[T any] struct{ items []T }

var errFull = errors.New("pool full")

func (p *Pool[T]) Put(x T) error {
	if len(p.items) >= 64 {
		return errFull
	}
	p.items = append(p.items, x)
	return nil
}

func fill[T any](p *Pool[T], xs []T) {
	put := p.Put
	for _, x := range xs {
		put(x) // want `error from put\(\) is dropped`
	}
	p.Put(xs[0]) // want `error from p.Put\(\) is dropped`
}

func stub() error
