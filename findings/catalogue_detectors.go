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
			"Unlock before leaving, or take the lock with defer mu.Unlock() right after Lock. " +
			"Functions named *Locked, documented as called with the lock held or named for taking a lock, and returns that hand the held lock to the caller, are not reported.",
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
			"Take the same mutex around this access too, or make the field a sync/atomic type. " +
			"Methods named *Locked or documented as called with the lock held, tests, fields of sync and sync/atomic types, and fields used without the lock more often than with it are not reported.",
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
	// ---- chancheck ----
	{
		id: "SL1211", kind: "goroutine-leak", name: "goroutine-leak-channel", analyzer: "chancheck/goroutine-leak-channel",
		title: "Goroutine blocks forever on a channel the function stops serving",
		level: LevelWarning, precision: PrecisionHigh,
		help: "A goroutine started by the function sends on (or receives from) a channel the function made, and the function can return without being its partner: through another case of the select that receives (a timeout, ctx.Done), by an early return, by receiving only one value from goroutines started in a loop, or by leaving the receiving loop on an error. " +
			"The goroutine then blocks forever and keeps its stack and everything it references. " +
			"Give the channel a buffer for every value that may go unreceived, or let the sender select on ctx.Done() too. " +
			"A goroutine ranging over a ticker's channel with no way out of the loop leaks the same way, in a package that stops its tickers: Stop does not close the channel.",
		bad: `func fetch(ctx context.Context, url string) (*Result, error) {
	ch := make(chan *Result)
	go func() { ch <- get(url) }() // blocks forever once ctx is done
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}`,
		good: `func fetch(ctx context.Context, url string) (*Result, error) {
	ch := make(chan *Result, 1) // the send never blocks
	go func() { ch <- get(url) }()
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}`,
	},
	{
		id: "SL1212", kind: "channel-misuse", name: "close-twice", analyzer: "chancheck/close-twice",
		title: "Channel closed twice on one path",
		level: LevelError, precision: PrecisionHigh,
		help: "The same channel is closed twice: by every goroutine of a loop, by an explicit close and a deferred one, or by a close inside a loop with no break or return after it. " +
			"The second close panics with \"close of closed channel\". " +
			"Let one owner close the channel once, after every sender is done, and use sync.Once where several paths may close it.",
		bad: `func produce(out chan<- int, n int) {
	defer close(out)
	for i := range n {
		out <- i
	}
	close(out) // the deferred close panics
}`,
		good: `func produce(out chan<- int, n int) {
	defer close(out)
	for i := range n {
		out <- i
	}
}`,
	},
	{
		id: "SL1213", kind: "channel-misuse", name: "send-after-close", analyzer: "chancheck/send-after-close",
		title: "Send on a channel already closed on this path",
		level: LevelError, precision: PrecisionHigh,
		help: "A send on a channel is reachable from a close of the same channel in the same function, with no new channel assigned between them. " +
			"A send on a closed channel panics. " +
			"Close the channel after the last send, once no code path sends again.",
		bad: `for _, it := range items {
	out <- it
}
close(out)
out <- done // panics`,
		good: `for _, it := range items {
	out <- it
}
out <- done
close(out)`,
	},
	{
		id: "SL1214", kind: "channel-misuse", name: "nil-channel", analyzer: "chancheck/nil-channel",
		title: "Send, receive or close on a nil channel",
		level: LevelError, precision: PrecisionHigh,
		help: "A channel variable declared without a value and never assigned, or an unexported struct field of channel type that no code of the package assigns, is sent on, received from or closed outside a select. " +
			"A send or receive on a nil channel blocks forever and a close panics. " +
			"Make the channel before using it, typically in the constructor.",
		bad: `type Tail struct {
	lines chan string
	errs  chan error
}

func NewTail() *Tail {
	return &Tail{lines: make(chan string)} // errs stays nil
}

func (t *Tail) fail(err error) {
	t.errs <- err // blocks forever
}`,
		good: `func NewTail() *Tail {
	return &Tail{lines: make(chan string), errs: make(chan error, 1)}
}`,
	},
	{
		id: "SL1215", kind: "channel-misuse", name: "close-by-receiver", analyzer: "chancheck/close-by-receiver",
		title: "Channel closed by its receiver while senders may still run",
		level: LevelError, precision: PrecisionMedium,
		help: "The function closes a channel that goroutines it started send on, on a path where it has not waited for them: no WaitGroup.Wait, no receive from a channel they close, and not every value received. " +
			"A sender that is still running panics with \"send on closed channel\", even when its send sits in a select with ctx.Done. " +
			"Let the senders' side close the channel after they are done (wg.Wait(); close(ch) in a goroutine), or do not close it at all.",
		bad: `func first(ctx context.Context, eps []Endpoint) (Header, error) {
	ch := make(chan Header, len(eps))
	defer close(ch) // a subscriber may still send
	for _, ep := range eps {
		go subscribe(ctx, ep, ch)
	}
	select {
	case h := <-ch:
		return h, nil
	case <-ctx.Done():
		return Header{}, ctx.Err()
	}
}`,
		good: `func first(ctx context.Context, eps []Endpoint) (Header, error) {
	ch := make(chan Header, len(eps)) // never closed: the senders own it
	for _, ep := range eps {
		go subscribe(ctx, ep, ch)
	}
	select {
	case h := <-ch:
		return h, nil
	case <-ctx.Done():
		return Header{}, ctx.Err()
	}
}`,
	},
	{
		id: "SL1216", kind: "waitgroup-misuse", name: "waitgroup-wait-before-add", analyzer: "wgcheck/waitgroup-wait-before-add",
		title: "WaitGroup.Wait started before the Adds it should wait for",
		level: LevelError, precision: PrecisionHigh,
		help: "A goroutine that calls Wait on a sync.WaitGroup or an errgroup.Group is started before the function calls Add or Go on it, with no Add before the goroutine. " +
			"Wait can see a zero counter and return at once, so what follows it (typically closing a results channel) runs while the work is still starting. " +
			"Start the waiting goroutine after the loop that adds, or Add before starting it.",
		bad: `var wg sync.WaitGroup
go func() {
	wg.Wait() // may return before the first Add
	close(out)
}()
for _, it := range items {
	wg.Add(1)
	go func() { defer wg.Done(); out <- work(it) }()
}`,
		good: `var wg sync.WaitGroup
for _, it := range items {
	wg.Add(1)
	go func() { defer wg.Done(); out <- work(it) }()
}
go func() {
	wg.Wait()
	close(out)
}()`,
	},
	{
		id: "SL1217", kind: "waitgroup-misuse", name: "waitgroup-done-skipped", analyzer: "wgcheck/waitgroup-done-skipped",
		title: "Return skips WaitGroup.Done",
		level: LevelError, precision: PrecisionHigh,
		help: "A goroutine, or a worker handed the WaitGroup, calls Done without defer, and a return statement on another path reaches no Done. " +
			"The counter never reaches zero on that path, so Wait blocks forever. " +
			"Call defer wg.Done() first thing in the goroutine.",
		bad: `go func() {
	if err := s.Put(it); err != nil {
		log.Print(err)
		return // wg.Done never runs
	}
	wg.Done()
}()`,
		good: `go func() {
	defer wg.Done()
	if err := s.Put(it); err != nil {
		log.Print(err)
	}
}()`,
	},
	{
		id: "SL1218", kind: "waitgroup-misuse", name: "waitgroup-done-extra", analyzer: "wgcheck/waitgroup-done-extra",
		title: "WaitGroup.Done called twice on one path",
		level: LevelError, precision: PrecisionHigh,
		help: "Done runs twice on one path with no Add between them: an explicit Done after a deferred one, or two explicit calls. " +
			"The counter drops below what was added, which panics with a negative counter or lets Wait return while work is still running. " +
			"Call Done exactly once per Add, preferably by defer.",
		bad: `go func() {
	defer wg.Done()
	if err := s.Put(it); err != nil {
		wg.Done() // and again by the defer
		return
	}
}()`,
		good: `go func() {
	defer wg.Done()
	if err := s.Put(it); err != nil {
		return
	}
}()`,
	},
	{
		id: "SL1219", kind: "context-misuse", name: "ctx-loop-unwatched", analyzer: "ctxcheck/ctx-loop-unwatched",
		title: "Goroutine loop never watches the context in scope",
		level: LevelWarning, precision: PrecisionMedium,
		help: "A goroutine with a context.Context in scope runs an endless loop (for {} or a range over a ticker's channel) that blocks on channel operations, never refers to the context and has no way out. " +
			"When the context is cancelled the goroutine goes on, or blocks, forever. " +
			"Select on ctx.Done() next to the blocking operation and return when it fires.",
		bad: `go func() {
	for {
		e := <-events // never stops when ctx is cancelled
		handle(e)
	}
}()`,
		good: `go func() {
	for {
		select {
		case e := <-events:
			handle(e)
		case <-ctx.Done():
			return
		}
	}
}()`,
	},
	{
		id: "SL1220", kind: "context-misuse", name: "ctx-used-after-cancel", analyzer: "ctxcheck/ctx-used-after-cancel",
		title: "Context passed on after its cancel was called",
		level: LevelWarning, precision: PrecisionHigh,
		help: "A context from context.WithCancel, WithTimeout or WithDeadline is passed to a call on a path after its cancel function was called, with no new context assigned between. " +
			"The callee receives a context that is already done and fails at once with context.Canceled. " +
			"Derive a fresh context for the later call, or call cancel only after the last use. " +
			"Test files, where cancelling first is how cancellation is tested, are not checked.",
		bad: `ctx, cancel := context.WithTimeout(parent, time.Second)
err := sink.Send(ctx, e)
cancel()
if err != nil {
	return sink.Send(ctx, retry) // ctx is already cancelled
}`,
		good: `ctx, cancel := context.WithTimeout(parent, time.Second)
defer cancel()
if err := sink.Send(ctx, e); err != nil {
	return sink.Send(ctx, retry)
}`,
	},
	{
		id: "SL3201", kind: "resource-leak", name: "resource-not-closed", analyzer: "chancheck/resource-not-closed",
		title: "Response body, file, rows or ticker not closed on some path",
		level: LevelWarning, precision: PrecisionHigh,
		help: "An HTTP response, a file, SQL rows or (in code built for Go before 1.23) a time.Ticker held in a local variable is never closed, or is closed on some paths while another returns without closing it, outside the branch where the acquisition failed. " +
			"An unclosed response body keeps its connection from being reused, an unclosed file leaks a descriptor, unclosed rows keep a database connection busy, and an unstopped ticker ticks forever. " +
			"Close it with defer right after the error check, before any early return. " +
			"A body or rows read to their end (io.ReadAll, io.Copy, a finished for rows.Next() loop), and a value returned, stored or passed to a call that may close it, are not reported.",
		bad: `resp, err := c.Do(req)
if err != nil {
	return err
}
if resp.StatusCode != http.StatusOK {
	return fmt.Errorf("status %s", resp.Status) // body left open
}
defer resp.Body.Close()`,
		good: `resp, err := c.Do(req)
if err != nil {
	return err
}
defer resp.Body.Close()
if resp.StatusCode != http.StatusOK {
	return fmt.Errorf("status %s", resp.Status)
}`,
	},
	{
		id: "SL3202", kind: "resource-leak", name: "defer-in-loop", analyzer: "chancheck/defer-in-loop",
		title: "Defer inside a loop releases only when the function returns",
		level: LevelWarning, precision: PrecisionMedium,
		help: "A defer in a loop body closes, stops or cancels what the same turn acquired, or unlocks a mutex the turn locked. " +
			"Deferred calls run when the function returns, not at the end of the turn, so files and contexts pile up across turns and a mutex locked on the first turn is still held when the second turn locks it again. " +
			"Move the body of the loop into a function of its own, or release explicitly at the end of each turn. " +
			"In test files only the unlocks are reported: a table test's few turns make the other releases harmless.",
		bad: `for _, p := range paths {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close() // every file stays open until the function returns
	process(f)
}`,
		good: `for _, p := range paths {
	if err := func() error {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return process(f)
	}(); err != nil {
		return err
	}
}`,
	},
}
