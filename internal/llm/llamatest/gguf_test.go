package llamatest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// readGGUF parses a GGUF v3 file independently of the writer, as
// llama.cpp's gguf_init_from_file does, checking the alignment of every
// tensor.
func readGGUF(t *testing.T, data []byte) (map[string]any, map[string]readTensor) {
	t.Helper()
	r := bytes.NewReader(data)
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("offset %d: %s", len(data)-r.Len(), fmt.Sprintf(format, args...))
	}
	u32 := func() uint32 {
		var v uint32
		if err := binary.Read(r, binary.LittleEndian, &v); err != nil {
			fail("%v", err)
		}
		return v
	}
	u64 := func() uint64 {
		var v uint64
		if err := binary.Read(r, binary.LittleEndian, &v); err != nil {
			fail("%v", err)
		}
		return v
	}
	str := func() string {
		n := u64()
		if n > uint64(r.Len()) {
			fail("string of %d bytes past the end", n)
		}
		b := make([]byte, n)
		io.ReadFull(r, b)
		return string(b)
	}
	var scalar func(typ uint32) any
	scalar = func(typ uint32) any {
		switch typ {
		case ggufUint32:
			return u32()
		case ggufInt32:
			return int32(u32())
		case ggufFloat32:
			return math.Float32frombits(u32())
		case ggufBool:
			b, _ := r.ReadByte()
			if b > 1 {
				fail("bool %d", b)
			}
			return b == 1
		case ggufString:
			return str()
		}
		fail("unexpected type %d", typ)
		return nil
	}

	magic := make([]byte, 4)
	io.ReadFull(r, magic)
	if string(magic) != "GGUF" {
		t.Fatalf("magic %q", magic)
	}
	if v := u32(); v != 3 {
		t.Fatalf("version %d", v)
	}
	nt, nkv := u64(), u64()
	kvs := make(map[string]any)
	for i := uint64(0); i < nkv; i++ {
		key := str()
		if _, dup := kvs[key]; dup {
			fail("key %s twice", key)
		}
		typ := u32()
		if typ != ggufArray {
			kvs[key] = scalar(typ)
			continue
		}
		et, n := u32(), u64()
		var arr []any
		for j := uint64(0); j < n; j++ {
			arr = append(arr, scalar(et))
		}
		kvs[key] = arr
	}
	type info struct {
		name   string
		dims   []uint64
		offset uint64
	}
	var infos []info
	for i := uint64(0); i < nt; i++ {
		in := info{name: str()}
		nd := u32()
		for j := uint32(0); j < nd; j++ {
			in.dims = append(in.dims, u64())
		}
		if typ := u32(); typ != ggmlF32 {
			fail("tensor %s of type %d", in.name, typ)
		}
		in.offset = u64()
		if in.offset%ggufAlignment != 0 {
			fail("tensor %s at unaligned offset %d", in.name, in.offset)
		}
		infos = append(infos, in)
	}
	start := align(uint64(len(data) - r.Len()))
	tensors := make(map[string]readTensor)
	end := start
	for _, in := range infos {
		n := uint64(1)
		for _, d := range in.dims {
			n *= d
		}
		lo, hi := start+in.offset, start+in.offset+4*n
		if hi > uint64(len(data)) {
			t.Fatalf("tensor %s [%d, %d) past the end %d", in.name, lo, hi, len(data))
		}
		if lo < end {
			t.Fatalf("tensor %s at %d overlaps the one before, which ends at %d", in.name, lo, end)
		}
		end = hi
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[lo+4*uint64(i):]))
		}
		tensors[in.name] = readTensor{in.dims, vals}
	}
	return kvs, tensors
}

type readTensor struct {
	dims []uint64
	data []float32
}

func writeModel(t *testing.T, m Model) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := m.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestModelFile(t *testing.T) {
	data := writeModel(t, Model{Seed: 1})
	kvs, tensors := readGGUF(t, data)

	for key, want := range map[string]any{
		"general.architecture":         "llama",
		"llama.embedding_length":       uint32(64),
		"llama.block_count":            uint32(2),
		"llama.attention.head_count":   uint32(4),
		"llama.rope.dimension_count":   uint32(16),
		"tokenizer.ggml.model":         "llama",
		"tokenizer.ggml.eos_token_id":  uint32(eosID),
		"tokenizer.ggml.add_bos_token": false,
		"tokenizer.chat_template":      ChatTemplate,
	} {
		if got := kvs[key]; got != want {
			t.Errorf("%s = %#v, want %#v", key, got, want)
		}
	}
	tokens, _ := kvs["tokenizer.ggml.tokens"].([]any)
	types, _ := kvs["tokenizer.ggml.token_type"].([]any)
	if len(tokens) != 356 || len(types) != len(tokens) {
		t.Fatalf("%d tokens, %d types; want 356 of each", len(tokens), len(types))
	}
	// Every byte has its token, so any text tokenizes; JSON punctuation
	// has a token of its own.
	for b := 0; b < 256; b++ {
		want := fmt.Sprintf("<0x%02X>", b)
		if tokens[firstByte+b] != want || types[firstByte+b] != int32(tokByte) {
			t.Errorf("token %d = %v (type %v), want byte token %s", firstByte+b, tokens[firstByte+b], types[firstByte+b], want)
		}
	}
	for _, p := range []string{"{", "}", "[", "]", `"`, ",", ":", "▁"} {
		if !slices.Contains(tokens, any(p)) {
			t.Errorf("no token %q", p)
		}
	}
	if tokens[eosID] != "<|im_end|>" {
		t.Errorf("EOS is %v, want <|im_end|>, which ends ChatML's turns", tokens[eosID])
	}

	params := 0
	for _, tn := range tensors {
		params += len(tn.data)
	}
	if want := (Model{}).Params(); params != want || params != 127808 {
		t.Errorf("%d weights in the file, Params says %d, want 127808", params, want)
	}
	if len(tensors) != 2*9+3 {
		t.Errorf("%d tensors, want 21", len(tensors))
	}

	// The bias dimension: constant in every embedding, never written by a
	// block, read by the output matrix as a bias.
	const d, c = 64, 0
	emb := tensors["token_embd.weight"]
	if !slices.Equal(emb.dims, []uint64{d, 356}) {
		t.Fatalf("token_embd dims %v", emb.dims)
	}
	for tok := 0; tok < 356; tok++ {
		if emb.data[tok*d+c] != emb.data[c] {
			t.Fatalf("token %d embeds %v in the bias dimension, token 0 %v", tok, emb.data[tok*d+c], emb.data[c])
		}
	}
	for l := 0; l < 2; l++ {
		for name, in := range map[string]int{"attn_output": d, "ffn_down": 128} {
			w := tensors[fmt.Sprintf("blk.%d.%s.weight", l, name)]
			for _, v := range w.data[c*in : (c+1)*in] {
				if v != 0 {
					t.Fatalf("blk.%d.%s writes the bias dimension", l, name)
				}
			}
			if w.data[(c+1)*in] == 0 {
				t.Errorf("blk.%d.%s: the next row is zero too", l, name)
			}
		}
	}
	out := tensors["output.weight"]
	logit := func(tok string) float32 { return out.data[slices.Index(tokens, any(tok))*d+c] }
	if !(logit(`"`) > 0 && logit("}") > 0 && logit("a") == 0 && logit("<0xFF>") < 0 && logit("<s>") < 0) {
		t.Errorf(`bias column: " %v, } %v, a %v, <0xFF> %v, <s> %v; want positive, positive, 0, negative, negative`,
			logit(`"`), logit("}"), logit("a"), logit("<0xFF>"), logit("<s>"))
	}
}

func TestModelSeed(t *testing.T) {
	a, b, c := writeModel(t, Model{Seed: 1}), writeModel(t, Model{Seed: 1}), writeModel(t, Model{Seed: 2})
	if !bytes.Equal(a, b) {
		t.Error("the same seed wrote different files")
	}
	if bytes.Equal(a, c) || len(a) != len(c) {
		t.Errorf("seeds 1 and 2: equal %v, sizes %d and %d; want different weights of one size", bytes.Equal(a, c), len(a), len(c))
	}
	kvs, _ := readGGUF(t, writeModel(t, Model{Seed: 1, NoChatTemplate: true}))
	if _, ok := kvs["tokenizer.chat_template"]; ok {
		t.Error("NoChatTemplate wrote a chat template")
	}
}

func TestModelShape(t *testing.T) {
	if err := (Model{Embedding: 60, Heads: 8}).WriteFile(filepath.Join(t.TempDir(), "m.gguf")); err == nil {
		t.Error("8 heads of an embedding of 60: no error")
	}
	m := Model{Embedding: 128, Layers: 3, FeedForward: 256}
	_, tensors := readGGUF(t, writeModel(t, m))
	n := 0
	for _, tn := range tensors {
		n += len(tn.data)
	}
	if n != m.Params() {
		t.Errorf("%d weights, Params %d", n, m.Params())
	}
}
