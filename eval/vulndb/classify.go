package vulndb

import (
	"regexp"
	"slices"
	"strings"

	"github.com/secondlook/secondlook/findings"
)

// A class maps what a report says of its bug to the catalogue's kind. The
// first class whose CWE or words match wins, so the specific come before the
// general: a "panic from an integer overflow" is an overflow, and a "denial
// of service" says how the bug hurts, not what it is.
type class struct {
	kind  string
	cwes  []string
	words *regexp.Regexp
}

var classes = []class{
	{"data-race", []string{"CWE-362", "CWE-366", "CWE-367"}, regexp.MustCompile(`\b(data race|race condition|concurrent (map|access|write)|racy)\b`)},
	{"deadlock", []string{"CWE-667", "CWE-833"}, regexp.MustCompile(`\bdeadlock`)},
	{"goroutine-leak", nil, regexp.MustCompile(`\bgoroutine leak`)},
	{"path-traversal", []string{"CWE-22", "CWE-23", "CWE-24", "CWE-36", "CWE-59"}, regexp.MustCompile(`\b(path|directory) traversal|zip ?slip|symlink|symbolic link|\.\./`)},
	{"injection", []string{"CWE-74", "CWE-77", "CWE-78", "CWE-79", "CWE-88", "CWE-89", "CWE-93", "CWE-94", "CWE-113", "CWE-117", "CWE-150", "CWE-601", "CWE-918", "CWE-1336"},
		regexp.MustCompile(`\binjection\b|cross[- ]site scripting|\bxss\b|\bcrlf\b|header smuggling|request smuggling|open redirect|server[- ]side request forgery|\bssrf\b|escap(e|ing) (of|sequences)|unescaped|sanitiz`)},
	{"insecure-crypto", []string{"CWE-208", "CWE-295", "CWE-297", "CWE-326", "CWE-327", "CWE-328", "CWE-330", "CWE-338", "CWE-347", "CWE-354"},
		regexp.MustCompile(`\bsignature|certificate|\btls\b|crypto|\bnonce|timing (attack|side)|\bjwt\b|\bhmac\b|weak random|predictable|ciphertext|encrypt`)},
	{"integer-overflow", []string{"CWE-190", "CWE-191", "CWE-681"}, regexp.MustCompile(`integer (overflow|underflow|truncation)|\boverflows?\b|wraparound`)},
	{"nil-dereference", []string{"CWE-476"}, regexp.MustCompile(`\bnil[- ](pointer|dereference|map)|null pointer|nil deref`)},
	{"out-of-bounds", []string{"CWE-125", "CWE-129", "CWE-787", "CWE-119", "CWE-131"}, regexp.MustCompile(`out[- ]of[- ](bounds|range)|index (out of range|error)|slice bounds|buffer over-?read|\bbounds check`)},
	{"resource-leak", []string{"CWE-401", "CWE-404", "CWE-772", "CWE-775"}, regexp.MustCompile(`\b(memory|file descriptor|connection|resource|handle|socket) leak|not (closed|released)`)},
	{"error-handling", []string{"CWE-252", "CWE-390", "CWE-391", "CWE-754", "CWE-755"}, regexp.MustCompile(`\b(unchecked|ignored|swallowed) error|error (is )?(ignored|not checked)|fails? open|improper error handling`)},
	{"panic", []string{"CWE-248", "CWE-369", "CWE-617", "CWE-704", "CWE-843"}, regexp.MustCompile(`\bpanic|\bcrash|divide by zero|division by zero|type (confusion|assertion)`)},
}

// Classify returns the catalogue kind and family a report's bug maps to.
// What is left — resource exhaustion, authentication and authorization
// bypasses, logic flaws in validation — is a logic error: code that does
// something other than what it means to do.
//
// The CWE, where the CVE record has one, decides; then the summary, the
// report's one-line statement of the bug; then the description, which also
// tells consequences and workarounds and so says more than the bug. Module
// paths are no words ("golang.org/x/crypto/ssh" is not about crypto).
func Classify(r *Report) (kind string, family findings.Family) {
	kind = "logic-error"
	cwe := ""
	if r.CVEMetadata != nil {
		cwe = r.CVEMetadata.CWE
	}
	summary, desc := words(r.Summary), words(r.Description)
	match := func(c class) bool { return matchesCWE(cwe, c.cwes) }
	for _, test := range []func(class) bool{
		match,
		func(c class) bool { return c.words.MatchString(summary) },
		func(c class) bool { return c.words.MatchString(desc) },
	} {
		if i := slices.IndexFunc(classes, test); i >= 0 {
			kind = classes[i].kind
			break
		}
	}
	family, _ = findings.KindFamily(kind)
	return kind, family
}

// words lowers a report's text and drops what looks like a module or
// package path.
func words(text string) string {
	fields := strings.Fields(strings.ToLower(text))
	fields = slices.DeleteFunc(fields, func(f string) bool { return strings.Contains(f, "/") || strings.Count(f, ".") > 1 })
	return strings.Join(fields, " ")
}

// matchesCWE reports whether a CVE record's CWE ("CWE-476: NULL Pointer
// Dereference") is one of ids.
func matchesCWE(cwe string, ids []string) bool {
	id, _, _ := strings.Cut(cwe, ":")
	id = strings.TrimSpace(id)
	for _, want := range ids {
		if id == want {
			return true
		}
	}
	return false
}
