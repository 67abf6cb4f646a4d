package a

import "time"

// Method expressions, method values and generics must not confuse the pass.
func oddTimers(d time.Duration) bool {
	stop := (*time.Timer).Stop
	t := time.NewTimer(d)
	defer stop(t)
	reset := t.Reset
	reset(d)
	return time.Time.Equal(time.Now(), time.Now())
}

func same[T comparable](a, b T) bool { return a == b }

var sameTime = same[time.Time]

func _() {}
