package redact

import "strings"

// token tries the rules for tokens whose format names them at s[i], a word
// start, and returns the end of the token it redacted, or -1.
func (r *redactor) token(i int) int {
	s := r.s[i:]
	// body checks the token's variable part: long enough, and not a
	// placeholder such as AKIAXXXXXXXXXXXXXXXX.
	body := func(prefix, n, min int) bool {
		return n >= min && distinct(s[prefix:prefix+n], 6) >= 6
	}
	found := func(start, end int, k kind) int {
		r.add(i+start, i+end, k, r.newGroup())
		return i + end
	}
	switch s[0] {
	case 'A':
		if hasAnyPrefix(s, "AKIA", "ASIA", "ABIA", "ACCA") {
			if n := run(s[4:], upper|digit); n == 16 && class[at(s, 20)]&alnum == 0 && body(4, n, 16) {
				return found(0, 20, kindAWSKeyID)
			}
		}
		if strings.HasPrefix(s, "AIza") {
			if n := run(s[4:], b64url); n == 35 && body(4, n, 35) {
				return found(0, 39, kindGoogleAPI)
			}
		}
	case 'g':
		if len(s) > 4 && s[:2] == "gh" && strings.IndexByte("pousr", s[2]) >= 0 && s[3] == '_' {
			if n := run(s[4:], alnum); body(4, n, 36) {
				return found(0, 4+n, kindGitHub)
			}
		}
		if strings.HasPrefix(s, "github_pat_") {
			if n := run(s[11:], b64url); body(11, n, 22) {
				return found(0, 11+n, kindGitHub)
			}
		}
		if strings.HasPrefix(s, "glpat-") {
			if n := run(s[6:], b64url); body(6, n, 20) {
				return found(0, 6+n, kindGitLab)
			}
		}
	case 'G':
		if strings.HasPrefix(s, "GOCSPX-") {
			if n := run(s[7:], b64url); body(7, n, 20) {
				return found(0, 7+n, kindGoogleOAuth)
			}
		}
	case 'x':
		if len(s) > 5 && s[:3] == "xox" && strings.IndexByte("baprs", s[3]) >= 0 && s[4] == '-' {
			if n := run(s[5:], alnum|b64url); body(5, n, 10) {
				return found(0, 5+n, kindSlack)
			}
		}
	case 's', 'r':
		if hasAnyPrefix(s, "sk_live_", "sk_test_", "rk_live_", "rk_test_") {
			if n := run(s[8:], alnum); body(8, n, 16) {
				return found(0, 8+n, kindStripe)
			}
		}
		if strings.HasPrefix(s, "sk-ant-") {
			if n := run(s[7:], b64url); body(7, n, 20) {
				return found(0, 7+n, kindAnthropic)
			}
		}
		// OpenAI: sk-, sk-proj-, sk-svcacct-, sk-admin-. The digit keeps
		// out hyphenated words that happen to start with sk-.
		if strings.HasPrefix(s, "sk-") {
			if n := run(s[3:], b64url); body(3, n, 20) && strings.ContainsAny(s[3:3+n], "0123456789") {
				return found(0, 3+n, kindOpenAI)
			}
		}
	case 'e':
		if strings.HasPrefix(s, "eyJ") {
			if n := jwt(s); n > 0 {
				return found(0, n, kindJWT)
			}
		}
	case 'S':
		if strings.HasPrefix(s, "SG.") {
			a := run(s[3:], b64url)
			if a >= 16 && at(s, 3+a) == '.' {
				if b := run(s[4+a:], b64url); b >= 16 && body(3, a, 16) {
					return found(0, 4+a+b, kindSendGrid)
				}
			}
		}
		// A Twilio API key SID; its secret is caught by its name.
		if strings.HasPrefix(s, "SK") {
			if n := run(s[2:], lowerHex); n == 32 && class[at(s, 34)]&alnum == 0 && body(2, n, 32) {
				return found(0, 34, kindTwilio)
			}
		}
	case 'n':
		if strings.HasPrefix(s, "npm_") {
			if n := run(s[4:], alnum); body(4, n, 36) {
				return found(0, 4+n, kindNPM)
			}
		}
	case 'h':
		if strings.HasPrefix(s, "hf_") {
			if n := run(s[3:], alnum); body(3, n, 30) {
				return found(0, 3+n, kindHuggingFace)
			}
		}
		// The webhook's path is its secret; the host stays to say what
		// it was.
		const hook = "hooks.slack.com/services/"
		if strings.HasPrefix(s, hook) {
			if n := run(s[len(hook):], alnum|slash); body(len(hook), n, 10) {
				return found(len(hook), len(hook)+n, kindSlackWebhook)
			}
		}
	}
	return -1
}

// jwt returns the length of the JSON Web Token s starts with, or 0: three
// base64url segments joined by dots, the first starting eyJ ({"). The
// signature may be empty, as in an unsecured token.
func jwt(s string) int {
	a := run(s, b64url)
	if a < 10 || at(s, a) != '.' {
		return 0
	}
	b := run(s[a+1:], b64url)
	if b < 10 || at(s, a+1+b) != '.' {
		return 0
	}
	return a + 2 + b + run(s[a+2+b:], b64url)
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
