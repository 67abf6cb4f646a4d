// Package broken compiles; its test does not.
package broken

// One returns 1.
func One() int { return 1 }
