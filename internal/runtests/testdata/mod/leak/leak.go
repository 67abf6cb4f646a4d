// Package leak returns before its goroutine can send.
package leak

import "errors"

// First returns the first result, or an error when asked to give up.
func First(giveUp bool) (int, error) {
	ch := make(chan int)
	go func() {
		ch <- 42 // blocks forever when First gave up
	}()
	if giveUp {
		return 0, errors.New("gave up")
	}
	return <-ch, nil
}
