package a

import "sync"

type Queue struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []int
}

func (q *Queue) PopBad() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		q.cond.Wait() // want `q.cond.Wait\(\) under the condition at line \d+, not in a for loop`
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

func (q *Queue) Pop() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		q.cond.Wait()
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

func (q *Queue) PopBreak() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		if len(q.items) > 0 {
			break
		}
		q.cond.Wait()
	}
	return q.items[0]
}

// wait is a helper; its caller loops.
func (q *Queue) wait() { q.cond.Wait() }

func (q *Queue) PopHelper() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		q.wait()
	}
	return q.items[0]
}

type Gate struct {
	c    sync.Cond
	open bool
}

func (g *Gate) Pass() {
	g.c.L.Lock()
	switch {
	case !g.open:
		g.c.Wait() // want `g.c.Wait\(\) under the condition at line \d+`
	}
	g.c.L.Unlock()
}
