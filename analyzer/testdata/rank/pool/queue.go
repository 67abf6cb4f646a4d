package pool

import "sync"

// A Job is queued work with a priority.
type Job struct {
	ID       string
	Priority int
	Payload  []byte
}

// Queue is an unbounded FIFO queue that consumers block on.
type Queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []Job
	closed bool
}

// NewQueue returns an empty queue.
func NewQueue() *Queue {
	q := &Queue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// Push adds a job and wakes one consumer.
func (q *Queue) Push(j Job) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.items = append(q.items, j)
	q.cond.Signal()
	return true
}

// Pop waits for a job. It returns false once the queue is closed and empty.
func (q *Queue) Pop() (Job, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed && len(q.items) == 0 {
		return Job{}, false
	}
	j := q.items[0]
	q.items[0] = Job{}
	q.items = q.items[1:]
	return j, true
}

// PopAll waits until there is at least one job and takes every queued job.
// It returns nil once the queue is closed and empty.
func (q *Queue) PopAll() []Job {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	jobs := q.items
	q.items = nil
	return jobs
}

// Close wakes every consumer; queued jobs can still be taken.
func (q *Queue) Close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}
