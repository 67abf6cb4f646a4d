package a

import (
	"encoding/binary"
	"math"
	"net/http"
	"strconv"
	"time"
)

// ---- conv-atoi ----

type Config struct {
	Port    uint16
	Workers int32
}

// Buggy: "70000" becomes port 4464, "-1" becomes 65535.
func parsePort(s string, c *Config) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return err
	}
	c.Port = uint16(n) // want `uint16\(n\) converts strconv.Atoi result n to uint16 with no range check`
	return nil
}

// Correct: range checked before the conversion.
func parseWorkers(s string, c *Config) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return err
	}
	if n < 1 || n > math.MaxInt32 {
		return strconv.ErrRange
	}
	c.Workers = int32(n)
	return nil
}

// ---- conv-narrow-input ----

// Buggy: a 64-bit parse stored in 32 bits.
func limitFromQuery(r *http.Request) int32 {
	v, err := strconv.ParseInt(r.URL.Query().Get("limit"), 10, 64)
	if err != nil {
		return 10
	}
	return int32(v) // want `int32\(v\) may truncate or change the sign of strconv.ParseInt result v \(int64\)`
}

// Correct: bitSize 32 already rejects out-of-range input.
func timeoutFromQuery(r *http.Request) time.Duration {
	v, err := strconv.ParseInt(r.URL.Query().Get("timeout"), 10, 32)
	if err != nil {
		return time.Second
	}
	return time.Duration(int32(v)) * time.Millisecond
}

// Buggy: a name longer than 255 bytes wraps its length prefix.
func writeName(buf []byte, name string) []byte {
	buf = append(buf, uint8(len(name))) // want `uint8\(len\(name\)\) may truncate or change the sign of a length`
	return append(buf, name...)
}

// Buggy: a negative offset becomes huge.
func seekTo(data []byte, off int) uint64 {
	return uint64(off) + uint64(len(data)) // want `uint64\(off\) may truncate or change the sign of parameter off`
}

// ---- conv-narrow ----

type Stats struct{ total int64 }

// Buggy (weakly): the running total can exceed int32.
func (s *Stats) Report() int32 {
	return int32(s.total) // want `int32\(s.total\) may truncate or change the sign of int64 s.total`
}

// Correct: masks, shifts and remainders truncate on purpose; len to uint64 is non-negative.
func encode(v uint64, data []byte) []byte {
	var out [10]byte
	out[0] = byte(v & 0xff)
	out[1] = byte(v >> 8)
	out[2] = byte(v % 251)
	binary.BigEndian.PutUint64(out[2:], uint64(len(data)))
	for i := range data {
		out[3] = uint8(uint(i) & 7)
		_ = 1 << uint(i)
	}
	var small int64 = 7
	_ = int8(3)
	if small < 100 {
		return append(out[:], byte(small))
	}
	return out[:]
}

// ---- conv-float-int ----

// Buggy (weakly): NaN or huge ratios give garbage.
func percent(done, total float64) int {
	return int(done / total * 100) // want `int\(done / total \* 100\) converts float64 to int`
}

// Correct: clamped first.
func clampPercent(p float64) int {
	if p > 100 || p < 0 {
		return 0
	}
	return int(p)
}

// Odd code must not panic the pass.
func generic[T ~int64 | ~int32](x T) int8 {
	return int8(x)
}

func asm(x int64) int32

var conv = func(x int64) int64 { return int64(int(x)) }
