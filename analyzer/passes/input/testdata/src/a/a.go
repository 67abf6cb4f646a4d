// Package a is a small decoder of a length-prefixed record format, with
// the checks some of its readers forget.
package a

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const maxRecord = 1 << 20

var errShort = errors.New("short record")

type header struct {
	Kind  uint16
	Count uint32
}

type decoder struct {
	r   io.Reader
	buf []byte
}

// readRecord trusts the length in the header.
func readRecord(r io.Reader) ([]byte, error) {
	hdr := make([]byte, 8)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[4:]) // want `reads integers from bytes: binary.BigEndian.Uint32\(hdr\[4:\]\)`
	body := make([]byte, n)               // want `make\(\[\]byte, n\) with n from binary.BigEndian.Uint32\(hdr\[4:\]\); no upper bound on n is checked before it`
	_, err := io.ReadFull(r, body)
	return body, err
}

// readRecordChecked compares the length with a limit first.
func readRecordChecked(r io.Reader) ([]byte, error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[4:]) // want `reads integers from bytes`
	if n > maxRecord {
		return nil, errors.New("record too large")
	}
	body := make([]byte, n)
	_, err := io.ReadFull(r, body)
	return body, err
}

// readClamped clamps with min.
func readClamped(b []byte) []byte {
	n := int(binary.LittleEndian.Uint16(b)) // want `reads integers from bytes`
	n = min(n, len(b)-2)
	out := make([]byte, n)
	copy(out, b[2:])
	return out
}

// payload slices by a length byte.
func payload(b []byte) []byte {
	n := int(b[0])
	return b[1:][:n] // want `b\[1:\]\[:n\] with n from b\[0\]; no comparison of n with a length before it`
}

// payloadChecked compares the length byte with the buffer's length.
func payloadChecked(b []byte) ([]byte, error) {
	n := int(b[0])
	if n >= len(b) {
		return nil, errShort
	}
	return b[1:][:n], nil
}

// payloadArith leaves b[1:1+n] to the indexing pass (index-arith).
func payloadArith(b []byte) []byte {
	n := int(b[0])
	return b[1 : 1+n]
}

// entries loops as often as the header says and appends each entry.
func (d *decoder) entries() ([]uint16, error) {
	count := int(d.buf[0])<<8 | int(d.buf[1]) // want `reads integers from bytes: int\(d.buf\[0\]\) << 8`
	var out []uint16
	for i := 0; i < count; i++ { // want `loop bound i < count with count from int\(d.buf\[0\]\)<<8 \| int\(d.buf\[1\]\); no upper bound on count is checked before it \(the body appends\)`
		out = append(out, uint16(i))
	}
	return out, nil
}

// sum loops over the buffer itself: its length bounds the loop.
func sum(b []byte) int {
	t := 0
	for i := 0; i < len(b); i++ {
		t += int(b[i])
	}
	return t
}

// fixed allocates a constant size and loops a constant count.
func fixed(r io.Reader) ([]byte, error) {
	buf := make([]byte, 16)
	for i := 0; i < 4; i++ {
		if _, err := r.Read(buf[i*4 : i*4+4]); err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// varints reads a count as a varint and ranges over it.
func varints(br *bufio.Reader) ([]uint64, error) {
	n, err := binary.ReadUvarint(br) // want `reads integers from bytes`
	if err != nil {
		return nil, err
	}
	vals := make([]uint64, 0, n) // want `make\(\[\]uint64, 0, n\) with n from binary.ReadUvarint\(br\); no upper bound on n is checked before it`
	for range n {                // want `range over n with n from binary.ReadUvarint\(br\)`
		v, err := binary.ReadUvarint(br)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	return vals, nil
}

// readHeader decodes a struct and allocates by one of its fields.
func readHeader(r io.Reader) ([]uint32, error) {
	var h header
	if err := binary.Read(r, binary.BigEndian, &h); err != nil { // want `reads integers from bytes: binary.Read`
		return nil, err
	}
	switch h.Kind {
	case 1:
		return make([]uint32, h.Count), nil // want `make\(\[\]uint32, h.Count\) with h.Count from binary.Read\(r, binary.BigEndian, &h\)`
	}
	return nil, nil
}

// readHeaderChecked bounds the field first.
func readHeaderChecked(r io.Reader) ([]uint32, error) {
	var h header
	if err := binary.Read(r, binary.BigEndian, &h); err != nil { // want `reads integers from bytes`
		return nil, err
	}
	if h.Count > 1024 {
		return nil, errors.New("too many")
	}
	return make([]uint32, h.Count), nil
}

// upload reads the body by the client's Content-Length.
func upload(w http.ResponseWriter, r *http.Request) {
	body := make([]byte, r.ContentLength) // want `make\(\[\]byte, r.ContentLength\) with r.ContentLength read from input; no upper bound on r.ContentLength is checked before it`
	io.ReadFull(r.Body, body)
	w.Write(body)
}

// uploadLimited checks the length first.
func uploadLimited(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > maxRecord {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	body := make([]byte, r.ContentLength)
	io.ReadFull(r.Body, body)
	w.Write(body)
}

// pad repeats by a query parameter; the second use is masked.
func pad(r *http.Request) (string, error) {
	n, err := strconv.Atoi(r.URL.Query().Get("pad"))
	if err != nil {
		return "", err
	}
	s := strings.Repeat(" ", n) // want `strings.Repeat\(" ", n\) with n from strconv.Atoi\(r.URL.Query\(\).Get\("pad"\)\)`
	return s + string(bytes.Repeat([]byte{'x'}, n&0xff)), nil
}

// copyBody copies as many bytes as a decoded size says.
func copyBody(w io.Writer, r io.Reader, data []byte) error {
	var m struct{ Size int64 }
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	_, err := io.CopyN(w, r, m.Size) // want `io.CopyN\(w, r, m.Size\) with m.Size from json.Unmarshal\(data, &m\)`
	return err
}

// lookup indexes by a byte read with ReadByte.
func lookup(br *bufio.Reader, names []string) (string, error) {
	c, err := br.ReadByte()
	if err != nil {
		return "", err
	}
	return names[c], nil // want `names\[c\] with c from br.ReadByte\(\); no comparison of c with a length before it`
}

// lookupChecked compares the byte with the table's length.
func lookupChecked(br *bufio.Reader, names []string) (string, error) {
	c, err := br.ReadByte()
	if err != nil || int(c) >= len(names) {
		return "", errShort
	}
	return names[c], nil
}

// smallAlloc allocates by a single byte: at most 255, quiet; shifting
// within a byte reads no wider integer.
func smallAlloc(b []byte) []byte {
	c := b[1] << 4
	return make([]byte, b[0], c)
}

// zeroChecked only checks for zero, which bounds nothing.
func zeroChecked(b []byte) []int {
	n := binary.BigEndian.Uint32(b) // want `reads integers from bytes`
	if n == 0 {
		return nil
	}
	return make([]int, n) // want `make\(\[\]int, n\) with n from binary.BigEndian.Uint32\(b\)`
}

// generic code and closures must not upset the pass.
func mapAll[T any](b []byte, f func(byte) T) []T {
	out := make([]T, 0, len(b))
	each := func() {
		for _, c := range b {
			out = append(out, f(c))
		}
	}
	each()
	return out
}

func asm(b []byte) int

// u32 reads a little-endian integer; its callers read input through it.
func u32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24 // want `reads integers from bytes: uint32\(b\[1\]\) << 8`
}

// readUint16 is a decoder's reader method with an error.
func (d *decoder) readUint16() (uint16, error) {
	if _, err := io.ReadFull(d.r, d.buf[:2]); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint16(d.buf), nil // want `reads integers from bytes`
}

// chunk trusts a length read through the helpers.
func (d *decoder) chunk(hdr []byte) ([]byte, []string, error) {
	size := u32(hdr[4:])       // want `reads integers from bytes: u32\(hdr\[4:\]\)`
	data := make([]byte, size) // want `make\(\[\]byte, size\) with size from u32\(hdr\[4:\]\); no upper bound on size is checked before it`
	n, err := d.readUint16()
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, n) // want `make\(\[\]string, n\) with n from d.readUint16\(\)`
	return data, names, nil
}

// notReader returns a length, not input: its callers are quiet.
func notReader(b []byte) int { return len(b) * 2 }

func useNotReader(b []byte) []byte { return make([]byte, notReader(b)) }

const hexDigits = "0123456789abcdef"

// hexByte indexes a constant table by nibbles of an input byte: quiet.
func hexByte(b []byte) string {
	c := b[0]
	return string([]byte{hexDigits[c>>4], hexDigits[(c<<4)>>4]})
}

// readSplit checks the length, but allocates in the branch for the large
// ones: the comparison bounds the other branch.
func readSplit(r io.Reader, small []byte) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:]) // want `reads integers from bytes`
	var body []byte
	if n <= 1024 {
		body = small[:n]
	} else {
		body = make([]byte, n) // want `make\(\[\]byte, n\) with n from binary.BigEndian.Uint32\(hdr\[:\]\); no upper bound on n is checked before it`
	}
	_, err := io.ReadFull(r, body)
	return body, err
}

// readLarge allocates where the length is known to be large.
func readLarge(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:]) // want `reads integers from bytes`
	body := make([]byte, 64)
	if 64 < n {
		body = make([]byte, 0, n) // want `make\(\[\]byte, 0, n\) with n from`
	}
	_, err := io.ReadFull(r, body)
	return body, err
}

// readBranches allocates only in the branches where the length is small:
// quiet.
func readBranches(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:]) // want `reads integers from bytes`
	var body []byte
	if n <= maxRecord {
		body = make([]byte, n)
	}
	if n > maxRecord {
		return nil, errors.New("record too large")
	} else {
		body = make([]byte, n)
	}
	if maxRecord >= n {
		body = make([]byte, n)
	}
	_, err := io.ReadFull(r, body)
	return body, err
}
