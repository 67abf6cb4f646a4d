// Package redact takes likely secrets out of source text before the text
// leaves the machine in a prompt.
//
// It takes the text of a region and hands back the same text with each likely
// secret replaced by "[REDACTED:<kind>]", and how many it replaced. A
// replacement keeps every newline of what it replaces, so each line stays at
// its number and the lines a model cites still point at the user's code.
//
// It knows four kinds of evidence:
//
//   - tokens whose format names them — AWS access key ids, GitHub, GitLab,
//     Slack, Stripe, Google, OpenAI, Anthropic, SendGrid, Twilio, npm and
//     Hugging Face tokens, JWTs — found by their prefix at the start of a word;
//   - PEM private key blocks, whose body goes line by line;
//   - the password of a URL's user:password@ userinfo;
//   - a value assigned to, compared with or keyed by a secret-like name (key,
//     secret, token, password, credential, auth…) that looks random: at least
//     16 bytes, no spaces, not a placeholder, UUID, URL, e-mail address,
//     timestamp or word-like identifier, and of high Shannon entropy.
//
// Text is read in one forward scan plus a search for PEM markers, with work
// bounded per byte, so redaction stays linear in the size of the region. No
// regular expressions are involved.
//
// Where it must guess it redacts: a false redaction costs the model one
// literal, a leak costs the user a secret.
package redact

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// A kind names a kind of secret, as "[REDACTED:<kind>]" shows it.
type kind uint8

// The kinds, in the order that picks the name of a replacement where
// findings overlap: the more specific evidence, later, wins.
const (
	kindGenericSecret kind = iota
	kindAWSSecret
	kindURLPassword
	kindAWSKeyID
	kindGitHub
	kindGitLab
	kindSlack
	kindSlackWebhook
	kindStripe
	kindGoogleAPI
	kindGoogleOAuth
	kindOpenAI
	kindAnthropic
	kindJWT
	kindSendGrid
	kindTwilio
	kindNPM
	kindHuggingFace
	kindPrivateKey
	numKinds
)

var kindNames = [numKinds]string{
	kindGenericSecret: "generic-secret",
	kindAWSSecret:     "aws-secret-access-key",
	kindURLPassword:   "url-password",
	kindAWSKeyID:      "aws-access-key-id",
	kindGitHub:        "github-token",
	kindGitLab:        "gitlab-token",
	kindSlack:         "slack-token",
	kindSlackWebhook:  "slack-webhook",
	kindStripe:        "stripe-key",
	kindGoogleAPI:     "google-api-key",
	kindGoogleOAuth:   "google-oauth-secret",
	kindOpenAI:        "openai-api-key",
	kindAnthropic:     "anthropic-api-key",
	kindJWT:           "jwt",
	kindSendGrid:      "sendgrid-api-key",
	kindTwilio:        "twilio-api-key",
	kindNPM:           "npm-token",
	kindHuggingFace:   "huggingface-token",
	kindPrivateKey:    "private-key",
}

func (k kind) String() string { return kindNames[k] }

const (
	minGenericLen      = 16
	entropyThreshold   = 2.5 // bits per byte; TestGenericRates shows what it lets through
	maxNameLen         = 128
	redactedMarkPrefix = "[REDACTED:"
)

// Kinds lists the kinds of secret Redact recognises, sorted.
func Kinds() []string {
	names := slices.Clone(kindNames[:])
	slices.Sort(names)
	return names
}

// Redact replaces likely secrets in s with "[REDACTED:<kind>]" and returns
// the text and how many it replaced. Line numbers are preserved: a secret that
// spans lines (a PEM private key) keeps its newlines. Text with nothing to
// redact comes back as it was, without a copy.
func Redact(s string) (string, int) {
	r := redactor{s: s}
	r.pem()
	r.scan()
	if len(r.spans) == 0 {
		return s, 0
	}
	return r.apply()
}

// A span is a byte range of the text to replace. It holds no pointers, so
// that a text with many findings costs the collector nothing to scan.
type span struct {
	start, end int
	kind       kind
	group      int // the spans of one secret share a group, and count once
}

type redactor struct {
	s      string
	spans  []span
	groups int

	// Memos that keep the scan linear on long lines full of operators:
	// where the last line end, unquoted value and unclosed quote were found.
	lineEnd            int
	uqFrom, uqTo       int
	openFrom, openLine [3]int // per quote kind: unclosed from openFrom to the line end openLine
}

func (r *redactor) newGroup() int {
	r.groups++
	return r.groups
}

func (r *redactor) add(start, end int, k kind, group int) {
	if start < end {
		r.spans = append(r.spans, span{start, end, k, group})
	}
}

// apply merges overlapping spans and writes the redacted text.
func (r *redactor) apply() (string, int) {
	spans := r.spans
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		m := &merged[len(merged)-1]
		if sp.start < m.end {
			m.end = max(m.end, sp.end)
			if sp.kind > m.kind {
				m.kind, m.group = sp.kind, sp.group
			}
			continue
		}
		merged = append(merged, sp)
	}
	var b strings.Builder
	b.Grow(len(r.s) + 16*len(merged))
	counted := make([]bool, r.groups+1)
	n := 0
	last := 0
	for _, m := range merged {
		b.WriteString(r.s[last:m.start])
		b.WriteString(redactedMarkPrefix)
		b.WriteString(kindNames[m.kind])
		b.WriteByte(']')
		for range strings.Count(r.s[m.start:m.end], "\n") {
			b.WriteByte('\n')
		}
		last = m.end
		if !counted[m.group] {
			counted[m.group] = true
			n++
		}
	}
	b.WriteString(r.s[last:])
	return b.String(), n
}

// scan reads the text once, tracking lines and string literals, and at each
// byte that can start a finding tries the rules that start there.
func (r *redactor) scan() {
	s := r.s
	r.lineEnd = -1
	r.openLine = [3]int{-1, -1, -1}
	lineStart := 0
	// Whether the scan is inside a "..." or `...` literal begun on this
	// line. Raw strings may span lines, but a region can start inside one
	// anyway, so the state restarts at each line.
	inDQ, inBT := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\n':
			lineStart = i + 1
			inDQ, inBT = false, false
			continue
		case '"':
			// '"' is a rune, not the start of a string.
			if !inBT && !(i > 0 && s[i-1] == '\'' && i+1 < len(s) && s[i+1] == '\'') {
				inDQ = !inDQ
			}
			continue
		case '`':
			if !inDQ {
				inBT = !inBT
			}
			continue
		case '\\':
			if inDQ && i+1 < len(s) && s[i+1] != '\n' {
				i++
			}
			continue
		case ':':
			switch next := at(s, i+1); {
			case next == '=':
				r.assign(lineStart, i, i+2, ":=", inDQ || inBT)
				i++
			case next == ':':
				i++
			case next == '/' && at(s, i+2) == '/':
				r.userinfo(i + 3)
			default:
				r.assign(lineStart, i, i+1, ":", inDQ || inBT)
			}
			continue
		case '=':
			if i > 0 && strings.IndexByte(":!=<>+-*/%&|^", s[i-1]) >= 0 {
				continue
			}
			switch at(s, i+1) {
			case '=':
				r.assign(lineStart, i, i+2, "==", inDQ || inBT)
				i++
			case '>':
				r.assign(lineStart, i, i+2, "=>", inDQ || inBT)
				i++
			default:
				r.assign(lineStart, i, i+1, "=", inDQ || inBT)
			}
			continue
		case '!':
			if at(s, i+1) == '=' {
				r.assign(lineStart, i, i+2, "!=", inDQ || inBT)
				i++
			}
			continue
		case ',':
			r.assign(lineStart, i, i+1, ",", inDQ || inBT)
			continue
		}
		// The start of a run of token bytes: try the token rules, then
		// skip the run, which holds nothing else of interest.
		if class[c]&b64url != 0 {
			if i > 0 && s[i-1] == '\\' {
				continue // the n of \n: a token may start after it
			}
			if class[c]&tokenFirst != 0 && wordStart(s, i) {
				if end := r.token(i); end > i {
					i = end - 1
					continue
				}
			}
			i += run(s[i+1:], b64url)
		}
	}
}

// wordStart reports whether a token may begin at s[i]: the byte before is
// not part of a token, or ends an escape such as the \n in "...\nghp_...".
// Refusing starts inside runs of token bytes keeps the scan linear: each run
// is tried from its start only.
func wordStart(s string, i int) bool {
	if i == 0 || class[s[i-1]]&b64url == 0 {
		return true
	}
	return i >= 2 && s[i-2] == '\\' && class[s[i-1]]&letter != 0
}

// at returns s[i], or 0 past the end.
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// run returns the length of the prefix of s whose bytes are all in set.
func run(s string, set uint8) int {
	for i := 0; i < len(s); i++ {
		if class[s[i]]&set == 0 {
			return i
		}
	}
	return len(s)
}

// Byte classes.
const (
	letter     = 1 << iota // A-Z a-z
	digit                  // 0-9
	upper                  // A-Z
	lowerHex               // 0-9 a-f
	b64url                 // A-Z a-z 0-9 _ -, also what a token is made of
	b64std                 // A-Z a-z 0-9 + / =
	tokenFirst             // a byte that starts some token rule
	slash                  // /
)

const alnum = letter | digit

var class [256]uint8

func init() {
	for c := 0; c < 256; c++ {
		b := byte(c)
		var k uint8
		switch {
		case 'A' <= b && b <= 'Z':
			k |= letter | upper | b64url | b64std
		case 'a' <= b && b <= 'z':
			k |= letter | b64url | b64std
			if b <= 'f' {
				k |= lowerHex
			}
		case '0' <= b && b <= '9':
			k |= digit | lowerHex | b64url | b64std
		case b == '_' || b == '-':
			k |= b64url
		case b == '+' || b == '=':
			k |= b64std
		case b == '/':
			k |= b64std | slash
		}
		if strings.IndexByte("AgGxsreSnh", b) >= 0 {
			k |= tokenFirst
		}
		class[c] = k
	}
}

// entropy returns the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// distinct returns how many different bytes s holds, up to limit.
func distinct(s string, limit int) int {
	var seen [256]bool
	n := 0
	for i := 0; i < len(s) && n < limit; i++ {
		if !seen[s[i]] {
			seen[s[i]] = true
			n++
		}
	}
	return n
}
