package a

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
)

// ---- err-dropped-cleanup: cleanup on failure paths ----

// putAtomic removes the temporary file when anything failed; the cleanup's errors do not matter.
func putAtomic(dir, name string, data []byte) (err error) {
	tmp, err := os.CreateTemp(dir, ".put-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()           // want `error from tmp.Close\(\) is dropped while cleaning up after a failure`
			os.Remove(tmp.Name()) // want `error from os.Remove\(\) is dropped while cleaning up after a failure`
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}

// writeJSON closes the file on the error paths and returns the first error.
func writeJSON(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		f.Close() // want `error from f.Close\(\) is dropped while cleaning up after a failure`
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		os.Remove(path) // want `error from os.Remove\(\) is dropped while cleaning up`
		return fmt.Errorf("flush %s: %w", path, err)
	}
	return f.Close()
}

// copyN fails on a short copy that is not an error value test: the block returns an error.
func copyN(dst string, src io.Reader, n int64) error {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	got, err := io.CopyN(f, src, n)
	if got < n {
		f.Close() // want `error from f.Close\(\) is dropped while cleaning up`
		return fmt.Errorf("short copy: %d of %d", got, n)
	}
	if err == nil {
		return f.Close()
	} else {
		f.Close() // the same callee in the same function: not repeated
	}
	return err
}

// appendLine closes the file in the else branch of a success test.
func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err = f.WriteString(line); err == nil {
		err = f.Sync()
	} else {
		f.Close() // want `error from f.Close\(\) is dropped while cleaning up`
		return err
	}
	return f.Close()
}

// dial closes the connection in a failing case and on panic.
func dial(addr string, hello []byte) (conn net.Conn, err error) {
	conn, err = net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			conn.Close() // want `error from conn.Close\(\) is dropped while cleaning up`
			panic(r)
		}
	}()
	_, err = conn.Write(hello)
	switch {
	case err != nil:
		conn.Close() // want `error from conn.Close\(\) is dropped while cleaning up`
		return nil, err
	}
	return conn, nil
}

// build removes its work directory unless it succeeded.
func build(args []string) (string, error) {
	dir, err := os.MkdirTemp("", "build")
	if err != nil {
		return "", err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(dir) // want `error from os.RemoveAll\(\) is dropped while cleaning up`
		}
	}()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		return "", err
	}
	if err := cmd.Wait(); err != nil {
		cmd.Process.Kill() // want `error from cmd.Process.Kill\(\) is dropped while cleaning up`
		return "", err
	}
	ok = true
	return dir, nil
}

// scratch closes and removes a temporary file it no longer wants, then goes on.
func scratch(dir string, probe []byte) bool {
	f, err := os.CreateTemp(dir, "probe")
	if err != nil {
		return false
	}
	_, werr := f.Write(probe)
	f.Close()           // want `error from f.Close\(\) is dropped while cleaning up`
	os.Remove(f.Name()) // want `error from os.Remove\(\) is dropped$`
	return werr == nil
}

// discard is a visible decision on a failure path: quiet.
func discard(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// ---- err-dropped stays: success paths and non-cleanup calls ----

// saveAll closes each file on the success path: a failed Close can lose the data.
func saveAll(dir string, files map[string][]byte) error {
	for name, data := range files {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			return errors.Join(err, f.Close())
		}
		f.Close() // want `error from f.Close\(\) is dropped \(f opened by os.Create for writing\)`
	}
	return nil
}

// logTo closes its file in a deferred function on every path, success included.
func logTo(path string, lines []string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer func() {
		f.Close() // want `error from f.Close\(\) is dropped \(f opened by os.OpenFile for writing\)`
	}()
	for _, l := range lines {
		if _, err := fmt.Fprintln(f, l); err != nil {
			return err
		}
	}
	return nil
}

// flushOnError drops a Flush, which is no cleanup, on a failure path.
func flushOnError(w *bufio.Writer, db *sql.DB, q string) error {
	if _, err := db.Exec(q); err != nil {
		w.Flush() // want `error from w.Flush\(\) is dropped$`
		return err
	}
	return nil
}

// closeWhenDone closes on success in a nested block that returns nil: not a failure path.
func closeWhenDone(f *os.File, last bool, data []byte) error {
	if _, err := f.Write(data); err != nil {
		return err
	}
	if last {
		f.Close() // want `error from f.Close\(\) is dropped$`
		return nil
	}
	return nil
}
