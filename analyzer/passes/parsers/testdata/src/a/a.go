package a

import (
	"bytes"
	"errors"
	"strings"
)

// A header parser that cuts its input at separators.
func parseHeader(line string) (key, value string, err error) { // want `parseHeader takes line apart by hand \(calls strings.Cut\)`
	k, v, ok := strings.Cut(line, ":")
	if !ok {
		return "", "", errors.New("no colon")
	}
	return strings.TrimSpace(k), strings.TrimSpace(v), nil
}

// A number scanner that walks a copy of its input.
func parseNumber(input []byte) (n int, size int) { // want `parseNumber takes s apart by hand \(indexes s\[0\]\)`
	s := input
	if len(s) == 0 {
		return 0, 0
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
		n = n*10 + int(s[0]-'0')
		s = s[1:]
		size++
	}
	if neg {
		n = -n
	}
	return n, size
}

// A list parser that loops until its input is used up.
func ParseList(s string) []string { // want `ParseList takes s apart by hand \(loops while s != ""\)`
	var out []string
	for s != "" {
		var item string
		item, s = next(s)
		out = append(out, item)
	}
	return out
}

func next(s string) (string, string) { return s, "" }

// A decoder whose Read takes apart what its receiver holds.
type Decoder struct {
	in  []byte
	pos int
}

func (d *Decoder) Read() (byte, error) { // want `Read takes d.in apart by hand \(indexes d.in\[d.pos\]\)`
	if d.pos >= len(d.in) {
		return 0, errors.New("eof")
	}
	b := d.in[d.pos]
	d.pos++
	return b, nil
}

func (d *Decoder) decodeRecords() [][]byte { // want `decodeRecords takes d.in apart by hand \(calls bytes.Split\)`
	return bytes.Split(d.in, []byte{0})
}
