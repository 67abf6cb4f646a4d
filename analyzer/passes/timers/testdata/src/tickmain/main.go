//go:build go1.22

package main

import "time"

// main may use time.Tick: it lives as long as the program.
func main() {
	for range time.Tick(time.Hour) {
		report()
	}
}

func report() {}
