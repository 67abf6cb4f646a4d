package a

import (
	"encoding/json"
	"io"
	"os"
	"strings"
)

type Config struct{ Name string }

// Hands its input to a real decoder: nothing taken apart here.
func DecodeConfig(data []byte) (*Config, error) {
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// Reads a file and hands it on.
func parseFile(name string) (*Config, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return DecodeConfig(data)
}

// Takes text apart, but its name does not say it parses.
func shorten(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}

// A Read method writes into its parameter; its receiver holds no text.
type counter struct {
	r io.Reader
	n int
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	_ = p[:n]
	return n, err
}

// Only compares its input whole.
func parseBool(s string) bool {
	return strings.EqualFold(s, "true") || s == "1"
}
