package vulndb

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		summary, cwe string
		kind         string
	}{
		{"Race condition in session handling", "", "data-race"},
		{"Path traversal in archive extraction", "", "path-traversal"},
		{"Panic due to integer overflow when parsing", "", "integer-overflow"},
		{"Denial of service via nil pointer dereference", "", "nil-dereference"},
		{"Index out of range panic in decoder", "", "out-of-bounds"},
		{"Panic on malformed input", "", "panic"},
		{"Cross-site scripting in templates", "", "injection"},
		{"Improper signature verification", "", "insecure-crypto"},
		{"Authorization bypass in github.com/pion/webrtc", "", "insecure-crypto"}, // from the description
		{"Excessive memory allocation on crafted frames", "", "logic-error"},
		{"Authorization bypass", "", "logic-error"},
		{"Improper input validation", "CWE-476: NULL Pointer Dereference", "nil-dereference"},
		{"Memory leak in connection pool", "", "resource-leak"},
		{"Memory leak when rejecting channels can lead to DoS in golang.org/x/crypto/ssh", "", "resource-leak"},
		{"Improper error handling in ParseWithClaims", "", "error-handling"},
	} {
		r := &Report{Summary: tc.summary}
		if strings.HasPrefix(tc.summary, "Authorization bypass in") {
			r.Description = "Due to a crafted certificate, connections stay open."
		}
		if tc.cwe != "" {
			r.CVEMetadata = &struct {
				CWE string `yaml:"cwe"`
			}{tc.cwe}
		}
		if kind, _ := Classify(r); kind != tc.kind {
			t.Errorf("%q (%s): %s, want %s", tc.summary, tc.cwe, kind, tc.kind)
		}
	}
}
