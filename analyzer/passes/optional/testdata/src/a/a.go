// Package a is a small deployment service that decodes requests from
// JSON and protobuf.
package a

import (
	"encoding/json"
	"errors"
	"io"
)

type Metadata struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
}

type Template struct {
	Image    string `json:"image"`
	Replicas int    `json:"replicas"`
}

type Spec struct {
	Template *Template `json:"template,omitempty"`
	Paused   bool      `json:"paused"`
}

func (s *Spec) Validate() error {
	if s == nil {
		return errors.New("no spec")
	}
	return nil
}

type Deployment struct {
	Metadata Metadata `json:"metadata"`
	Spec     *Spec    `json:"spec,omitempty"`
	Replicas *int     `json:"replicas,omitempty"`
}

// create reads the spec without looking at whether the request had one.
func create(body io.Reader) error {
	var d Deployment
	if err := json.NewDecoder(body).Decode(&d); err != nil {
		return err
	}
	if d.Spec.Paused { // want `d.Spec.Paused dereferenced; Spec is an optional \*Spec of Deployment, a decoded type, and no nil check of d.Spec is in the function`
		return nil
	}
	image := d.Spec.Template.Image // want `d.Spec.Template.Image dereferenced; Template is an optional \*Template of Spec`
	_ = image
	_ = d.Spec.Template.Replicas // reported once per field path
	return nil
}

// scale reads the replica count through a pointer to an int.
func scale(d *Deployment) int {
	return *d.Replicas // want `\*d.Replicas dereferenced; Replicas is an optional \*int of Deployment`
}

// handler reads the field inside a closure that checks nothing.
func handler(d *Deployment) func() string {
	return func() string {
		return d.Spec.Template.Image // want `d.Spec.Template dereferenced; Spec is an optional`
	}
}

// protoState stands for protoreflect.Message.
type protoState struct{}

// Envelope is shaped like a generated protobuf message: no tags on the
// pointer field's own type decide it, its ProtoReflect method does.
type Envelope struct {
	state  protoState
	Header *Header
	Body   []byte
}

func (x *Envelope) ProtoReflect() protoState { return x.state }

func (x *Envelope) GetHeader() *Header {
	if x == nil {
		return nil
	}
	return x.Header
}

type Header struct {
	Id    string
	Route string
}

// route reads the header's route straight from the message.
func route(env *Envelope) string {
	return env.Header.Route // want `env.Header.Route dereferenced; Header is an optional \*Header of Envelope`
}
