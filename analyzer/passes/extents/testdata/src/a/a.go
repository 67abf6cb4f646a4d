package a

import (
	"bufio"
	"io"
	"net/http"
	"os"
)

type header struct{ count, size int }

func readEntries(r io.Reader, h header) ([][]byte, error) {
	entries := make([][]byte, 0, h.count) // want `make\(\[\]\[\]byte, 0, h.count\) is sized by h.count, which is neither a constant nor a length`
	for {                                 // want `for loop with no condition: it ends only where its body leaves it`
		e := make([]byte, h.size) // want `make\(\[\]byte, h.size\) is sized by h.size`
		if _, err := io.ReadFull(r, e); err != nil {
			return entries, err
		}
		entries = append(entries, e)
	}
}

func body(resp *http.Response) ([]byte, error) {
	return io.ReadAll(resp.Body) // want `io.ReadAll reads resp.Body until it ends`
}

func lines(f *os.File) int {
	sc := bufio.NewScanner(f) // want `bufio.NewScanner reads f until it ends`
	n := 0
	for sc.Scan() {
		n++
	}
	return n
}

func save(w io.Writer, r io.Reader) error {
	_, err := io.Copy(w, r) // want `io.Copy reads r until it ends`
	return err
}
