package a

import (
	"sync"
)

// Queue hands work to waiting consumers.
type Queue struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []int
	once  sync.Once
}

func (q *Queue) init() {
	q.once.Do(func() { q.cond = sync.NewCond(&q.mu) }) // want "q.once.Do runs a function once"
}

// Pop waits in a loop: correct.
func (q *Queue) Pop() int {
	q.mu.Lock() // want "q.mu.Lock\\(\\) released by deferred Unlock"
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		q.cond.Wait() // want "q.cond.Wait\\(\\) in a loop"
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

// PopOnce waits once: a spurious or stolen wakeup finds the queue empty.
func (q *Queue) PopOnce() int {
	q.mu.Lock() // want "q.mu.Lock\\(\\) released by deferred Unlock"
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		q.cond.Wait() // want "q.cond.Wait\\(\\) not in a for loop"
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

// Process adds to the WaitGroup inside the goroutines it counts.
func Process(jobs []int, work func(int) error) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		go func() {
			wg.Add(1) // want "wg.Add inside the goroutine it counts"
			defer wg.Done()
			_ = work(j)
		}()
	}
	wg.Wait() // want "wg.Wait\\(\\) waits for goroutines"
}

// ProcessOK adds before starting, and Done is deferred.
func ProcessOK(jobs []int, work func(int) error) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = work(j)
		}()
	}
	wg.Wait() // want "wg.Wait\\(\\) waits for goroutines"
}

// ProcessGo uses WaitGroup.Go (Go 1.25).
func ProcessGo(jobs []int, work func(int) error) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { _ = work(j) }) // want "wg.Go starts a goroutine"
	}
	wg.Wait() // want "wg.Wait\\(\\) waits for goroutines"
}

// ProcessEarly skips Done when work fails.
func ProcessEarly(jobs []int, work func(int) error, errs chan<- error) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			if err := work(j); err != nil {
				errs <- err
				return
			}
			wg.Done() // want "wg.Done\\(\\) not deferred; function returns at line 86 without calling it, and wg.Wait blocks forever"
		}()
	}
	wg.Wait() // want "wg.Wait\\(\\) waits for goroutines"
}

// ProcessEarlyDone calls Done on every path by hand.
func ProcessEarlyDone(jobs []int, work func(int) error, errs chan<- error) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			if err := work(j); err != nil {
				wg.Done()
				errs <- err
				return
			}
			wg.Done()
		}()
	}
	wg.Wait() // want "wg.Wait\\(\\) waits for goroutines"
}

// worker gets the WaitGroup by pointer and defers Done.
func worker(wg *sync.WaitGroup, in <-chan int, mu *sync.Mutex, total *int) {
	defer wg.Done()
	for v := range in {
		mu.Lock() // want "mu.Lock\\(\\) released by Unlock at line 117 without defer"
		*total += v
		mu.Unlock()
	}
}

// Spawner adds for sub-goroutines it starts, not for itself: fine.
func Spawner(wg *sync.WaitGroup, n int) {
	go func() {
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() { defer wg.Done() }()
		}
	}()
}

// Sum passes a WaitGroup by value: Done runs on a copy.
func Sum(wg sync.WaitGroup, xs []int) int { // want "parameter wg is passed by value, copying its sync.WaitGroup"
	defer wg.Done()
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// Listener tracks listeners: the early return comes before Add, and the
// other return sits in the branch that does not call Done.
type Listener struct {
	mu    sync.Mutex
	group sync.WaitGroup
	n     int
}

func (l *Listener) track(add bool) bool {
	l.mu.Lock() // want "l.mu.Lock\\(\\) released by deferred Unlock"
	defer l.mu.Unlock()
	if add {
		if l.n < 0 {
			return false
		}
		l.n++
		l.group.Add(1)
	} else {
		l.n--
		l.group.Done()
	}
	return true
}

// Acquire waits in one branch and returns in the other, with the lock released on both.
func (l *Listener) Acquire(wait bool, ready func() bool) bool {
	if wait {
		l.mu.Lock()    // want "l.mu.Lock\\(\\) released by Unlock at line 170 without defer"
		for !ready() { // want "call of function value ready while l.mu is held"
			l.mu.Unlock()
			l.mu.Lock() // want "l.mu.Lock\\(\\) released by Unlock at line 173 without defer"
		}
		l.mu.Unlock()
	} else {
		return false
	}
	return true
}

// Grow unlocks and relocks in a nested block, then returns with the second lock held.
func (l *Listener) Grow(ok func() bool) error {
	l.mu.Lock() // want "l.mu.Lock\\(\\) released by Unlock at line 184 without defer"
	if l.n > 0 {
		l.mu.Unlock()
		l.mu.Lock() // want "l.mu.Lock\\(\\) not released by defer; function returns at line 187 while it may be held"
		if !ok() {  // want "call of function value ok while l.mu is held"
			return nil
		}
	}
	l.n++
	l.mu.Unlock()
	return nil
}
