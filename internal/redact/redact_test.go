package redact

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// The secrets below are made at run time from a seeded generator, and their
// prefixes are split ("gh"+"p_"), so that this file holds nothing a secret
// scanner would stop a push for.

const (
	upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	alnums      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b64urls     = alnums + "-_"
	b64s        = alnums + "+/"
	hexes       = "0123456789abcdef"
	symbols     = alnums + "!@#%^&*"
)

type gen struct{ rng *rand.Rand }

func newGen() *gen { return &gen{rand.New(rand.NewPCG(1, 2))} }

// s returns prefix and n bytes drawn from chars.
func (g *gen) s(prefix, chars string, n int) string {
	b := []byte(prefix)
	for range n {
		b = append(b, chars[g.rng.IntN(len(chars))])
	}
	return string(b)
}

// pemKey returns a private key block under label with body lines of 64
// base64 bytes, and those lines.
func (g *gen) pemKey(label string, lines int) (block string, body []string) {
	for i := range lines {
		n := 64
		if i == lines-1 {
			n = 28
		}
		body = append(body, g.s("", b64s, n))
	}
	body[len(body)-1] += "=="
	block = "-----BEGIN " + label + "-----\n" + strings.Join(body, "\n") + "\n-----END " + label + "-----\n"
	return block, body
}

// A secretCase is some Go (or a file Go code carries) with one secret in it.
type secretCase struct {
	name    string
	kind    kind
	text    string   // {{S}} marks where the secret goes
	secrets []string // what must not survive; the first replaces {{S}}
	cut     bool     // a key cut by the region's edge, which only makes sense at one
}

func (c secretCase) input() string {
	return strings.ReplaceAll(c.text, "{{S}}", c.secrets[0])
}

func secretCases() []secretCase {
	g := newGen()
	one := func(name string, kind kind, text, secret string) secretCase {
		return secretCase{name: name, kind: kind, text: text, secrets: []string{secret}}
	}
	aws := "AK" + "IA"
	cases := []secretCase{
		one("aws key id", kindAWSKeyID,
			`creds := credentials.NewStaticCredentialsProvider("{{S}}", secretKey, "")`, g.s(aws, upperDigits, 16)),
		one("aws session key id", kindAWSKeyID,
			`t.Setenv("AWS_ACCESS_KEY_ID", "{{S}}")`, g.s("AS"+"IA", upperDigits, 16)),
		one("aws secret const", kindAWSSecret,
			`const awsSecretAccessKey = "{{S}}"`, g.s("", b64s, 40)),
		one("aws secret env", kindAWSSecret,
			`AWS_SECRET_ACCESS_KEY={{S}}`, g.s("", b64s, 40)),
		one("aws secret ini", kindAWSSecret,
			`aws_secret_access_key = {{S}}`, g.s("", b64s, 40)),
		one("github classic", kindGitHub,
			`client := github.NewClient(nil).WithAuthToken("{{S}}")`, g.s("gh"+"p_", alnums, 36)),
		one("github oauth header", kindGitHub,
			`req.Header.Set("Authorization", "token {{S}}")`, g.s("gh"+"o_", alnums, 36)),
		one("github user-to-server", kindGitHub,
			`ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "{{S}}"})`, g.s("gh"+"u_", alnums, 36)),
		one("github app in yaml", kindGitHub,
			`    token: {{S}}`, g.s("gh"+"s_", alnums, 36)),
		one("github refresh", kindGitHub,
			`refresh := "{{S}}"`, g.s("gh"+"r_", alnums, 36)),
		one("github fine-grained in comment", kindGitHub,
			`// export GITHUB_TOKEN={{S}}`, g.s("github"+"_pat_", alnums, 22)+"_"+g.s("", alnums, 59)),
		one("gitlab", kindGitLab,
			`git, err := gitlab.NewClient("{{S}}", gitlab.WithBaseURL(base))`, g.s("gl"+"pat-", b64urls, 20)),
		one("slack bot", kindSlack,
			`api := slack.New("{{S}}")`, "xo"+"xb-"+g.s("", "0123456789", 12)+"-"+g.s("", "0123456789", 13)+"-"+g.s("", alnums, 24)),
		one("slack user in json", kindSlack,
			`body := `+"`"+`{"token": "{{S}}", "channel": "C024BE91L"}`+"`", "xo"+"xp-"+g.s("", "0123456789", 12)+"-"+g.s("", alnums, 32)),
		one("slack app", kindSlack,
			`{name: "legacy", tok: "{{S}}"},`, "xo"+"xa-2-"+g.s("", alnums, 30)),
		one("slack webhook", kindSlackWebhook,
			`const alerts = "https://hooks.slack.com/services/{{S}}"`, g.s("T", upperDigits, 8)+"/"+g.s("B", upperDigits, 10)+"/"+g.s("", alnums, 24)),
		one("stripe live", kindStripe,
			`stripe.Key = "{{S}}"`, g.s("sk"+"_live_", alnums, 24)),
		one("stripe restricted", kindStripe,
			`sc := client.New("{{S}}", nil)`, g.s("rk"+"_live_", alnums, 99)),
		one("stripe test in table", kindStripe,
			`{name: "charge", key: "{{S}}", amount: 2000},`, g.s("sk"+"_test_", alnums, 24)),
		one("google api key in query", kindGoogleAPI,
			`u := "https://maps.googleapis.com/maps/api/geocode/json?key={{S}}&address=" + url.QueryEscape(addr)`, g.s("AI"+"za", b64urls, 35)),
		one("google oauth secret", kindGoogleOAuth,
			`conf := &oauth2.Config{ClientID: "1234.apps.googleusercontent.com", ClientSecret: "{{S}}"}`, g.s("GOC"+"SPX-", b64urls, 28)),
		one("openai legacy", kindOpenAI,
			`client := openai.NewClient("{{S}}")`, g.s("sk"+"-", alnums, 48)),
		one("openai project", kindOpenAI,
			`cfg := openai.DefaultConfig("{{S}}")`, g.s("sk"+"-proj-", b64urls, 156)),
		one("openai service account env", kindOpenAI,
			`OPENAI_API_KEY={{S}}`, g.s("sk"+"-svcacct-", b64urls, 120)),
		one("anthropic", kindAnthropic,
			`client := anthropic.NewClient(option.WithAPIKey("{{S}}"))`, g.s("sk"+"-ant-api03-", b64urls, 93)+"AA"),
		one("jwt bearer", kindJWT,
			`req.Header.Set("Authorization", "Bearer {{S}}")`, "ey"+"J"+g.s("hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "", 0)+"."+"ey"+"J"+g.s("", b64urls, 60)+"."+g.s("", b64urls, 43)),
		one("jwt in test fixture", kindJWT,
			`const fixture = "{{S}}"`, "ey"+"J"+g.s("", b64urls, 30)+".ey"+"J"+g.s("", b64urls, 90)+"."+g.s("", b64urls, 86)),
		one("sendgrid", kindSendGrid,
			`client := sendgrid.NewSendClient("{{S}}")`, "S"+"G."+g.s("", b64urls, 22)+"."+g.s("", b64urls, 43)),
		one("twilio api key sid", kindTwilio,
			`tw := twilio.NewRestClientWithParams(twilio.ClientParams{Username: "{{S}}", Password: secret})`, g.s("S"+"K", hexes, 32)),
		one("npm", kindNPM,
			`//registry.npmjs.org/:_authToken={{S}}`, g.s("np"+"m_", alnums, 36)),
		one("hugging face", kindHuggingFace,
			`HF_TOKEN={{S}}`, g.s("h"+"f_", alnums, 34)),
		one("postgres url", kindURLPassword,
			`dsn := "postgres://orders:{{S}}@db.internal:5432/orders?sslmode=require"`, g.s("", alnums, 18)),
		one("mongodb srv url", kindURLPassword,
			`uri := "mongodb+srv://admin:{{S}}@cluster0.abcde.mongodb.net/?retryWrites=true"`, g.s("", alnums, 12)),
		one("git remote with token", kindURLPassword,
			`remote := "https://x-access-token:{{S}}@git.example.com/team/repo.git"`, g.s("", b64urls, 40)),
		one("short url password", kindURLPassword,
			`redis.NewClient(&redis.Options{Addr: "redis://cache:pw1x@redis:6379/0"})`, "pw1x"),
		one("url password with at", kindURLPassword,
			`amqp := "amqp://guest:{{S}}@rabbit:5672/"`, "p@ss"+g.s("", alnums, 8)),
		one("generic api key const", kindGenericSecret,
			`const apiKey = "{{S}}"`, g.s("", alnums, 32)),
		one("generic password field", kindGenericSecret,
			`	Password: "{{S}}",`, g.s("", symbols, 20)),
		one("generic json client_secret", kindGenericSecret,
			`	"client_secret": "{{S}}",`, g.s("", b64urls, 40)),
		one("generic env password", kindGenericSecret,
			`DB_PASSWORD={{S}}`, g.s("", symbols, 24)),
		one("generic setenv", kindGenericSecret,
			`t.Setenv("SERVICE_TOKEN", "{{S}}")`, g.s("", hexes, 40)),
		one("generic compare", kindGenericSecret,
			`if apiKey != "{{S}}" {`, g.s("", alnums, 28)),
		one("generic byte slice", kindGenericSecret,
			`var hmacSecret = []byte("{{S}}")`, g.s("", b64s, 44)),
		one("generic map index", kindGenericSecret,
			`headers["X-Auth-Token"] = "{{S}}"`, g.s("", alnums, 32)),
		one("generic dsn keyword", kindGenericSecret,
			`dsn := "host=db user=app password={{S}} dbname=app sslmode=require"`, g.s("", alnums, 20)),
		one("generic yaml", kindGenericSecret,
			`  api_key: {{S}}`, g.s("", alnums, 32)),
		one("generic curl bearer", kindGenericSecret,
			`cmd := exec.Command("curl", "-H", "Authorization: Bearer {{S}}", u)`, g.s("", b64urls, 40)),
		one("generic twilio auth token", kindGenericSecret,
			`twilioAuthToken := "{{S}}"`, g.s("", hexes, 32)),
		one("generic php-style", kindGenericSecret,
			`$config = ['secret' => '{{S}}'];`, g.s("", alnums, 24)),
		one("generic raw string", kindGenericSecret,
			"var signingKey = `{{S}}`", g.s("", b64s, 64)),
	}

	rsa, rsaBody := g.pemKey("RSA PRIVATE KEY", 25)
	cases = append(cases, secretCase{"pem rsa raw string", kindPrivateKey,
		"var testKey = `" + rsa + "`\n\nfunc init() { parse(testKey) }\n", rsaBody, false})

	ec, ecBody := g.pemKey("EC PRIVATE KEY", 3)
	var concat strings.Builder
	for _, line := range strings.SplitAfter(strings.TrimSuffix(ec, "\n"), "\n") {
		concat.WriteString("\t\"" + strings.TrimSuffix(line, "\n") + "\\n\" +\n")
	}
	cases = append(cases, secretCase{"pem ec concatenated", kindPrivateKey,
		"const ecKey = \"\" +\n" + concat.String() + "\t\"\"\n", ecBody, false})

	ossh, osshBody := g.pemKey("OPENSSH PRIVATE KEY", 7)
	cases = append(cases, secretCase{"pem openssh in file", kindPrivateKey, ossh, osshBody, false})

	pgp, pgpBody := g.pemKey("PGP PRIVATE KEY BLOCK", 12)
	pgp = strings.Replace(pgp, "-----\n", "-----\nVersion: GnuPG v2\n\n", 1)
	cases = append(cases, secretCase{"pem pgp armor", kindPrivateKey, pgp, pgpBody, false})

	pk, pkBody := g.pemKey("PRIVATE KEY", 4)
	cases = append(cases, secretCase{"pem pkcs8 escaped one line", kindPrivateKey,
		"key := \"" + strings.ReplaceAll(pk, "\n", `\n`) + "\"\n", pkBody, false})

	enc, encBody := g.pemKey("ENCRYPTED PRIVATE KEY", 5)
	cases = append(cases, secretCase{"pem encrypted", kindPrivateKey, "keyPEM := []byte(`" + enc + "`)\n", encBody, false})

	// A shell line continuation after each line: a backslash before a
	// line break escapes nothing of the key, and the lines stay.
	sh, shBody := g.pemKey("RSA PRIVATE KEY", 4)
	cases = append(cases, secretCase{"pem continued lines", kindPrivateKey,
		"cmd := `echo \"" + strings.ReplaceAll(strings.TrimSuffix(sh, "\n"), "\n", "\\\n") + "\" > key.pem`\n", shBody, false})

	cut, cutBody := g.pemKey("RSA PRIVATE KEY", 6)
	cut = cut[:strings.Index(cut, cutBody[3])+20]
	cases = append(cases, secretCase{"pem cut after begin", kindPrivateKey, "var k = `" + cut, append(cutBody[:3:3], cutBody[3][:20]), true})

	tail, tailBody := g.pemKey("EC PRIVATE KEY", 6)
	tail = tail[strings.Index(tail, tailBody[2])+10:]
	cases = append(cases, secretCase{"pem cut before end", kindPrivateKey, tail + "`\n\nfunc f() {}\n", append([]string{tailBody[2][10:]}, tailBody[3:]...), true})
	return cases
}

func lines(s string) int { return strings.Count(s, "\n") }

func TestSecrets(t *testing.T) {
	for _, c := range secretCases() {
		t.Run(c.name, func(t *testing.T) {
			in := c.input()
			out, n := Redact(in)
			for _, secret := range c.secrets {
				if strings.Contains(out, secret) {
					t.Errorf("secret %q survives in:\n%s", secret, out)
				}
			}
			if n != 1 {
				t.Errorf("Redact counted %d secrets, want 1; output:\n%s", n, out)
			}
			if want := "[REDACTED:" + c.kind.String() + "]"; !strings.Contains(out, want) {
				t.Errorf("output lacks %s:\n%s", want, out)
			}
			if lines(out) != lines(in) {
				t.Errorf("output has %d lines, input %d:\n%s", lines(out), lines(in), out)
			}
		})
	}
}

// TestSecretsInAFile runs every case but the cut keys as one file, with the
// clean corpus between them: nothing leaks, each counts once.
func TestSecretsInAFile(t *testing.T) {
	clean := cleanCorpus(t)
	cases := slices.DeleteFunc(secretCases(), func(c secretCase) bool { return c.cut })
	var b strings.Builder
	for i, c := range cases {
		b.WriteString(clean[i*len(clean)/len(cases) : (i+1)*len(clean)/len(cases)])
		b.WriteString("\n" + c.input() + "\n")
	}
	in := b.String()
	out, n := Redact(in)
	if n != len(cases) {
		t.Errorf("Redact counted %d secrets, want %d", n, len(cases))
	}
	for _, c := range cases {
		for _, secret := range c.secrets {
			if strings.Contains(out, secret) {
				t.Errorf("%s: secret %q survives", c.name, secret)
			}
		}
	}
	if lines(out) != lines(in) {
		t.Errorf("output has %d lines, input %d", lines(out), lines(in))
	}
}

func TestKindsAllTested(t *testing.T) {
	tested := map[string]bool{}
	for _, c := range secretCases() {
		tested[c.kind.String()] = true
	}
	kinds := Kinds()
	if !slices.IsSorted(kinds) {
		t.Errorf("Kinds() is not sorted: %v", kinds)
	}
	for _, k := range kinds {
		if !tested[k] {
			t.Errorf("kind %s has no secret case", k)
		}
		delete(tested, k)
	}
	for k := range tested {
		t.Errorf("secret case of kind %s, which Kinds() does not list", k)
	}
}

func cleanCorpus(t testing.TB) string {
	b, err := os.ReadFile("testdata/clean.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestClean holds the false-positive rate on ordinary Go at zero: each
// redaction here would be a literal the model cannot see.
func TestClean(t *testing.T) {
	in := cleanCorpus(t)
	out, n := Redact(in)
	t.Logf("clean corpus: %d lines, %d redactions", lines(in), n)
	if n != 0 {
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, "[REDACTED:") {
				t.Errorf("false redaction: %s", line)
			}
		}
	}
	if out != in {
		t.Errorf("Redact changed the clean corpus but counted %d", n)
	}
}

// TestGenericRates holds how often a random secret of the given alphabet
// and length, assigned to a secret-like name, escapes the generic rule: by
// entropy too low for its length, or by reading as an identifier.
func TestGenericRates(t *testing.T) {
	g := newGen()
	for _, c := range []struct {
		name  string
		chars string
		n     int
	}{
		{"hex", hexes, 16},
		{"hex", hexes, 32},
		{"alnum", alnums, 16},
		{"alnum", alnums, 20},
		{"alnum", alnums, 32},
		{"base64url", b64urls, 24},
		{"password", symbols, 16},
	} {
		const tries = 5000
		missed := 0
		for range tries {
			secret := g.s("", c.chars, c.n)
			if out, _ := Redact(`apiKey := "` + secret + `"`); strings.Contains(out, secret) {
				missed++
			}
		}
		t.Logf("%s of %d bytes: %d of %d missed", c.name, c.n, missed, tries)
		if missed > tries/100 {
			t.Errorf("%s of %d bytes: %d of %d missed; want at most 1%%", c.name, c.n, missed, tries)
		}
	}
}

// TestApplyKeepsLines holds the guarantee that lines stay put even for a
// span across lines, which no rule makes today.
func TestApplyKeepsLines(t *testing.T) {
	r := redactor{s: "a := `x\ny\nz`\nb := 1\n"}
	r.add(6, 11, kindGenericSecret, r.newGroup())
	out, n := r.apply()
	if want := "a := `[REDACTED:generic-secret]\n\n`\nb := 1\n"; out != want || n != 1 {
		t.Errorf("apply = %q, %d; want %q, 1", out, n, want)
	}
}

// TestKeep lists lines that look near a secret and are not one.
func TestKeep(t *testing.T) {
	for _, line := range []string{
		`apiKey := os.Getenv("API_KEY")`,
		`token := "${TOKEN}"`,
		`password: "changeme",`,
		`secret := "<token>"`,
		`Token: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",`,
		`key := "AKIAXXXXXXXXXXXXXXXX"`,
		`key: "a1b2a1b2a1b2a1b2a1b2",`,
		`password := "1q2w1q2w1q2w1q2w"`,
		`apiKey := "your_api_key_9f8e7d6c"`,
		`Secret: "Change_Me_2b4d6f8h0j",`,
		`// set OPENAI_API_KEY to sk-... before running`,
		`id := "550e8400-e29b-41d4-a716-446655440000"`,
		`secretID := "550e8400-e29b-41d4-a716-446655440000"`,
		`want: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d08c0a6d0a08"`,
		`golang.org/x/crypto v0.31.0 h1:ihbySMvVjLAeSH1IbfcRTkD/iNscWz8vDOF9c7kKWE0=`,
		`import auth "github.com/secondlook/secondlook/internal/auth/token"`,
		`u := "https://api.github.com/repos/secondlook/secondlook/actions/secrets"`,
		`cacheKey := fmt.Sprintf("%s:%s:%d", user, repo, n)`,
		`keyFile := "/etc/ssl/private/server.key"`,
		`tokenRE := regexp.MustCompile("^[A-Za-z0-9]{36}$")`,
		`authorID: "octocat-1234567890",`,
		`monkeyPatch := "monkey_patch_enabled_v2"`,
		`keyboardLayout := "us-international-altgr"`,
		`tokenizer := "o200k_base_tokenizer_v1"`,
		`[REDACTED:github-token] and key := "[REDACTED:generic-secret]"`,
		`-----BEGIN CERTIFICATE-----`,
		`-----BEGIN PUBLIC KEY-----`,
		`// -------------------------------------------------------------`,
		`fmt.Println("API key:", maskedKey)`,
		`if r.URL.User != nil { return errors.New("https://user:pass@host is not allowed") }`,
		`dsn := fmt.Sprintf("postgres://%s:%s@%s/%s", user, pass, host, db)`,
		`risk-assessment-for-task-scheduling-2024`,
		`skip-verification-of-ssl-certificates-123`,
	} {
		if out, n := Redact(line); n != 0 || out != line {
			t.Errorf("Redact(%s) = %s, %d; want it unchanged", line, out, n)
		}
	}
}

// TestIdempotent: redacted text redacts to itself, so a region redacted
// twice (cached, then re-sent) is stable.
func TestIdempotent(t *testing.T) {
	for _, c := range secretCases() {
		once, _ := Redact(c.input())
		twice, n := Redact(once)
		if n != 0 || twice != once {
			t.Errorf("%s: second Redact changed %d:\n%s\n->\n%s", c.name, n, once, twice)
		}
	}
}

// TestAdversarial feeds inputs built to make a careless scanner quadratic or
// to confuse its state, and checks the result is still well formed.
func TestAdversarial(t *testing.T) {
	for name, in := range adversarial(1 << 16) {
		out, _ := Redact(in)
		if lines(out) != lines(in) {
			t.Errorf("%s: %d lines out, %d in", name, lines(out), lines(in))
		}
	}
	// A secret after a long run of near misses is still found.
	secret := newGen().s("gh"+"p_", alnums, 36)
	in := strings.Repeat("sk-", 10000) + " token: " + secret
	if out, _ := Redact(in); strings.Contains(out, secret) {
		t.Error("secret after 10000 near misses survives")
	}
}

func adversarial(n int) map[string]string {
	rep := func(s string) string { return strings.Repeat(s, n/len(s)+1)[:n] }
	return map[string]string{
		"dashes":           rep("-"),
		"begins":           rep("-----BEGIN RSA PRIVATE KEY-----"),
		"ends":             rep("-----END RSA PRIVATE KEY-----"),
		"begin then text":  "-----BEGIN PRIVATE KEY-----\n" + rep("ab\n"),
		"sk runs":          rep("sk-sk_"),
		"jwt dots":         rep("eyJ."),
		"jwt segments":     rep("eyJabcdefghijk."),
		"secret ops":       rep("token:"),
		"secret ops eq":    rep("password="),
		"unclosed quotes":  rep(`key:"`),
		"unclosed raw":     rep("key:`"),
		"quoted names":     rep(`"token",`),
		"url schemes":      rep("a://"),
		"url userinfo":     rep("a://u:p@"),
		"long name":        rep("tokentokentoken") + "=abc",
		"base64 one line":  rep("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="),
		"escapes":          rep(`"\n`),
		"long line of key": "key = " + rep("a1B2c3D4"),
	}
}

func BenchmarkRedact(b *testing.B) {
	// 100 KB of Go: the clean corpus over and over, with a secret every
	// few hundred lines, as a region full of ordinary code would be.
	clean := cleanCorpus(b)
	cases := secretCases()
	var sb strings.Builder
	for i := 0; sb.Len() < 100<<10; i++ {
		sb.WriteString(clean)
		sb.WriteString(cases[i%len(cases)].input() + "\n")
	}
	in := sb.String()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		Redact(in)
	}
}

// BenchmarkAdversarial shows the cost per byte stays flat as the input
// grows, for inputs built to find quadratic paths.
func BenchmarkAdversarial(b *testing.B) {
	for _, size := range []int{1 << 14, 1 << 18} {
		for name, in := range adversarial(size) {
			b.Run(fmt.Sprintf("%s/%dK", name, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				for b.Loop() {
					Redact(in)
				}
			})
		}
	}
}
