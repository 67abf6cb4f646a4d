//go:build go1.21

// Package oldloop is compiled at go1.21, where loop variables are shared by all iterations.
package oldloop

import "sync"

func Notify(users []string, send func(string)) {
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts a goroutine running .* each iteration"
			defer wg.Done()
			send(u) // want "goroutine captures loop variable u; before go1.22 \\(this file is go1.21\\) every iteration shares it"
		}()
	}
	wg.Wait()
}

func NotifyIndexed(users []string, send func(int, string)) {
	var wg sync.WaitGroup
	for i := 0; i < len(users); i++ {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts a goroutine running .* each iteration"
			defer wg.Done()
			send(i, users[i]) // want "goroutine captures loop variable i"
		}()
	}
	wg.Wait()
}

// NotifyCopied is the pre-1.22 fix: a per-iteration copy and a parameter.
func NotifyCopied(users []string, send func(string)) {
	var wg sync.WaitGroup
	for i, u := range users {
		u := u
		wg.Add(1)
		go func(i int) { // want "go statement starts" "loop at line [0-9]+ starts a goroutine running .* each iteration"
			defer wg.Done()
			send(u)
			_ = i
		}(i)
	}
	wg.Wait()
}
