package findings

// executionSpecs are the rules of evidence by execution (scan --run-tests,
// internal/runtests): what the package's own tests showed under the race
// detector and in the goroutine-leak profile. Both checks report only what
// happened, so their findings are the strongest a run can carry. They take
// the x2yy block of their family, as the detectors' rules do; their
// analyzer is "runtests/<name>".
var executionSpecs = []spec{
	{
		id: "SL1221", kind: "data-race", name: "data-race-observed", analyzer: "runtests/data-race-observed",
		title: "Data race observed by the race detector",
		level: LevelError, precision: PrecisionHigh,
		help: "The race detector saw two goroutines access the same memory while the package's own tests ran, at least one of them writing, with nothing ordering the accesses. " +
			"It reports only races that happened, so this one is real; the finding is at the access in the module, and the other access and where both goroutines started are its related locations. " +
			"Protect the shared state with a sync.Mutex, confine it to one goroutine, or use the sync/atomic types; go test -race on the named test shows it again.",
		bad: `func (c *Counter) Add() {
	go func() { c.n++ }() // the race detector reports both increments
	c.n++
}`,
		good: `func (c *Counter) Add() {
	var wg sync.WaitGroup
	wg.Go(func() { c.mu.Lock(); c.n++; c.mu.Unlock() })
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	wg.Wait()
}`,
	},
	{
		id: "SL1222", kind: "goroutine-leak", name: "goroutine-leak-observed", analyzer: "runtests/goroutine-leak-observed",
		title: "Goroutine leak proved by the goroutine-leak profile",
		level: LevelWarning, precision: PrecisionHigh,
		help: "After the package's own tests ran, Go's goroutine-leak profile (GOEXPERIMENT=goroutineleakprofile, Go 1.26) found a goroutine blocked on a channel or lock that no running goroutine can reach: the garbage collector proved it can never resume. " +
			"It keeps its stack and everything it references for the life of the process. " +
			"The finding is where it blocks, and where it was created is a related location. Give the channel room for every send, or select on a done channel or ctx.Done() next to the blocking operation.",
		bad: `func First(giveUp bool) (int, error) {
	ch := make(chan int)
	go func() { ch <- 42 }() // blocked for good once First gives up
	if giveUp {
		return 0, errGaveUp
	}
	return <-ch, nil
}`,
		good: `func First(giveUp bool) (int, error) {
	ch := make(chan int, 1) // the send never blocks
	go func() { ch <- 42 }()
	if giveUp {
		return 0, errGaveUp
	}
	return <-ch, nil
}`,
	},
}
