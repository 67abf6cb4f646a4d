package a

import "sync"

// Generate makes and closes its own channel: close is plain use.
func Generate(n int) <-chan int {
	out := make(chan int) // want "unbuffered channel made"
	go func() {
		defer close(out) // want "close of out$"
		for i := 0; i < n; i++ {
			out <- i // want "send on out"
		}
	}()
	return out
}

// Sum drains a channel with range.
func Sum(in <-chan int) int {
	total := 0
	for v := range in { // want "for range over channel in"
		total += v
	}
	return total
}

// Broadcast closes done on every iteration after the first match.
func Broadcast(items []int, done chan struct{}) {
	for _, it := range items {
		if it < 0 {
			close(done) // want "close of done$" "close of done, a channel this function did not make" "close of done inside a loop \\(line 28\\)"
		}
	}
}

// BroadcastOnce returns after the close.
func BroadcastOnce(items []int) chan struct{} {
	done := make(chan struct{}) // want "unbuffered channel made"
	for _, it := range items {
		if it < 0 {
			close(done) // want "close of done$"
			return done
		}
	}
	return done
}

// CloseFlagged guards the close with a flag.
func CloseFlagged(items []int) {
	done := make(chan struct{}) // want "unbuffered channel made"
	closed := false
	for _, it := range items {
		if it < 0 && !closed {
			close(done) // want "close of done$"
			closed = true
		}
	}
}

// CloseAll closes a different channel on each iteration.
func CloseAll(subs []chan int) {
	for _, c := range subs {
		close(c) // want "close of c$" "close of c, a channel this function did not make"
	}
	for i := range subs {
		close(subs[i]) // want "close of subs\\[i\\]$" "close of subs\\[i\\], a channel this function did not make"
	}
}

// Workers selects inside a goroutine that has a done channel.
func Workers(jobs <-chan int, quit <-chan struct{}, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case j := <-jobs: // want "receive from jobs"
				_ = j
			case <-quit: // want "receive from quit"
				return
			}
		}
	}()
}

// Once waits for one of two results in a goroutine: it may wait forever.
func Once(a, b <-chan int, report func(int)) {
	go func() {
		select { // want "select in a goroutine has no default"
		case x := <-a: // want "receive from a"
			report(x)
		case y := <-b: // want "receive from b"
			report(y)
		}
	}()
	select {}
}

// Generic channel code must not confuse the pass.
func Drain[T any](ch chan T) (out []T) {
	for v := range ch { // want "for range over channel ch"
		out = append(out, v)
	}
	return out
}

func stub(ch chan int)

// Squares owns the send-only channel it is handed: closing it is the producer idiom.
func Squares(in <-chan int, out chan<- int) {
	defer close(out)    // want "close of out$"
	for v := range in { // want "for range over channel in"
		out <- v * v // want "send on out"
	}
}
