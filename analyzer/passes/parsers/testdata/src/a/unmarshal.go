package a

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// A signed envelope whose key comes from its first signature.
type Envelope struct {
	Payload string
	KeyID   string
}

type Signature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
}

func (e *Envelope) UnmarshalJSON(data []byte) error { // want `UnmarshalJSON takes raw.Signatures apart by hand \(indexes raw.Signatures\[0\]\)`
	var raw struct {
		Payload    string      `json:"payload"`
		Signatures []Signature `json:"signatures"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if len(raw.Signatures) > 2 {
		return errors.New("too many signatures")
	}
	e.Payload = raw.Payload
	e.KeyID = raw.Signatures[0].KeyID
	return nil
}

// A duration written as "1h30m" or "90" seconds.
type Duration struct{ time.Duration }

func (d *Duration) UnmarshalJSON(b []byte) error { // want `UnmarshalJSON takes s apart by hand \(calls strings.Cut\)`
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	whole, _, _ := strings.Cut(s, ".")
	v, err := time.ParseDuration(whole)
	d.Duration = v
	return err
}

// A yaml.v2 unmarshaler that splits each host it decoded.
type Upstreams struct {
	Hosts []string
	Ports []string
}

func (u *Upstreams) UnmarshalYAML(unmarshal func(any) error) error { // want `UnmarshalYAML takes element h of raw.Hosts apart by hand \(calls strings.Cut\)`
	var raw struct{ Hosts []string }
	if err := unmarshal(&raw); err != nil {
		return err
	}
	for _, h := range raw.Hosts {
		host, port, _ := strings.Cut(h, ":")
		u.Hosts = append(u.Hosts, host)
		u.Ports = append(u.Ports, port)
	}
	return nil
}

// Decodes into an alias and copies fields; checks a length but takes
// nothing apart.
type Release struct {
	Name string
	Tags []string
}

func (r *Release) UnmarshalJSON(data []byte) error {
	type plain Release
	var raw plain
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if len(raw.Tags) == 0 {
		raw.Tags = []string{"latest"}
	}
	for _, t := range raw.Tags {
		if t == "" {
			return errors.New("empty tag")
		}
	}
	*r = Release(raw)
	return nil
}

// Decodes a list of names and compares each one whole.
type Roles []string

func (r *Roles) UnmarshalText(text []byte) error {
	var names []string
	if err := json.Unmarshal(text, &names); err != nil {
		return err
	}
	for _, n := range names {
		if n != "admin" && n != "user" {
			return errors.New("unknown role " + n)
		}
	}
	*r = names
	return nil
}

// Indexes what it decoded only with the key of a range over it, which
// stays in bounds whatever the input holds.
func ParseKeyIDs(data []byte) ([]string, error) {
	var raw struct {
		Signatures []Signature `json:"signatures"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	var ids []string
	for i := range raw.Signatures {
		sig := &raw.Signatures[i]
		ids = append(ids, sig.KeyID)
	}
	return ids, nil
}
