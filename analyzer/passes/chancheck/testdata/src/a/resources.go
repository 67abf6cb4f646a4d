package a

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"
)

// ---- resource-not-closed ----

func Status(url string) (int, error) {
	resp, err := http.Get(url) // want `response body resp.Body is never closed nor read to its end: the connection is neither reused nor freed`
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

func Decode(c *http.Client, req *http.Request, v any) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status) // want `return leaves response body resp\.Body open: it is closed on other paths \(line 35\), not on this one`
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func DecodeOK(c *http.Client, req *http.Request, v any) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// Returning the response hands it on.
func Get(url string) (*http.Response, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// A helper that may close it.
func FetchAndDrain(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	return drain(resp)
}

func drain(resp *http.Response) error {
	defer resp.Body.Close()
	_, err := io.Copy(io.Discard, resp.Body)
	return err
}

func CountLines(path string) (int, error) {
	f, err := os.Open(path) // want `file f is never closed: the descriptor leaks`
	if err != nil {
		return 0, err
	}
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}

func CountLinesOK(path string) (int, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}

// Closed in a deferred closure that checks the error: fine.
func Write(path string, data []byte) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	_, err = f.Write(data)
	return err
}

// Stored in a struct: its owner closes it.
type Log struct{ f *os.File }

func OpenLog(path string) (*Log, error) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &Log{f: f}, nil
}

func Names(db *sql.DB) ([]string, error) {
	rows, err := db.Query("SELECT name FROM users") // want `rows rows is never closed nor read to its end: its connection stays busy`
	if err != nil {
		return nil, err
	}
	var name string
	rows.Scan(&name)
	return []string{name}, nil
}

// A finished rows.Next loop closes the rows; a return from its body does not.
func AllNames(db *sql.DB) ([]string, error) {
	rows, err := db.Query("SELECT name FROM users")
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err // want `return leaves rows rows open: it is closed on other paths \(line 148\), not on this one`
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

func AllNamesOK(db *sql.DB) ([]string, error) {
	rows, err := db.Query("SELECT name FROM users")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// Only a finished loop: fine.
func CountRows(db *sql.DB) (int, error) {
	rows, err := db.Query("SELECT 1 FROM users")
	if err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// ---- defer-in-loop ----

func Concat(paths []string, w io.Writer) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close() // want `defer f\.Close\(\) inside the loop at line 191 runs only when the function returns: every turn's f stays open until then`
		if _, err := io.Copy(w, f); err != nil {
			return err
		}
	}
	return nil
}

// The same with a closure per turn: fine.
func ConcatOK(paths []string, w io.Writer) error {
	for _, p := range paths {
		err := func() error {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(w, f)
			return err
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// The first that opens wins: the loop runs the defer once.
func FirstReadable(paths []string) ([]byte, error) {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		defer f.Close()
		return io.ReadAll(f)
	}
	return nil, errors.New("none readable")
}

type Counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *Counter) AddAll(keys []string) {
	for _, k := range keys {
		c.mu.Lock()
		defer c.mu.Unlock() // want `defer c\.mu\.Unlock\(\) inside the loop at line 242 runs only when the function returns: the Lock at line 243 is still held on the next turn, which blocks forever`
		c.n[k]++
	}
}

func PollAll(ctx context.Context, urls []string, get func(context.Context, string) error) {
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel() // want `defer cancel\(\) inside the loop at line 250 runs only when the function returns: every turn's context and its timer live until then`
		_ = get(ctx, u)
	}
}

// Closing something acquired before the loop: not this shape.
func Once(f *os.File, items []string) {
	for range items {
		defer f.Close()
	}
}

// Reading the body to its end frees the connection.
func ReadAllBody(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(resp.Body)
}

// A response to HEAD has no body to close.
func Exists(url string) bool {
	resp, err := http.Head(url)
	return err == nil && resp.StatusCode == http.StatusOK
}

// Closed when not nil: the nil branch holds nothing.
func MaybeClose(c *http.Client, req *http.Request, insecure bool) bool {
	resp, err := c.Do(req)
	if (err == nil) != insecure {
		fmt.Println("unexpected error:", err)
	}
	if resp != nil {
		resp.Body.Close()
	}
	return true
}

// A test of a failing call: the response is only compared with nil.
func MustFail(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err == nil || resp != nil {
		return errors.New("want an error and no response")
	}
	return nil
}
