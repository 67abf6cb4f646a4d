package llamatest

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Model is a tiny Llama-architecture language model whose weights come from
// a seed. Its answers mean nothing; what matters is that llama-server loads
// it, tokenizes and templates real prompts with it, samples under a JSON
// grammar, and sends real answers over the wire.
//
// Random weights alone are not enough. A random model picks the bytes
// 0x80–0xFF, which make invalid UTF-8 (llama-server answers 500: the output
// "does not match the expected peg-native format"), and it never closes a
// JSON string, so every answer runs to max_tokens. So one dimension of the
// residual stream is held constant: it is set in every token's embedding
// and never written by attention or the feed-forward layers (its row of
// attn_output and ffn_down is zero). After the final norm that dimension is
// nearly the same for every position, so its column of the output matrix
// acts as a per-token logit bias: it favours the JSON punctuation that ends
// things (", }, ], and the end of the turn) and forbids control tokens,
// control bytes and the high bytes. Everything else stays random, so
// answers still differ from prompt to prompt.
//
// The zero Model is usable: the fields' zero values mean the defaults.
type Model struct {
	// Seed picks the weights; the same seed writes the same bytes.
	Seed uint64
	// Embedding is the width of the residual stream; 0 means 64.
	Embedding int
	// Layers is the number of transformer blocks; 0 means 2.
	Layers int
	// Heads is the number of attention heads (and of key-value heads);
	// 0 means 4. It must divide Embedding.
	Heads int
	// FeedForward is the hidden width of the feed-forward layers; 0 means
	// 128.
	FeedForward int
	// ContextLength is the training context the metadata claims, the most
	// llama-server's -c may ask of it; 0 means 32768.
	ContextLength int
	// NoChatTemplate leaves tokenizer.chat_template out of the file, as in
	// GGUFs converted without one: llama-server then falls back to its
	// built-in templates.
	NoChatTemplate bool
}

func (m Model) withDefaults() Model {
	m.Embedding = cmp.Or(m.Embedding, 64)
	m.Layers = cmp.Or(m.Layers, 2)
	m.Heads = cmp.Or(m.Heads, 4)
	m.FeedForward = cmp.Or(m.FeedForward, 128)
	m.ContextLength = cmp.Or(m.ContextLength, 32768)
	return m
}

// ChatTemplate is the ChatML template written into the model, in the Jinja
// that llama-server's --jinja runs.
const ChatTemplate = "{% for message in messages %}" +
	"{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}" +
	"{% endfor %}" +
	"{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"

// The token types of llama.cpp's SentencePiece vocabulary (llama_token_type).
const (
	tokNormal  = 1
	tokUnknown = 2
	tokControl = 3
	tokByte    = 6
)

// Vocabulary: 5 control tokens, the 256 byte tokens (so that any text
// tokenizes: llama-server answered 500 on a '{' to a vocabulary without
// them), the SentencePiece space "▁", then printable ASCII. Text is
// tokenized one character a token.
var controls = []string{"<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"}

const (
	unkID     = 0
	bosID     = 1
	eosID     = 4 // <|im_end|>: the end of the assistant's turn
	firstByte = 5
	spaceID   = firstByte + 256
	firstChar = spaceID + 1 // '!' .. '~' follow
)

// Vocab returns the model's tokens, in id order.
func Vocab() []string {
	v := append([]string(nil), controls...)
	for b := 0; b < 256; b++ {
		v = append(v, fmt.Sprintf("<0x%02X>", b))
	}
	v = append(v, "▁")
	for c := '!'; c <= '~'; c++ {
		v = append(v, string(c))
	}
	return v
}

// Logit biases. The random dimensions add noise of a few units, which
// depends mostly on the last token, so the model behaves like a random
// bigram table under the biases. The end of the turn is strongest: an
// answer left free (json_object on llama-server's Jinja path, or text)
// ends at once, and one under a grammar ends as soon as the grammar lets
// it. Under a JSON grammar, '"' closes every string the moment it opens,
// "{" after "[" beats "]", so each answer holds one (random) claim, and "]"
// after it beats ",", so arrays end.
var favoured = map[string]float32{
	`"`: 15,
	`{`: 14,
	`]`: 13,
	`}`: 12,
	`,`: 9,
}

const (
	eosBias       = 20
	forbiddenBias = -60
)

func bias(id int, tok string) float32 {
	switch {
	case id == eosID:
		return eosBias
	case id < firstByte:
		return forbiddenBias // <unk>, <s>, </s>, <|im_start|>
	case id < spaceID:
		// Byte tokens: text the vocabulary spells otherwise, control
		// bytes, or the high bytes that make invalid UTF-8 on their own.
		return forbiddenBias
	}
	return favoured[tok]
}

// Params returns the number of weights the model has.
func (m Model) Params() int {
	m = m.withDefaults()
	d, f, v := m.Embedding, m.FeedForward, len(Vocab())
	perLayer := 4*d*d + 3*d*f + 2*d
	return 2*v*d + d + m.Layers*perLayer
}

// WriteFile writes the model as a GGUF file at path.
func (m Model) WriteFile(path string) error {
	g, err := m.gguf()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".model-*.gguf")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := g.writeTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (m Model) gguf() (*gguf, error) {
	m = m.withDefaults()
	d, f, h := m.Embedding, m.FeedForward, m.Heads
	if d%h != 0 || (d/h)%2 != 0 {
		return nil, fmt.Errorf("llamatest: %d heads do not split an embedding of %d into even head sizes", h, d)
	}
	vocab := Vocab()
	nv := len(vocab)

	g := &gguf{}
	g.set("general.architecture", "llama")
	g.set("general.name", fmt.Sprintf("secondlook-test-%d", m.Seed))
	g.set("general.license", "MIT")
	g.set("llama.context_length", uint32(m.ContextLength))
	g.set("llama.embedding_length", uint32(d))
	g.set("llama.block_count", uint32(m.Layers))
	g.set("llama.feed_forward_length", uint32(f))
	g.set("llama.attention.head_count", uint32(h))
	g.set("llama.attention.head_count_kv", uint32(h))
	g.set("llama.attention.layer_norm_rms_epsilon", float32(1e-5))
	g.set("llama.rope.dimension_count", uint32(d/h))
	g.set("llama.rope.freq_base", float32(10000))
	g.set("llama.vocab_size", uint32(nv))

	types := make([]int32, nv)
	scores := make([]float32, nv)
	for i := range vocab {
		switch {
		case i == unkID:
			types[i] = tokUnknown
		case i < firstByte:
			types[i] = tokControl
		case i < spaceID:
			types[i] = tokByte
		default:
			types[i] = tokNormal
		}
		scores[i] = -float32(i)
	}
	g.set("tokenizer.ggml.model", "llama")
	g.set("tokenizer.ggml.tokens", vocab)
	g.set("tokenizer.ggml.scores", scores)
	g.set("tokenizer.ggml.token_type", types)
	g.set("tokenizer.ggml.unknown_token_id", uint32(unkID))
	g.set("tokenizer.ggml.bos_token_id", uint32(bosID))
	g.set("tokenizer.ggml.eos_token_id", uint32(eosID))
	g.set("tokenizer.ggml.add_bos_token", false)
	g.set("tokenizer.ggml.add_eos_token", false)
	// SentencePiece's default puts a space before the text after a
	// special token: "<|im_start|>assistant" would tokenize as
	// "<|im_start|> assistant", and llama-server, which feeds the
	// generation prompt through the JSON grammar, then fails every
	// json_schema request ("Failed to initialize samplers").
	g.set("tokenizer.ggml.add_space_prefix", false)
	if !m.NoChatTemplate {
		g.set("tokenizer.chat_template", ChatTemplate)
	}

	rng := rand.New(rand.NewPCG(m.Seed, 0x5ec0d100c))
	normal := func(n int, std float64) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = float32(rng.NormFloat64() * std)
		}
		return out
	}
	ones := func(n int) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = 1
		}
		return out
	}

	// Dimension c carries the bias. Its value, embedConst, dominates the
	// norm of the residual (the other dimensions are small), so after RMS
	// normalisation it is about sqrt(d) at every position.
	const c = 0
	const embedConst = 8
	const embedStd = 0.3
	emb := normal(nv*d, embedStd)
	for t := 0; t < nv; t++ {
		emb[t*d+c] = embedConst
	}
	g.add("token_embd.weight", emb, d, nv)

	normalised := math.Sqrt(float64(d)) * embedConst / math.Sqrt(embedConst*embedConst+float64(d-1)*embedStd*embedStd)
	// The output weights of the other dimensions make logit noise of a
	// standard deviation about 1.
	out := normal(nv*d, 0.5)
	for t, tok := range vocab {
		out[t*d+c] = bias(t, tok) / float32(normalised)
	}

	// ggml weights are [in, out]: row r (of length in) makes output r.
	zeroRow := func(w []float32, in, row int) {
		clear(w[row*in : (row+1)*in])
	}
	attnStd := 1 / math.Sqrt(float64(d))
	for l := 0; l < m.Layers; l++ {
		p := fmt.Sprintf("blk.%d.", l)
		g.add(p+"attn_norm.weight", ones(d), d)
		g.add(p+"attn_q.weight", normal(d*d, attnStd), d, d)
		g.add(p+"attn_k.weight", normal(d*d, attnStd), d, d)
		g.add(p+"attn_v.weight", normal(d*d, attnStd), d, d)
		o := normal(d*d, attnStd/4)
		zeroRow(o, d, c)
		g.add(p+"attn_output.weight", o, d, d)
		g.add(p+"ffn_norm.weight", ones(d), d)
		g.add(p+"ffn_gate.weight", normal(d*f, attnStd), d, f)
		g.add(p+"ffn_up.weight", normal(d*f, attnStd), d, f)
		down := normal(f*d, 1/math.Sqrt(float64(f))/4)
		zeroRow(down, f, c)
		g.add(p+"ffn_down.weight", down, f, d)
	}
	g.add("output_norm.weight", ones(d), d)
	g.add("output.weight", out, d, nv)
	return g, nil
}
