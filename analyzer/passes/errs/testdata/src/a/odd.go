package a

import (
	"io"
	"os"
)

// Method expressions, func values of unknown origin and generics must not confuse the pass.
func oddCalls(w io.Writer, f *os.File, fns []func() error) {
	closeFn := (*os.File).Close
	closeFn(f) // want `error from closeFn\(\) is dropped`
	write := io.Writer.Write
	write(w, nil) // want `error from write\(\) is dropped`
	for _, fn := range fns {
		fn() // want `error from fn\(\) is dropped`
	}
}

func first[T any, E interface{ error }](xs []T, e E) (T, error) {
	var zero T
	if len(xs) == 0 {
		return zero, e
	}
	return xs[0], nil
}

var _, _ = first[int, *os.PathError](nil, nil)

func _() {}
