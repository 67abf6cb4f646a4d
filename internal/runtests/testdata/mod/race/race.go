// Package race has a counter whose Add races with itself.
package race

// Counter counts without a lock.
type Counter struct{ n int }

// Add increments c from a new goroutine and from the caller.
func (c *Counter) Add() {
	done := make(chan bool)
	go func() {
		c.n++ // races with the increment below
		done <- true
	}()
	c.n++
	<-done
}
