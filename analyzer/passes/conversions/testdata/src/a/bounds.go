package a

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

var errRange = errors.New("out of range")

// ---- one-sided checks: buggy ----

// readFrame rejects negative sizes only; a size over 2 GiB wraps in int32.
func readFrame(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("bad size %q", line)
	}
	size := int32(n) // want `int32\(n\) may truncate or change the sign of strconv.ParseInt result n \(int64\) with no upper bound check`
	buf := make([]byte, size)
	_, err = io.ReadFull(r, buf)
	return buf, err
}

// parseLevel checks for negative input; "70000" still wraps.
func parseLevel(s string) (uint16, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, errRange
	}
	return uint16(n), nil // want `uint16\(n\) converts strconv.Atoi result n to uint16 with no upper bound check`
}

// offset32 bounds the offset from above only; a negative one becomes huge.
func offset32(off int64) (uint32, error) {
	if off > math.MaxUint32 {
		return 0, errRange
	}
	return uint32(off), nil // want `uint32\(off\) may truncate or change the sign of parameter off \(int64\) with no check for negative values`
}

// positive guards the conversion with a lower bound: n > 0 is no limit.
func positive(n int64) int32 {
	if n > 0 {
		return int32(n) // want `int32\(n\) may truncate or change the sign of parameter n \(int64\) with no upper bound check`
	}
	return 0
}

// wideLimit checks a limit that int32 cannot hold.
func wideLimit(n int64) (int32, error) {
	if n > 1<<40 {
		return 0, errRange
	}
	return int32(n), nil // want `int32\(n\) may truncate`
}

// checkedLate converts before it checks.
func checkedLate(v int) (int16, error) {
	x := int16(v) // want `int16\(v\) may truncate`
	if v > math.MaxInt16 || v < math.MinInt16 {
		return 0, errRange
	}
	return x, nil
}

// keys of a map may be negative.
func keys(m map[int]string) []uint {
	var out []uint
	for k := range m {
		out = append(out, uint(k)) // want `uint\(k\) may truncate or change the sign of int k; no check for negative values`
	}
	return out
}

// small bitSizes that still do not fit.
func parseSmall(a, b string) (int32, uint8) {
	u, _ := strconv.ParseUint(a, 10, 32)
	i, _ := strconv.ParseInt(b, 10, 8)
	small := int32(u)      // want `int32\(u\) may truncate or change the sign of strconv.ParseUint result u \(uint64\) with no upper bound check`
	return small, uint8(i) // want `uint8\(i\) may truncate or change the sign of strconv.ParseInt result i \(int64\) with no check for negative values`
}

type counters struct{ total, count int64 }

// another field is checked, not the one converted.
func (c *counters) avg() int32 {
	if c.count > math.MaxInt32 || c.count <= 0 {
		return 0
	}
	return int32(c.total) / int32(c.count) // want `int32\(c.total\) may truncate`
}

// ---- checks on the side that matters: correct ----

func readFrameChecked(n int64) (int32, error) {
	if n < 0 || n > math.MaxInt32 {
		return 0, errRange
	}
	return int32(n), nil
}

func portOf(s string) (uint16, error) {
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return 0, err
	case n < 0:
		return 0, errRange
	case n > math.MaxUint16:
		return 0, errRange
	}
	return uint16(n), nil
}

func portOfSwitch(n int) uint16 {
	switch {
	case n < 1, n > 65535:
		return 0
	default:
		return uint16(n)
	}
}

func toByte(n int) byte {
	if n >= 0 && n <= 255 {
		return byte(n)
	}
	return 0
}

func clamped(n int64, m int) (int32, int32, int16) {
	n = min(n, math.MaxInt32)
	if m > math.MaxInt16 {
		m = math.MaxInt16
	}
	return int32(n), int32(min(int64(m), 1000)), int16(m)
}

func elseLeaves(n int64) (int16, error) {
	if n <= math.MaxInt16 {
		log.Printf("n = %d", n)
	} else {
		return 0, errRange
	}
	return int16(n), nil
}

func table() []byte {
	var t []byte
	for i := 0; i < 256; i++ {
		t = append(t, byte(i))
	}
	for i := range 16 {
		t = append(t, uint8(i))
	}
	return t
}

func lengthPrefix(b []byte) ([]byte, error) {
	if len(b) > math.MaxUint16 {
		return nil, errRange
	}
	return append([]byte{byte(len(b) >> 8), byte(len(b) & 0xff)}, b...), nil
}

func lengthPrefix16(b []byte) uint16 {
	if math.MaxUint16 < len(b) {
		panic("too long")
	}
	return uint16(len(b))
}

func negated(n int64) int32 {
	if !(n >= math.MinInt32 && n <= math.MaxInt32) {
		log.Fatalf("n out of range: %d", n)
	}
	return int32(n)
}

func inRange(n int) (uint32, bool) {
	ok := n >= 0 && n <= math.MaxUint32
	if !ok {
		return 0, false
	}
	return uint32(n), true
}

func samePort(n int, port uint16) bool {
	return n >= 0 && n < 1<<16 && uint16(n) == port
}

func notNegative(n int) uint {
	if n < 0 {
		return 0
	} else {
		return uint(n)
	}
}

func parseSmallFits(a, b string) (int32, uint16, int16) {
	i, _ := strconv.ParseInt(a, 10, 16)
	u, _ := strconv.ParseUint(b, 10, 16)
	j, _ := strconv.ParseInt(b, 10, 16)
	return int32(i), uint16(u), int16(j)
}

func (c *counters) total32() int32 {
	if c.total > math.MaxInt32 {
		return math.MaxInt32
	}
	return int32(c.total)
}

// An unsigned view bounds both sides: uint32(r) <= 0xff rules out negative r.
func latin1(r rune, i int, table []bool) bool {
	if uint32(r) <= 0xff {
		return table[uint8(r)]
	}
	if uint(i) < 256 {
		return table[byte(i)]
	}
	return false
}

// Bit counts fit every integer type.
func shiftFor(x uint64) uint8 {
	return uint8(bits.Len64(x))
}

// A narrowing conversion in a comparison is no range test: 65536 passes as 0.
func isSmall(n int) bool {
	return uint16(n) < 0x7fff // want `uint16\(n\) may truncate or change the sign of parameter n \(int\) with no range check`
}
