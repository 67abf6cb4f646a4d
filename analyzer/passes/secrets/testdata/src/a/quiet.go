package a

import (
	"fmt"
	"log"
	"net/http"
)

type Redacted struct {
	User     string
	Password string
}

// String hides the password, so printing a Redacted whole is fine.
func (r Redacted) String() string {
	if r.Password != "" {
		return r.User + ":***"
	}
	return r.User
}

type Settings struct {
	TokenURL     string
	SecretName   string
	PasswordFile string
	Timeout      int
}

type lexeme struct {
	token int // not text
}

func quiet(r Redacted, s Settings, lx lexeme, password string, n int) {
	log.Printf("user %v", r)                                                                  // String decides
	log.Printf("token from %s, secret %s, file %s", s.TokenURL, s.SecretName, s.PasswordFile) // names of secrets, not secrets
	fmt.Println(s)                                                                            // no secret field
	fmt.Println(lx.token)                                                                     // not text
	log.Printf("password length %d", len(password))                                           // the length, not the password
	if password == "" {
		log.Print("no password set")
	}
	_ = fmt.Sprint(n)
}

// Headers logged with the secret ones left out.
func logHeaders(h http.Header) {
	for k, vs := range h {
		if k == "Authorization" || k == "Cookie" {
			continue
		}
		log.Printf("%s: %v", k, vs)
	}
}

// Only the keys are written.
func headerNames(h http.Header) string {
	var names string
	for k := range h {
		names += k + " "
	}
	return names
}

// Values copied, not written out.
func cloneValues(v map[string][]string) map[string][]string {
	out := make(map[string][]string, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
