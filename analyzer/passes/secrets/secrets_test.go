package secrets

import (
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/internal/passtest"
)

var suite = passtest.New(Analyzer, "a")

func TestAnalyzer(t *testing.T) { suite.Run(t) }

// Every category reported has a weight in Signals, and each is reported.
func TestSignalsComplete(t *testing.T) { suite.Signals(t, Signals) }

func TestSecretWord(t *testing.T) {
	for name, want := range map[string]string{
		"password":       "password",
		"dbPassword":     "password",
		"APIKey":         "apikey",
		"api_key":        "apikey",
		"privateKey":     "privatekey",
		"clientSecret":   "secret",
		"secretKey":      "secret",
		"tokenSecret":    "secret",
		"AccessToken":    "token",
		"secretName":     "",
		"tokenURL":       "",
		"passwordFile":   "",
		"tokenEndpoint":  "",
		"publicKey":      "",
		"tokens":         "",
		"key":            "",
		"passwordHashed": "",
	} {
		if got := secretWord(name); got != want {
			t.Errorf("secretWord(%q) = %q, want %q", name, got, want)
		}
	}
}
