package a

import (
	"io"
	"os"
)

// Method expressions, closures and generics must not confuse the pass.
func oddOpen(path string, use func(io.Reader) error) error {
	open := os.Open
	f, err := open(path) // a func value: not recognised as an acquisition
	if err != nil {
		return err
	}
	closeFn := (*os.File).Close
	defer closeFn(f)
	return use(f)
}

func pick[R io.ReadCloser](rs []R) R { return rs[0] }

var opener = func(p string) (*os.File, error) { return os.Open(p) }

func _() {}
