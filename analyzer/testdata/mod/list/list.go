// Package list is a generic list.
package list

// List is a list of T.
type List[T any] struct {
	items []T
}

// Len returns the length.
func (l *List[T]) Len() int { return len(l.items) }

// Push appends v.
func (l *List[T]) Push(v T) { l.items = append(l.items, v) }
