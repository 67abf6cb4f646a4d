package redact

import "strings"

// pem redacts the bodies of PEM private key blocks, keeping the BEGIN and
// END lines and every line break, so that a key in a raw string, in a
// concatenation of quoted lines or in one line of \n escapes still reads as
// Go.
//
// A region may cut a key: a BEGIN with no END is redacted to the end of the
// text, and an END before any BEGIN from the start of the text.
func (r *redactor) pem() {
	s := r.s
	seen := false // a BEGIN or END marker came before
	for from := 0; ; {
		k := strings.Index(s[from:], "-----")
		if k < 0 {
			return
		}
		p := from + k
		switch {
		case strings.HasPrefix(s[p:], "-----BEGIN "):
			label, end, ok := pemLabel(s, p+len("-----BEGIN "))
			if !ok {
				from = p + 1
				continue
			}
			seen = true
			if !privateLabel(label) {
				from = end
				continue
			}
			e := strings.Index(s[end:], "-----END ")
			if e < 0 {
				r.pemBody(end, len(s))
				return
			}
			r.pemBody(end, end+e)
			from = end + e + len("-----END ")
		case strings.HasPrefix(s[p:], "-----END "):
			if label, _, ok := pemLabel(s, p+len("-----END ")); ok && !seen && privateLabel(label) {
				r.pemBody(0, p)
			}
			seen = true
			from = p + len("-----END ")
		default:
			from = p + 1
		}
	}
}

// pemLabel reads the label of a BEGIN or END line from s[i:]: capitals,
// digits and spaces closed by "-----". It returns the label and where the
// closing dashes end.
func pemLabel(s string, i int) (label string, end int, ok bool) {
	j := i
	for j < len(s) && j-i <= 64 && ('A' <= s[j] && s[j] <= 'Z' || '0' <= s[j] && s[j] <= '9' || s[j] == ' ') {
		j++
	}
	if !strings.HasPrefix(s[j:], "-----") {
		return "", 0, false
	}
	return s[i:j], j + len("-----"), true
}

// privateLabel reports whether a PEM label names a private key: RSA, EC,
// DSA, OPENSSH, ENCRYPTED or bare PRIVATE KEY, or a PGP PRIVATE KEY BLOCK.
func privateLabel(label string) bool {
	return strings.HasSuffix(label, "PRIVATE KEY") || strings.HasSuffix(label, "PRIVATE KEY BLOCK")
}

// pemBody redacts s[start:end], a key's body, line by line: on each line,
// from the first to the last run of two or more base64 bytes. Quotes, \n
// escapes and the + of a concatenation fall outside the runs, so they stay.
// Armor headers (Proc-Type, Version) go too; they are not worth the rules
// it would take to keep them.
func (r *redactor) pemBody(start, end int) {
	s := r.s
	group := r.newGroup()
	first, last := -1, -1
	for i := start; i < end; {
		c := s[i]
		switch {
		case c == '\n':
			if first >= 0 {
				r.add(first, last, kindPrivateKey, group)
			}
			first, last = -1, -1
			i++
		case c == '\\':
			i++
			if i < end && s[i] != '\n' {
				i++ // the n of \n, which is no part of the key
			}
		case c == '[' && strings.HasPrefix(s[i:end], redactedMarkPrefix):
			// Already redacted: leave the marker whole.
			if k := strings.IndexByte(s[i:end], ']'); k >= 0 {
				i += k + 1
			} else {
				i = end
			}
		case class[c]&b64std != 0:
			j := i + 1
			for j < end && class[s[j]]&b64std != 0 {
				j++
			}
			if j-i >= 2 {
				if first < 0 {
					first = i
				}
				last = j
			}
			i = j
		default:
			i++
		}
	}
	if first >= 0 {
		r.add(first, min(last, end), kindPrivateKey, group)
	}
}
