package a

import (
	"bufio"
	"compress/gzip"
	"database/sql"
	"io"
	"net"
	"os"
	"strings"
	"sync"
)

// countLines leaks the file when scanning fails.
func countLines(path string) (int, error) {
	f, err := os.Open(path) // want `f from os.Open is not closed on the path to the return at line \d+`
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	f.Close()
	return n, nil
}

// countLinesOK defers the close; defer before the error check is harmless for *os.File.
func countLinesOK(path string) (int, error) {
	f, err := os.Open(path)
	defer f.Close()
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}

// concatAll defers inside the loop and keeps every file open until it returns.
func concatAll(dst io.Writer, paths []string) error {
	for _, p := range paths {
		f, err := os.Open(p) // want `os.Open acquires a resource inside a loop`
		if err != nil {
			return err
		}
		defer f.Close() // want `defer f.Close\(\) inside a loop runs only when the function returns`
		if _, err := io.Copy(dst, f); err != nil {
			return err
		}
	}
	return nil
}

// concatAllOK scopes each file to a closure: quiet.
func concatAllOK(dst io.Writer, paths []string) error {
	for _, p := range paths {
		err := func() error {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(dst, f)
			return err
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// writeReport never flushes its buffered writer.
func writeReport(f *os.File, lines []string) error {
	w := bufio.NewWriter(f) // want `w from bufio.NewWriter is never flushed nor handed on`
	for _, l := range lines {
		if _, err := w.WriteString(l + "\n"); err != nil {
			return err
		}
	}
	return nil
}

// writeReportOK defers the flush: quiet.
func writeReportOK(f *os.File, lines []string) error {
	w := bufio.NewWriter(f)
	defer w.Flush()
	_, err := w.WriteString(strings.Join(lines, "\n"))
	return err
}

// compress skips Close on the error path, which loses nothing for an in-memory encoder: quiet.
func compress(dst io.Writer, data []byte) error {
	zw := gzip.NewWriter(dst)
	if _, err := zw.Write(data); err != nil {
		return err
	}
	return zw.Close()
}

type UserStore struct{ db *sql.DB }

// Names closes its rows but never checks rows.Err, and returns early on a scan error without closing.
func (s *UserStore) Names() ([]string, error) {
	rows, err := s.db.Query("SELECT name FROM users") // want `rows from s.db.Query is not closed on the path to the return at line \d+`
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() { // want `rows.Next loop without rows.Err\(\)`
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// NamesOK is the correct form.
func (s *UserStore) NamesOK() ([]string, error) {
	rows, err := s.db.Query("SELECT name FROM users")
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

// Count relies on Next closing the rows at the end: quiet for resource-leak.
func (s *UserStore) Count() (int, error) {
	rows, err := s.db.Query("SELECT 1 FROM users")
	if err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

type Pool struct {
	mu    sync.Mutex
	conns []net.Conn
}

// Dial stores the connection in the pool: quiet.
func (p *Pool) Dial(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conns = append(p.conns, c)
	return nil
}

// Probe defers Close before checking the error: c is a nil interface when Dial fails.
func Probe(addr string) error {
	c, err := net.Dial("tcp", addr)
	defer c.Close() // want `defer c.Close\(\) runs before err is checked`
	if err != nil {
		return err
	}
	_, err = c.Write([]byte("ping"))
	return err
}

// pipe never closes the reader: if consume stops early, the writing goroutine blocks forever.
func pipe(data []byte, consume func(io.Reader) error) error {
	pr, pw := io.Pipe() // want `pr from io.Pipe is never closed nor handed on`
	go func() {
		_, err := pw.Write(data)
		pw.CloseWithError(err)
	}()
	return consume(pr)
}

// openOrCreate: the first test of err is os.IsNotExist, true only on failure: quiet.
func openOrCreate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if os.IsNotExist(err) {
		return os.Create(path)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// spill closes a file opened later through a deferred cleanup declared first: quiet.
func spill(chunks [][]byte, limit int) (err error) {
	var f *os.File
	defer func() {
		if f != nil {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
	}()
	for i, c := range chunks {
		if i == limit {
			f, err = os.CreateTemp("", "spill") // want `os.CreateTemp acquires a resource inside a loop`
			if err != nil {
				return err
			}
		}
		if f != nil {
			if _, err := f.Write(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// rotate reopens the log but never closes the old file.
func rotate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0) // want `f from os.OpenFile is not closed on the path to the return at line \d+`
	if err != nil {
		return nil, err
	}
	if err := os.Rename(path, path+".1"); err != nil {
		return nil, err
	}
	f, err = os.Create(path)
	return f, err
}

// Generic helper and a function without a body must not confuse the pass.
func withFile[T any](path string, f func(*os.File) (T, error)) (T, error) {
	fh, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer fh.Close()
	return f(fh)
}

func stub(path string) (*os.File, error)
