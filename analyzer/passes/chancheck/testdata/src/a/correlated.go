package a

import "errors"

// Quiet cases: a leak that needs two conditions that cannot both hold.

// FlagCloses closes ch on the only branch that sets closed, and closes it
// again below unless closed: the path that skips both closes would need
// closed set without the close that goes with it.
func FlagCloses(items []int) int {
	ch := make(chan int)
	done := make(chan int)
	go func() {
		n := 0
		for v := range ch {
			n += v
		}
		done <- n
	}()
	closed := false
	for _, it := range items {
		if it < 0 {
			close(ch)
			closed = true
			break
		}
		ch <- it
	}
	if !closed {
		close(ch)
	}
	return <-done
}

// FlagSends hands the value over on the branch that sets sent; the
// fallback sends only when it did not.
func FlagSends(ok bool) error {
	ch := make(chan error)
	go func() {
		if err := <-ch; err != nil {
			println(err.Error())
		}
	}()
	sent := false
	if ok {
		ch <- nil
		sent = true
	}
	if !sent {
		ch <- errors.New("not ok")
	}
	return nil
}

// FlagLeak sets the flag on a branch that does not close: the leak is real.
func FlagLeak(items []int) {
	ch := make(chan int)
	go func() {
		for v := range ch { // want `goroutine receives from ch until it is closed, but the function can return at line \d+ without closing it`
			_ = v
		}
	}()
	skip := false
	for _, it := range items {
		if it < 0 {
			skip = true
			break
		}
		ch <- it
	}
	if skip {
		return
	}
	close(ch)
}
