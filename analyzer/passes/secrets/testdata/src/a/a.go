package a

import (
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"strings"
)

type Config struct {
	User     string
	Password string
}

type Logger struct{}

func (Logger) Infof(format string, args ...any) {}

func connect(user, password string, cfg Config, l Logger, apiKey []byte) error {
	log.Printf("connecting as %s with %s", user, password)          // want `log.Printf logs password, which its name says is a secret \(password\)`
	slog.Info("login", "key", apiKey)                               // want `slog.Info logs apiKey`
	l.Infof("config %+v", cfg)                                      // want `l.Infof logs cfg whole, and its type Config has the secret field Password and no String method to hide it`
	fmt.Println(cfg.Password)                                       // want `fmt.Println prints cfg.Password`
	return fmt.Errorf("login %s: bad token %q", user, cfg.Password) // want `fmt.Errorf formats cfg.Password`
}

type Token struct {
	Kind        string
	AccessToken string
}

func (t Token) String() string { // want `String puts the secret field t.AccessToken in its text`
	return t.Kind + ":" + t.AccessToken
}

type Creds struct {
	ClientSecret string
}

func (c *Creds) GoString() string { // want `GoString puts the secret field c.ClientSecret in its text`
	var b strings.Builder
	b.WriteString(c.ClientSecret)
	return b.String()
}

// A debug dump of a request's headers, Authorization and all.
func curlCommand(req *http.Request) string {
	headers := ""
	for key, values := range req.Header {
		for _, value := range values {
			headers += fmt.Sprintf(" -H %q", key+": "+value) // want `every value of req.Header is written out with its key unchecked`
		}
	}
	return "curl" + headers + " " + req.URL.String()
}

// Metadata printed whole by its String method.
type MD map[string][]string

func (md MD) String() string {
	var sb strings.Builder
	for k, v := range md {
		fmt.Fprintf(&sb, "%s=[%s] ", k, strings.Join(v, ", ")) // want `every value of md is written out with its key unchecked`
	}
	return sb.String()
}
