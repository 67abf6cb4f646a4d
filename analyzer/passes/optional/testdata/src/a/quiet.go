package a

import (
	"encoding/json"
	"fmt"
)

// update checks the spec before it reads it.
func update(d *Deployment) error {
	if d.Spec == nil {
		return fmt.Errorf("deployment %s has no spec", d.Metadata.Name)
	}
	if d.Spec.Template != nil && d.Spec.Template.Replicas > 0 {
		return nil
	}
	return d.Spec.Validate()
}

// paused checks in the function that holds the closure.
func paused(ds []*Deployment) func(int) bool {
	return func(i int) bool {
		d := ds[i]
		if d.Spec == nil {
			return false
		}
		return func() bool { return d.Spec.Paused }()
	}
}

// replicas checks the pointer it reads through.
func replicas(d *Deployment) int {
	if d.Replicas != nil {
		return *d.Replicas
	}
	return 1
}

// defaults fills in the spec before it reads it.
func defaults(d *Deployment) {
	if d.Spec.Validate() != nil { // a method call on the field may be nil-safe
		d.Spec = &Spec{Template: &Template{Image: "scratch"}}
	}
	d.Spec.Template.Replicas++
}

// build reads what it made itself.
func build(name string) string {
	d := &Deployment{Metadata: Metadata{Name: name}, Spec: &Spec{Template: &Template{}}}
	d.Spec.Template.Image = name + ":latest"
	var e = Envelope{Header: &Header{Id: name}}
	return d.Spec.Template.Image + e.Header.Id
}

// routeOf reads the header through its getter, nil-safe like protobuf's.
func routeOf(env *Envelope) string {
	if h := env.GetHeader(); h != nil {
		return h.Route
	}
	return env.Header.Route
}

// labels reads a value field: a struct, never nil.
func labels(data []byte) (map[string]string, error) {
	var d Deployment
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	return d.Metadata.Labels, nil
}

// node is a program's own tree: no decoder fills it, its pointers are its
// own invariants.
type node struct {
	left, right *node
	val         int
}

func (n *node) leftmost() int {
	return n.left.left.val
}

// switchSpec checks with a switch on nil.
func switchSpec(d *Deployment) bool {
	switch {
	case d.Spec == nil:
		return false
	default:
		return d.Spec.Paused
	}
}

// Loaded is decoded from JSON, but its Config is set by the program.
type Loaded struct {
	Name   string    `json:"name"`
	Config *Template `json:"-" yaml:"-"`
}

func image(l *Loaded) string {
	return l.Config.Image
}
