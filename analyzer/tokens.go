package analyzer

import (
	"sync"

	"github.com/tiktoken-go/tokenizer"
)

var (
	codecOnce sync.Once
	codec     tokenizer.Codec
)

// CountTokens counts the tokens of s in the o200k_base encoding, offline.
// Other models' tokenizers differ by a few percent; budgets are estimates.
func CountTokens(s string) int {
	if s == "" {
		return 0
	}
	codecOnce.Do(func() {
		c, err := tokenizer.Get(tokenizer.O200kBase)
		if err == nil {
			codec = c
		}
	})
	if codec == nil {
		return (len(s) + 3) / 4
	}
	n, err := codec.Count(s)
	if err != nil {
		return (len(s) + 3) / 4
	}
	return n
}
