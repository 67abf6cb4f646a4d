package findings

// detectorSpecs are the rules of secondlook's own deterministic detectors
// (analyzer/passes, the x2yy blocks of each family). A detector pass reports
// a diagnostic whose Category is the rule's Name; the rule's analyzer field
// is "<pass>/<category>".
var detectorSpecs = []spec{
	// ---- lockcheck ----
	{
		id: "SL1201", kind: "deadlock", name: "lock-not-released", analyzer: "lockcheck/lock-not-released",
		title: "Lock not released on some path",
		level: LevelError, precision: PrecisionHigh,
		help: "A Lock or RLock reaches a return, or a break or continue out of the locked section, with the mutex still held, while another path of the same function unlocks it further on. " +
			"The early path leaves the mutex locked for good, so the next Lock anywhere in the program blocks forever. " +
			"Unlock before leaving, or take the lock with defer mu.Unlock() right after Lock.",
		bad: `func (c *Cache) Get(k string) (int, error) {
	c.mu.Lock()
	v, ok := c.items[k]
	if !ok {
		return 0, errNotFound // c.mu stays locked
	}
	c.mu.Unlock()
	return v, nil
}`,
		good: `func (c *Cache) Get(k string) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.items[k]
	if !ok {
		return 0, errNotFound
	}
	return v, nil
}`,
	},
	{
		id: "SL1202", kind: "deadlock", name: "double-lock", analyzer: "lockcheck/double-lock",
		title: "Mutex locked again while held",
		level: LevelError, precision: PrecisionHigh,
		help: "The same mutex is locked a second time on a path where it is already held, directly or by calling a method that locks it. " +
			"sync.Mutex is not reentrant and a write lock waits for every reader, so the goroutine waits for itself forever. " +
			"Call a variant that expects the lock to be held (a *Locked method), or release the lock before the call.",
		bad: `func (r *Registry) Add(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Len() > max { // Len locks r.mu again
		return
	}
	r.names[name] = true
}`,
		good: `func (r *Registry) Add(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.names) > max {
		return
	}
	r.names[name] = true
}`,
	},
	{
		id: "SL1203", kind: "deadlock", name: "recursive-rlock", analyzer: "lockcheck/recursive-rlock",
		title: "RLock taken again while the goroutine holds it",
		level: LevelWarning, precision: PrecisionMedium,
		help: "A goroutine that holds an RWMutex for reading calls RLock on it again, directly or through a method. " +
			"If another goroutine calls Lock in between, the second RLock waits for that writer and the writer waits for the first RLock, so both hang; the bug shows only under load. " +
			"Read the data with the lock already held, through a method that does not lock.",
		bad: `func (s *Store) Pair(a, b string) (string, string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.data[a], s.Get(b) // Get calls s.mu.RLock
}`,
		good: `func (s *Store) Pair(a, b string) (string, string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.data[a], s.data[b]
}`,
	},
	{
		id: "SL1204", kind: "deadlock", name: "lock-order-inversion", analyzer: "lockcheck/lock-order-inversion",
		title: "Two mutexes taken in opposite orders",
		level: LevelWarning, precision: PrecisionMedium,
		help: "One function locks mutex A and then B while another locks B and then A, in the same package. " +
			"Two goroutines running them at once can each hold one lock and wait for the other forever. " +
			"Pick one order for the two locks and take them in that order everywhere, or release the first before taking the second.",
		bad: `func (s *Server) Broadcast() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.mu.Lock() // server, then conn
		c.send()
		c.mu.Unlock()
	}
}

func (c *Conn) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.srv.mu.Lock() // conn, then server
	delete(c.srv.conns, c)
	c.srv.mu.Unlock()
}`,
		good: `func (c *Conn) Close() {
	c.srv.mu.Lock() // server first, as in Broadcast
	delete(c.srv.conns, c)
	c.srv.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
}`,
	},
	{
		id: "SL1205", kind: "data-race", name: "unguarded-field", analyzer: "lockcheck/unguarded-field",
		title: "Field accessed without the mutex that guards it elsewhere",
		level: LevelWarning, precision: PrecisionMedium,
		help: "The methods of a type access a field with one of the receiver's mutexes held, in at least two methods and with at least one write, but this access holds no lock and runs in an exported method or a goroutine that can run at the same time. " +
			"The unguarded access races with the guarded ones: reads see torn or stale values and concurrent map writes crash the program. " +
			"Take the same mutex around this access too, or make the field a sync/atomic type.",
		bad: `func (m *Meter) Mark() {
	m.mu.Lock()
	m.count++
	m.mu.Unlock()
}

func (m *Meter) Reset() {
	m.count = 0 // races with Mark
}`,
		good: `func (m *Meter) Reset() {
	m.mu.Lock()
	m.count = 0
	m.mu.Unlock()
}`,
	},
	{
		id: "SL1206", kind: "data-race", name: "cond-wait-not-in-loop", analyzer: "lockcheck/cond-wait-not-in-loop",
		title: "sync.Cond.Wait checked by if instead of a loop",
		level: LevelWarning, precision: PrecisionMedium,
		help: "sync.Cond.Wait is called under an if or a switch case that tests the condition once, not in a for loop. " +
			"Between the Signal and the moment Wait reacquires the lock another goroutine can change the state again, so the code after Wait may run with the condition false. " +
			"Wait in a loop that rechecks the condition: for !cond { c.Wait() }.",
		bad: `q.mu.Lock()
if len(q.items) == 0 {
	q.cond.Wait()
}
v := q.items[0] // may be empty again`,
		good: `q.mu.Lock()
for len(q.items) == 0 {
	q.cond.Wait()
}
v := q.items[0]`,
	},
}
