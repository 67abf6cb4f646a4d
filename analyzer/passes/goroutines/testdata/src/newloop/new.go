//go:build go1.22

// Package newloop is compiled at go1.22, where each iteration has its own loop variables.
package newloop

import "sync"

func Notify(users []string, send func(string)) {
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts a goroutine running .* each iteration"
			defer wg.Done()
			send(u)
		}()
	}
	wg.Wait()
}
