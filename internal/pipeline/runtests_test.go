package pipeline

import (
	"testing"

	"github.com/secondlook/secondlook/internal/runtests"
)

func TestPlainTitle(t *testing.T) {
	for in, want := range map[string]string{
		"Read at 0x00c000018258 by goroutine 9":                "read",
		"Previous write at 0x00c000018258 by goroutine 8":      "write",
		"Write at 0x00c000018258 by main goroutine":            "write",
		"Previous atomic write at 0x00c0000a by goroutine 7":   "atomic write",
		"Goroutine 9 (running) created at":                     "goroutine created at",
		"Goroutine 8 (finished) created at":                    "goroutine created at",
		"goroutine 21 [chan send (leaked)]":                    "blocked in chan send",
		"goroutine 5 [sync.Mutex.Lock (leaked), 3 minutes]":    "blocked in sync.Mutex.Lock",
		"created by example.com/rt/leak.First in goroutine 20": "created by First",
	} {
		if got := plainTitle(in); got != want {
			t.Errorf("plainTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

// The detector names the two accesses in whichever order it caught them;
// the finding must land on the same line either way.
func TestRaceOrder(t *testing.T) {
	frame := func(file string, line int) []runtests.Frame {
		return []runtests.Frame{{Func: "runtime.x", Path: "/go/x.go", Line: 1}, {Func: "m.F", File: file, Line: line}}
	}
	a := runtests.Stack{Title: "Read at 0x1 by goroutine 9", Frames: frame("r.go", 14)}
	b := runtests.Stack{Title: "Previous write at 0x1 by goroutine 8", Frames: frame("r.go", 11)}
	g := runtests.Stack{Title: "Goroutine 9 (running) created at", Frames: frame("r.go", 2)}
	for _, in := range [][]runtests.Stack{{a, b, g}, {b, a, g}, {g, a, b}} {
		out := raceOrder(in)
		if out[0].Title != b.Title || out[1].Title != a.Title || out[2].Title != g.Title {
			t.Errorf("raceOrder(%v, %v, %v) = %v, %v, %v", in[0].Title, in[1].Title, in[2].Title, out[0].Title, out[1].Title, out[2].Title)
		}
	}
}

func TestRunPattern(t *testing.T) {
	for in, want := range map[string]string{
		"TestAdd":          "^TestAdd$",
		"TestAdd/big_case": "^TestAdd$/^big_case$",
		"TestX/a.b":        `^TestX$/^a\.b$`,
	} {
		if got := runPattern(in); got != want {
			t.Errorf("runPattern(%q) = %q, want %q", in, got, want)
		}
	}
	if got := shortFunc("example.com/m/race.(*Counter).Add.func1"); got != "(*Counter).Add.func1" {
		t.Errorf("shortFunc = %q", got)
	}
}
