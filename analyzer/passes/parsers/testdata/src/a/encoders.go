package a

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
)

// A key-value record in a C-string format: a NUL in key ends the key early.
func appendCString(b []byte, key, value string) []byte { // want `appendCString writes key into its output by hand \(append\(b, key\.\.\.\)\)`
	b = append(b, key...)
	b = append(b, 0)
	b = append(b, value...)
	return append(b, 0)
}

type Tag struct {
	Name  string
	Attrs map[string]string
}

// Renders a field of its receiver between tags.
func (t *Tag) Render(w io.Writer) { // want `Render writes t.Name into its output by hand \(w.Write\(\[\]byte\(t.Name\)\)\)`
	w.Write([]byte("<"))
	w.Write([]byte(t.Name))
	w.Write([]byte(">"))
}

// A hand loop over s that escapes some characters and writes the rest byte by byte.
func writeQuotedSQL(buf *bytes.Buffer, s string) { // want `writeQuotedSQL escapes c by hand \(buf.WriteByte\(c\)\): a character it lets through`
	buf.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			buf.WriteString(`\\`)
			continue
		}
		buf.WriteByte(c)
	}
	buf.WriteByte('\'')
}

type header struct{ key, val string }

// A field of a parameter written between framing constants.
func formatHeader(sb *strings.Builder, h header) { // want `formatHeader writes h.key into its output by hand \(sb.WriteString\(h.key\)\)`
	sb.WriteString(h.key)
	sb.WriteString(": ")
	sb.WriteString(h.val)
	sb.WriteString("\r\n")
}

// Quiet: checked for the framing byte first.
func appendCStringChecked(b []byte, key string) ([]byte, error) {
	if strings.IndexByte(key, 0) >= 0 {
		return nil, fmt.Errorf("key %q holds a NUL", key)
	}
	b = append(b, key...)
	return append(b, 0), nil
}

// Quiet: escaped by a proper escaper.
func renderTitle(w io.Writer, title string) {
	io.WriteString(w, "<title>")
	io.WriteString(w, html.EscapeString(title))
	io.WriteString(w, "</title>")
}

// Quiet: strconv does the quoting.
func appendQuotedKey(b []byte, key string) []byte {
	b = strconv.AppendQuote(b, key)
	return append(b, ':')
}

// Quiet: writes only constants and numbers.
func appendCount(b []byte, n int) []byte {
	b = append(b, "count="...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '\n')
}

// Quiet: only fmt with %q.
func writeName(w io.Writer, name string) {
	fmt.Fprintf(w, "name=%q\n", name)
}

// Quiet: a pass-through that frames nothing; its caller frames.
func (t *Tag) writeRaw(buf *bytes.Buffer, s string) {
	buf.WriteString(s)
}

type countingWriter struct {
	buf []byte
	n   int
}

// Quiet: a Write method is plumbing.
func (c *countingWriter) Write(p []byte) (int, error) {
	c.buf = append(c.buf, p...)
	c.buf = append(c.buf, '\n')
	c.n += len(p)
	return len(p), nil
}

// Quiet: the name does not say it encodes.
func join(b []byte, key string) []byte {
	b = append(b, key...)
	return append(b, 0)
}

// A check of something else does not guard the name.
func writeEntry(buf *bytes.Buffer, name string, line int) { // want `writeEntry writes name into its output by hand \(buf.WriteString\(name\)\)`
	if validLine(line) {
		buf.WriteString(strconv.Itoa(line))
	}
	buf.WriteString(" \"")
	buf.WriteString(name)
	buf.WriteByte('"')
}

func validLine(n int) bool { return n > 0 }

func validKey(s string) bool { return s != "" && !strings.ContainsRune(s, '=') }

// Quiet: checked by a validator of this package.
func appendPair(b []byte, key, value string) []byte {
	if !validKey(key) {
		return b
	}
	b = append(b, key...)
	b = append(b, '=')
	return append(b, value...)
}

type lineWriter struct {
	w   io.Writer
	buf []byte
}

// Quiet: the receiver's own buffer, framed and flushed, is output, not input.
func (l *lineWriter) writeEnd() error {
	l.buf = append(l.buf, '\n')
	_, err := l.w.Write(l.buf)
	l.buf = l.buf[:0]
	return err
}

// The receiver's buffer is output; the key it is given is input.
func (l *lineWriter) appendKey(key string) { // want `appendKey writes key into its output by hand \(append\(l.buf, key\.\.\.\)\)`
	l.buf = append(l.buf, key...)
	l.buf = append(l.buf, ':')
}
