package a

import (
	"errors"
	"io"
	"reflect"
	"unsafe"
)

// ---- unsafe-pointer / uintptr-to-pointer / pointer-in-uintptr ----

type header struct {
	len  int
	data [8]byte
}

// Use: a zero-copy string view.
func bytesToString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b)) // want `unsafe.String builds a value the compiler cannot check`
}

// Buggy: the address is kept as a uintptr across statements.
func fieldAt(h *header, i int) *byte {
	base := uintptr(unsafe.Pointer(h)) // want `uintptr\(unsafe.Pointer\(h\)\) is stored as a uintptr`
	addr := base + unsafe.Offsetof(h.data) + uintptr(i)
	return (*byte)(unsafe.Pointer(addr)) // want `unsafe.Pointer\(addr\) turns a uintptr computed earlier back into a pointer` `\(\*byte\)\(unsafe.Pointer\(addr\)\) converts through unsafe.Pointer`
}

// Correct: arithmetic within one expression, or unsafe.Add.
func fieldAtOK(h *header, i int) *byte {
	p := unsafe.Pointer(uintptr(unsafe.Pointer(h)) + unsafe.Offsetof(h.data) + uintptr(i)) // want `converts through unsafe.Pointer`
	_ = p
	return (*byte)(unsafe.Add(unsafe.Pointer(&h.data), i)) // want `\(\*byte\)\(unsafe.Add\(unsafe.Pointer\(&h.data\), i\)\) converts through unsafe.Pointer`
}

// Correct: reflect.Value.Pointer converted at once; Sizeof is a compile-time constant.
func sameBacking(a, b []int) bool {
	pa := unsafe.Pointer(reflect.ValueOf(a).Pointer())                       // want `converts through unsafe.Pointer`
	return pa == unsafe.Pointer(unsafe.SliceData(b)) && unsafe.Sizeof(a) > 0 // want `unsafe.Pointer\(unsafe.SliceData\(b\)\) converts`
}

// ---- reflect-value / reflect-elem-nonptr ----

// Use: walks exported fields.
func fieldNames(v any) []string {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem() // want `reflect.Value.Elem on rv panics on the wrong kind`
	}
	var out []string
	for i := 0; i < rv.NumField(); i++ {
		out = append(out, rv.Type().Field(i).Name)
		_ = rv.Field(i).Interface() // want `reflect.Value.Interface on rv.Field\(i\) panics on the wrong kind`
	}
	return out
}

// Buggy: a struct passed by value panics in Elem.
func setName(dst any, name string) {
	v := reflect.ValueOf(dst).Elem() // want `reflect.ValueOf\(dst\).Elem\(\) panics unless dst \(any\) holds a pointer; no Kind check before it`
	f := v.FieldByName("Name")       // want `reflect.Value.FieldByName on v`
	f.SetString(name)                // want `reflect.Value.SetString on f`
}

// Correct: statically a pointer.
func reset(p *header) {
	reflect.ValueOf(p).Elem().Set(reflect.Zero(reflect.TypeOf(*p))) // want `reflect.Value.Set on reflect.ValueOf\(p\).Elem\(\)`
}

// ---- deepequal-suspect ----

type handler struct {
	name string
	fn   func() error
}

var errClosed = errors.New("closed")

// Buggy: errors and funcs compared deeply.
func sameFailure(a, b error, h1, h2 handler) bool {
	if reflect.DeepEqual(h1, h2) { // want `reflect.DeepEqual on h1 \(a.handler\): field fn is a func`
		return true
	}
	return reflect.DeepEqual(a, b) // want `reflect.DeepEqual on a \(error\): errors compare by internals; use errors.Is`
}

// Correct: plain data compared deeply, errors with errors.Is.
func sameConfig(a, b map[string][]string, err error) bool {
	return reflect.DeepEqual(a, b) && errors.Is(err, io.EOF) && !errors.Is(err, errClosed)
}

// Odd code must not panic the pass.
func generic[T any](x T) T {
	v := reflect.ValueOf(x)
	_ = v
	return x
}

var global = uintptr(unsafe.Pointer(&errClosed)) // want `is stored as a uintptr`

func asm(p unsafe.Pointer) uintptr
