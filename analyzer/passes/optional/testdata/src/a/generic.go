package a

// Page is a decoded page of results of any type.
type Page[T any] struct {
	Items []T `json:"items"`
	Next  *T  `json:"next,omitempty"`
}

func next[T any](p *Page[T]) T {
	return *p.Next // want `\*p.Next dereferenced; Next is an optional \*T of Page`
}

// Request carries decoded parameters of the type its handler names.
type Request[P any] struct {
	Method string `json:"method"`
	Params P      `json:"params"`
}

func isPaused(r *Request[*Spec]) bool {
	return r.Params.Paused // want `r.Params.Paused dereferenced; Params is an optional \*Spec of Request`
}

func params[P interface{ *Spec }](r *Request[P]) P {
	return r.Params // read, not dereferenced
}

// validators holds a method expression: it selects no field.
var validators = []func(*Spec) error{(*Spec).Validate}

// inner is an embedded optional part of a decoded type.
type inner struct {
	Template *Template `json:"template"`
}

type Outer struct {
	inner
	Name string `json:"name"`
}

func promoted(o *Outer) string {
	return o.Template.Image // want `o.Template.Image dereferenced; Template is an optional \*Template of inner`
}
