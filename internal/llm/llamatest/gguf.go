package llamatest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// GGUF version 3, as ggml/include/gguf.h of llama.cpp defines it: a header
// (magic, version, tensor count, metadata count), the metadata as typed
// key-value pairs, the tensor infos (name, dimensions, type, offset), then
// the tensor data, each tensor aligned to 32 bytes from the start of the
// data section, which itself starts on a multiple of 32. Little-endian
// throughout; strings are a uint64 length and the bytes.
const (
	ggufMagic     = "GGUF"
	ggufVersion   = 3
	ggufAlignment = 32
)

// The value types of GGUF metadata (enum gguf_type).
const (
	ggufUint32  = 4
	ggufInt32   = 5
	ggufFloat32 = 6
	ggufBool    = 7
	ggufString  = 8
	ggufArray   = 9
)

// ggmlF32 is ggml_type GGML_TYPE_F32, the only tensor type written here.
const ggmlF32 = 0

// gguf is a GGUF file being assembled: metadata in the order added, then
// f32 tensors.
type gguf struct {
	kvs     []kv
	tensors []tensor
}

type kv struct {
	key string
	val any // uint32, int32, float32, bool, string, []string, []float32, []int32
}

type tensor struct {
	name string
	dims []uint64 // ne0 first: the length of a row, then the number of rows
	data []float32
}

func (g *gguf) set(key string, val any) { g.kvs = append(g.kvs, kv{key, val}) }

func (g *gguf) add(name string, data []float32, dims ...int) {
	n := 1
	d := make([]uint64, len(dims))
	for i, x := range dims {
		n *= x
		d[i] = uint64(x)
	}
	if n != len(data) {
		panic(fmt.Sprintf("gguf: tensor %s has %d values, dims %v want %d", name, len(data), dims, n))
	}
	g.tensors = append(g.tensors, tensor{name, d, data})
}

// writeTo writes the file to w.
func (g *gguf) writeTo(w io.Writer) error {
	e := &encoder{w: bufio.NewWriterSize(w, 1<<16)}
	e.raw([]byte(ggufMagic))
	e.u32(ggufVersion)
	e.u64(uint64(len(g.tensors)))
	e.u64(uint64(len(g.kvs)))
	for _, p := range g.kvs {
		e.str(p.key)
		e.value(p.key, p.val)
	}
	var offset uint64
	for _, t := range g.tensors {
		e.str(t.name)
		e.u32(uint32(len(t.dims)))
		for _, d := range t.dims {
			e.u64(d)
		}
		e.u32(ggmlF32)
		e.u64(offset)
		offset = align(offset + 4*uint64(len(t.data)))
	}
	e.pad()
	for _, t := range g.tensors {
		for _, f := range t.data {
			e.u32(math.Float32bits(f))
		}
		e.pad()
	}
	if e.err != nil {
		return e.err
	}
	return e.w.Flush()
}

func align(n uint64) uint64 { return (n + ggufAlignment - 1) / ggufAlignment * ggufAlignment }

// encoder writes little-endian values and remembers the first error.
type encoder struct {
	w   *bufio.Writer
	n   uint64 // bytes written
	err error
	buf [8]byte
}

func (e *encoder) raw(b []byte) {
	if e.err != nil {
		return
	}
	_, e.err = e.w.Write(b)
	e.n += uint64(len(b))
}

func (e *encoder) u32(v uint32) {
	binary.LittleEndian.PutUint32(e.buf[:4], v)
	e.raw(e.buf[:4])
}

func (e *encoder) u64(v uint64) {
	binary.LittleEndian.PutUint64(e.buf[:8], v)
	e.raw(e.buf[:8])
}

func (e *encoder) str(s string) {
	e.u64(uint64(len(s)))
	e.raw([]byte(s))
}

func (e *encoder) pad() {
	for e.n%ggufAlignment != 0 {
		e.raw([]byte{0})
	}
}

func (e *encoder) value(key string, v any) {
	switch v := v.(type) {
	case uint32:
		e.u32(ggufUint32)
		e.u32(v)
	case int32:
		e.u32(ggufInt32)
		e.u32(uint32(v))
	case float32:
		e.u32(ggufFloat32)
		e.u32(math.Float32bits(v))
	case bool:
		e.u32(ggufBool)
		b := byte(0)
		if v {
			b = 1
		}
		e.raw([]byte{b})
	case string:
		e.u32(ggufString)
		e.str(v)
	case []string:
		array(e, ggufString, v, e.str)
	case []float32:
		array(e, ggufFloat32, v, func(f float32) { e.u32(math.Float32bits(f)) })
	case []int32:
		array(e, ggufInt32, v, func(x int32) { e.u32(uint32(x)) })
	default:
		panic(fmt.Sprintf("gguf: metadata %s has unsupported type %T", key, v))
	}
}

// array writes a metadata array: its element type, its length, then each
// element by put.
func array[T any](e *encoder, typ uint32, v []T, put func(T)) {
	e.u32(ggufArray)
	e.u32(typ)
	e.u64(uint64(len(v)))
	for _, x := range v {
		put(x)
	}
}
