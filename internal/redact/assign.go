package redact

import (
	"strings"
)

// assign looks at the operator s[opStart:opEnd] — := = == != => : or , — for
// a secret-like name before it and a value after it, and redacts the value
// if it looks like a secret. It handles
//
//	apiKey := "..."          cfg.Token = "..."        if token == "..."
//	Password: "...",         "password": "...",       m["token"] = "..."
//	os.Setenv("API_KEY", "...")                       API_KEY=... (env, ini, YAML)
//	"user=app password=... host=db"                   "Authorization: Bearer ..."
//
// A value without quotes is taken only where it cannot be Go code: inside a
// string literal, or after a name that starts its line when the value runs to
// the end of the line (an env file, a YAML document in a raw string).
func (r *redactor) assign(lineStart, opStart, opEnd int, op string, inString bool) {
	s := r.s

	// The name, reading back from the operator.
	j := opStart
	for j > lineStart && isBlank(s[j-1]) {
		j--
	}
	index := j > lineStart && s[j-1] == ']' && op != ","
	if index {
		j--
	}
	var quote byte
	if j > lineStart && isQuote(s[j-1]) {
		quote = s[j-1]
		j--
	}
	nameEnd := j
	for j > lineStart && nameEnd-j <= maxNameLen && isNameByte(s[j-1]) {
		j--
	}
	name := s[j:nameEnd]
	if name == "" || nameEnd-j > maxNameLen {
		return
	}
	if quote != 0 {
		if j == lineStart || s[j-1] != quote {
			return
		}
		j--
	}
	if index {
		if quote == 0 || j == lineStart || s[j-1] != '[' {
			return
		}
		j--
	}
	// A comma joins arguments and elements; only a quoted name before it
	// says what the next one is, as in Setenv("TOKEN", "...").
	if op == "," && quote == 0 {
		return
	}
	if !secretName(name) {
		return
	}

	// The value.
	v := opEnd
	for v < len(s) && isBlank(s[v]) {
		v++
	}
	if strings.HasPrefix(s[v:], "[]byte(") {
		v += len("[]byte(")
	}
	lineEnd := r.lineEndFrom(v)
	if v >= lineEnd {
		return
	}
	var vs, ve int
	if c := s[v]; isQuote(c) {
		vs = v + 1
		ve = r.closing(vs, lineEnd, c)
	} else {
		atLineStart := lineHeadBlank(s[lineStart:j])
		if op != "=" && op != ":" || !inString && !atLineStart {
			return
		}
		vs = skipAuthScheme(s, v, lineEnd)
		ve = r.unquotedEnd(vs, lineEnd)
		if !inString && !restBlank(s[ve:lineEnd]) {
			return
		}
	}
	vs = skipAuthScheme(s, vs, ve)
	if k, ok := classify(name, s[vs:ve]); ok {
		r.add(vs, ve, k, r.newGroup())
	}
}

// lineEndFrom returns the index of the first newline at or after v, or
// len(s). Operators come in order, so the last answer usually still holds.
func (r *redactor) lineEndFrom(v int) int {
	if v <= r.lineEnd {
		return r.lineEnd
	}
	if k := strings.IndexByte(r.s[v:], '\n'); k >= 0 {
		r.lineEnd = v + k
	} else {
		r.lineEnd = len(r.s)
	}
	return r.lineEnd
}

// closing returns the index of the quote that closes a literal whose
// contents start at vs, or lineEnd if it does not close on this line.
func (r *redactor) closing(vs, lineEnd int, quote byte) int {
	q := strings.IndexByte("\"'`", quote)
	if r.openLine[q] == lineEnd && r.openFrom[q] <= vs {
		return lineEnd // known: no closing quote from before here to the line end
	}
	s := r.s
	for i := vs; i < lineEnd; i++ {
		switch s[i] {
		case quote:
			return i
		case '\\':
			if quote != '`' {
				i++
			}
		}
	}
	r.openFrom[q], r.openLine[q] = vs, lineEnd
	return lineEnd
}

// unquotedEnd returns where an unquoted value starting at vs ends.
func (r *redactor) unquotedEnd(vs, lineEnd int) int {
	if r.uqFrom <= vs && vs < r.uqTo {
		return r.uqTo
	}
	i := vs
	for i < lineEnd && strings.IndexByte(" \t\r\"'`,;&(){}[]<>\\", r.s[i]) < 0 {
		i++
	}
	r.uqFrom, r.uqTo = vs, i
	return i
}

// skipAuthScheme skips an HTTP authorization scheme that starts a value:
// in "Bearer abc" the secret is abc.
func skipAuthScheme(s string, vs, ve int) int {
	for _, scheme := range []string{"bearer ", "basic ", "token "} {
		if ve-vs > len(scheme) && strings.EqualFold(s[vs:vs+len(scheme)], scheme) {
			vs += len(scheme)
			for vs < ve && s[vs] == ' ' {
				vs++
			}
			return vs
		}
	}
	return vs
}

// lineHeadBlank reports whether what comes before a name on its line leaves
// the name at the start of a statement of an env file or YAML document:
// blanks, then perhaps "export " or "- ".
func lineHeadBlank(head string) bool {
	head = strings.TrimLeft(head, " \t")
	return head == "" || head == "export " || head == "- "
}

// restBlank reports whether rest, what follows a value on its line, is
// blank or a comment.
func restBlank(rest string) bool {
	rest = strings.TrimLeft(rest, " \t\r")
	return rest == "" || strings.HasPrefix(rest, "#") || strings.HasPrefix(rest, "//")
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func isQuote(c byte) bool { return c == '"' || c == '\'' || c == '`' }

func isNameByte(c byte) bool { return class[c]&b64url != 0 || c == '.' }

// secretName reports whether name, case folded, contains key, secret, token,
// passwd, password, pwd, credential or auth, other than inside a word that
// merely contains one: author, tokenizer, keyboard, monkey.
//
// It runs at most operators of every region, so it reads name once and
// looks for a word only where one of their first letters is.
func secretName(name string) bool {
	for i := 0; i < len(name); i++ {
		var w string
		switch lower(name[i]) {
		case 'k':
			w = "key"
		case 's':
			w = "secret"
		case 't':
			w = "token"
		case 'p':
			switch {
			case hasPrefixFold(name[i:], "passwd"):
				w = "passwd"
			case hasPrefixFold(name[i:], "password"):
				w = "password"
			default:
				w = "pwd"
			}
		case 'c':
			w = "credential"
		case 'a':
			w = "auth"
		default:
			continue
		}
		if hasPrefixFold(name[i:], w) && !innocent(name, i, w) {
			return true
		}
	}
	return false
}

// innocentWords contain a secret word without being about secrets.
var innocentWords = []string{"author", "tokeniz", "keyboard", "keyword", "keystroke", "hotkey", "monkey", "donkey", "turkey", "hockey", "jockey", "whiskey"}

// innocentAt lists, for each secret word, the innocent words holding it and
// where.
var innocentAt = func() map[string][]innocentWord {
	m := map[string][]innocentWord{}
	for _, w := range []string{"key", "secret", "token", "passwd", "password", "pwd", "credential", "auth"} {
		for _, iw := range innocentWords {
			if o := strings.Index(iw, w); o >= 0 {
				m[w] = append(m[w], innocentWord{iw, o})
			}
		}
	}
	return m
}()

type innocentWord struct {
	word   string
	offset int // of the secret word within it
}

// innocent reports whether the secret word w at name[i:] is part of one of
// the innocentWords.
func innocent(name string, i int, w string) bool {
	for _, iw := range innocentAt[w] {
		if i < iw.offset || !hasPrefixFold(name[i-iw.offset:], iw.word) {
			continue
		}
		// Authorization is about secrets; author is not.
		if iw.word == "author" && hasPrefixFold(name[i-iw.offset:], "authoriz") {
			continue
		}
		return true
	}
	return false
}

// hasPrefixFold reports whether s starts with prefix, a lowercase ASCII word,
// ignoring case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// classify says what kind of secret value is, assigned to name, if any.
func classify(name, value string) (kind, bool) {
	if len(value) == 40 && run(value, b64std) == 40 && distinct(value, 10) >= 10 &&
		containsFold(name, "aws") && containsFold(name, "secret") {
		return kindAWSSecret, true
	}
	if randomLooking(value) {
		return kindGenericSecret, true
	}
	return 0, false
}

// randomLooking reports whether v, the value of a secret-like name, looks
// like a generated secret rather than a word, path, placeholder or format.
func randomLooking(v string) bool {
	if len(v) < minGenericLen {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if class[c]&alnum != 0 {
			continue
		}
		// Spaces and brackets are prose, regular expressions or code;
		// quotes and backslashes are code.
		if strings.IndexByte("_-.+/=~!@#$^&*:;,?%", c) < 0 {
			return false
		}
	}
	if distinct(v, 4) < 4 || placeholder(v) || strings.Contains(v, "://") || isUUID(v) || isEmail(v) || isTimestamp(v) || wordLike(v) {
		return false
	}
	return entropy(v) >= entropyThreshold
}

// placeholder reports whether v stands for a secret rather than being one:
// changeme, xxx, ***, <token>, ${TOKEN}, $TOKEN, {{ .Token }}.
func placeholder(v string) bool {
	if v[0] == '$' || strings.ContainsAny(v, "<>") || strings.Contains(v, "${") || strings.Contains(v, "{{") {
		return true
	}
	// Case matters for xxx: placeholders are one case, and random tokens
	// hold xXx or XxX often enough to matter.
	if strings.Contains(v, "xxx") || strings.Contains(v, "XXX") {
		return true
	}
	for _, p := range []string{"***", "...", "changeme", "change_me", "change-me", "placeholder", "redacted", "your_", "your-"} {
		if containsFold(v, p) {
			return true
		}
	}
	return false
}

// wordLike reports whether v reads as words or identifiers joined by the
// separators of paths, hosts and names: "secondlook.answers.v1",
// "AuthorizationHeader", "testdata/server.key", "signing-key-2024". Each
// segment is letters, then at most three digits (sha256, v2, x509), or a
// number; its letters are one case or camel case.
func wordLike(v string) bool {
	for i := 0; i < len(v); i++ {
		if class[v[i]]&alnum == 0 && strings.IndexByte("./-_:@+", v[i]) < 0 {
			return false
		}
	}
	for seg := range strings.FieldsFuncSeq(v, func(r rune) bool { return r >= 0x80 || class[r]&alnum == 0 }) {
		letters := run(seg, letter)
		digits := run(seg[letters:], digit)
		if letters+digits != len(seg) || letters > 0 && digits > 3 || !camel(seg[:letters]) {
			return false
		}
	}
	return true
}

// camel reports whether letters are all one case, or camel case: at most a
// third capitals, and every run of lower case between capitals at least two
// long (OAuthBearerToken, XMLHttpRequest, keyId; not AFwMozXEa, which is
// what random letters give). Identifiers heavy with acronyms fail; a false
// redaction is the cheaper mistake.
func camel(letters string) bool {
	ups := 0
	for i := 0; i < len(letters); i++ {
		if class[letters[i]]&upper != 0 {
			ups++
		}
	}
	if ups == len(letters) {
		return true
	}
	if 3*ups > len(letters) {
		return false
	}
	for i := 0; i < len(letters); {
		if class[letters[i]]&upper != 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(letters) && class[letters[j]]&upper == 0 {
			j++
		}
		if j-i == 1 && i > 0 && j < len(letters) {
			return false
		}
		i = j
	}
	return true
}

// isUUID reports whether v is 8-4-4-4-12 hex digits.
func isUUID(v string) bool {
	if len(v) != 36 {
		return false
	}
	for i := 0; i < len(v); i++ {
		switch i {
		case 8, 13, 18, 23:
			if v[i] != '-' {
				return false
			}
		default:
			if !isHex(v[i]) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isEmail reports whether v is local@domain.tld.
func isEmail(v string) bool {
	at := strings.IndexByte(v, '@')
	if at <= 0 || strings.Count(v, "@") != 1 {
		return false
	}
	domain := v[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && len(domain)-dot > 2 && run(domain[dot+1:], letter) == len(domain)-dot-1
}

// isTimestamp reports whether v starts like an RFC 3339 date, 2006-01-02.
func isTimestamp(v string) bool {
	return len(v) >= 10 && run(v[:4], digit) == 4 && v[4] == '-' && run(v[5:7], digit) == 2 && v[7] == '-' && run(v[8:10], digit) == 2
}

// containsFold reports whether s contains sub, a lowercase ASCII string,
// ignoring case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasPrefixFold(s[i:], sub) {
			return true
		}
	}
	return false
}

// userinfo redacts the password of a URL's userinfo, scheme://user:pass@host,
// where i is just past the "://". The user stays; it says whose account.
func (r *redactor) userinfo(i int) {
	s := r.s
	j := i
	for j < len(s) && strings.IndexByte(" \t\r\n\"'`/?#\\<>", s[j]) < 0 {
		j++
	}
	authority := s[i:j]
	// As net/url does, the last @ ends the userinfo: passwords are meant
	// to escape their @s, and people do not.
	atSign := strings.LastIndexByte(authority, '@')
	if atSign < 0 {
		return
	}
	colon := strings.IndexByte(authority[:atSign], ':')
	if colon < 0 {
		return
	}
	pass := authority[colon+1 : atSign]
	if pass == "" || urlPlaceholder(pass) {
		return
	}
	r.add(i+colon+1, i+atSign, kindURLPassword, r.newGroup())
}

// urlPlaceholder reports whether a URL's password is a stand-in, as in
// postgres://user:password@localhost or "https://%s:%s@%s".
func urlPlaceholder(pass string) bool {
	switch strings.ToLower(pass) {
	case "password", "pass", "passwd", "pwd", "secret", "changeme", "pw":
		return true
	}
	return pass[0] == '%' || placeholder(pass)
}
