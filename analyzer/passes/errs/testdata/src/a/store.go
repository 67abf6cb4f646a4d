package a

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
)

type Record struct {
	ID   int
	Name string
}

// SaveJSON drops the errors that tell whether the data reached the disk.
func SaveJSON(path string, recs []Record) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	json.NewEncoder(w).Encode(recs) // want `error from json.NewEncoder\(w\).Encode\(\) is dropped`
	w.Flush()                       // want `error from w.Flush\(\) is dropped`
	f.Close()                       // want `error from f.Close\(\) is dropped \(f opened by os.Create for writing\)`
	return nil
}

// SaveJSONChecked is the correct form: every error reaches the caller.
func SaveJSONChecked(path string, recs []Record) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriter(f)
	if err := json.NewEncoder(w).Encode(recs); err != nil {
		return err
	}
	return w.Flush()
}

// Load reads a file: closing a reader, printing and hashing ignore errors by convention.
func Load(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f)
	f.Close() // opened for reading: quiet
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write(data)
	var buf bytes.Buffer
	buf.WriteString("loaded ")
	var sb strings.Builder
	sb.WriteString(path)
	fmt.Println(buf.String(), sb.String(), h.Sum(nil))
	var recs []Record
	if err := json.Unmarshal(data, &recs); err != nil {
		return nil, err
	}
	return recs, nil
}

func compress(dst io.Writer, data []byte) {
	zw := gzip.NewWriter(dst)
	zw.Write(data) // want `error from zw.Write\(\) is dropped`
	zw.Close()     // want `error from zw.Close\(\) is dropped \(closing a writer flushes it\)`
}

func fetch(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return b, err
}

func handler(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n")) // want `error from strconv.Atoi\(\) is discarded with _`
	w.Write([]byte(strconv.Itoa(n * 2)))
	_ = r.Body.Close()
	fmt.Fprintf(w, "done")
	json.NewEncoder(w).Encode(n)
	io.Copy(io.Discard, r.Body)
}

func shutdown(c io.Closer, w *bufio.Writer) {
	_ = c.Close() // a visible decision: quiet
	_ = w.Flush() // want `error from w.Flush\(\) is discarded with _`
}

func transfer(db *sql.DB, from, to, amount int) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	tx.Exec("UPDATE accounts SET balance = balance - ? WHERE id = ?", amount, from) // want `error from tx.Exec\(\) is dropped`
	tx.Exec("UPDATE accounts SET balance = balance + ? WHERE id = ?", amount, to)   // same callee in the same function: not repeated
	return tx.Commit()
}

func closeConn(c io.Closer) {
	c.Close() // want `error from c.Close\(\) is dropped`
}

// stickyWriter keeps the first error; its Write never returns one, so dropping it is fine.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err == nil {
		_, s.err = s.w.Write(p)
	}
	return len(p), nil
}

func writeHeader(s *stickyWriter, name string) error {
	s.Write([]byte("name: "))
	s.Write([]byte(name))
	return s.err
}

func cleanup(dir string) {
	os.RemoveAll(dir) // want `error from os.RemoveAll\(\) is dropped`
	log.Printf("removed %s", dir)
}
