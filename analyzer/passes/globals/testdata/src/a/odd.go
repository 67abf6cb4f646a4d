package a

import "time"

type counter struct{ n int }

func (c *counter) inc() { c.n++ }

var total counter

var incTotal = (*counter).inc

// Method expressions, generics and blank functions must not confuse the pass.
func bump[T any](xs []T) int {
	incTotal(&total)
	return len(xs)
}

var lastSeen = map[string]time.Time{}

func _() {}
