package main

import (
	"flag"
	"fmt"
)

var verbose bool

var seen = map[string]bool{}

// main sets package state before anything runs concurrently: quiet.
func main() {
	flag.BoolVar(&verbose, "v", false, "verbose")
	flag.Parse()
	verbose = verbose || flag.NArg() == 0
	for _, a := range flag.Args() {
		seen[a] = true
	}
	fmt.Println(len(seen), verbose)
}
