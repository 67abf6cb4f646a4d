package a

import (
	"strconv"
	"strings"
)

// A CORS configuration whose origins may hold one wildcard.
type CORSConfig struct {
	AllowOrigins []string
	wildcards    []wildcard
}

type wildcard struct{ prefix, suffix string }

// Cuts each configured origin at its wildcard.
func (c *CORSConfig) parseOrigins() { // want `parseOrigins takes element o of c.AllowOrigins apart by hand \(calls strings.Index\)`
	for _, o := range c.AllowOrigins {
		if i := strings.Index(o, "*"); i >= 0 {
			c.wildcards = append(c.wildcards, wildcard{o[:i], o[i+1:]})
		}
	}
}

// Walks a list of cookie lines by index.
func parseCookies(lines []string) map[string]string { // want `parseCookies takes lines\[i\] apart by hand \(calls strings.Cut\)`
	out := map[string]string{}
	for i := range lines {
		k, v, ok := strings.Cut(lines[i], "=")
		if ok {
			out[k] = v
		}
	}
	return out
}

// Each label value's first byte says its kind.
func decodeLabels(labels map[string]string) map[string]bool { // want `decodeLabels takes element v of labels apart by hand \(indexes v\[0\]\)`
	out := map[string]bool{}
	for k, v := range labels {
		if v != "" {
			out[k] = v[0] == '!'
		}
	}
	return out
}

// Ranges over its arguments but compares each one whole.
func parseFlags(args []string) (verbose bool, rest []string) {
	for _, a := range args {
		if a == "-v" || strings.EqualFold(a, "--verbose") {
			verbose = true
			continue
		}
		rest = append(rest, a)
	}
	return verbose, rest
}

// Hands each element to a real parser.
func parsePorts(ports []string) ([]int, error) {
	var out []int
	for _, p := range ports {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// Takes each element apart, but its name does not say it parses.
func firstChars(names []string) []byte {
	var out []byte
	for _, n := range names {
		if n != "" {
			out = append(out, n[0])
		}
	}
	return out
}
