package a

import "sync"

// Generic code, method expressions, bodiless functions and labels must not
// trip the pass.
type Box[T any] struct {
	mu sync.Mutex
	v  T
}

func (b *Box[T]) Get() T {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.v
}

func (b *Box[T]) Swap(v T) T {
	b.mu.Lock()
	old := b.v
	b.v = v
	b.mu.Unlock()
	return old
}

func (b *Box[T]) GetTwice() T {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Get() // want `call of b.Get\(\), which locks b.mu, while b.mu is already held`
}

func MethodExpr(mu *sync.Mutex, ok bool) bool {
	(*sync.Mutex).Lock(mu) // want `mu.Lock\(\) is not released on the path that returns at line \d+`
	if !ok {
		return false
	}
	(*sync.Mutex).Unlock(mu)
	return true
}

func asmStub()

func Labeled(rows [][]int, mu *sync.Mutex) int {
	n := 0
outer:
	for _, r := range rows {
		for _, v := range r {
			mu.Lock()
			if v < 0 {
				mu.Unlock()
				continue outer
			}
			n += v
			mu.Unlock()
		}
	}
	return n
}

func LabeledLeak(rows [][]int, mu *sync.Mutex) int {
	n := 0
outer:
	for _, r := range rows {
		for _, v := range r {
			mu.Lock() // want `mu.Lock\(\) is still held at the continue on line \d+, and the next iteration locks it again and deadlocks`
			if v < 0 {
				continue outer
			}
			n += v
			mu.Unlock()
		}
	}
	return n
}

var hook = func(mu *sync.Mutex) {
	mu.Lock()
	defer mu.Unlock()
}
