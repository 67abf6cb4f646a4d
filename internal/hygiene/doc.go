// Package hygiene holds the project's house checks as tests: import edges
// between our packages, allowed direct dependencies, gofmt, and a tidy
// go.mod. It has no code of its own.
package hygiene
