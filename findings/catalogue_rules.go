package findings

// specs are the rules of the model kinds (x0yy) and of the golang.org/x/tools
// analyzers that secondlook runs (x1yy), family by family. The rules of
// secondlook's own checks are in catalogue_detectors.go,
// catalogue_execution.go and catalogue_meta.go; catalogue.go builds them
// into the catalogue.

// bt is a backquote, for examples that hold struct tags.
const bt = "`"

var specs = []spec{
	// ---- Concurrency: model kinds ----
	{
		id: "SL1001", kind: "deadlock",
		title: "Goroutines can block each other forever",
		level: LevelError, precision: PrecisionMedium,
		def: "goroutines wait on each other's locks or channels in a cycle so none can proceed: locks taken in opposite orders, a sync.Mutex locked again by its holder, or a channel operation whose only partner cannot run",
		help: "A deadlock occurs when goroutines wait on each other in a cycle: two locks acquired in opposite orders, a sync.Mutex locked again by the goroutine that holds it, or a channel send whose only receiver is waiting for the sender. " +
			"The affected goroutines hang forever; if every goroutine is stuck the runtime aborts with \"all goroutines are asleep\". " +
			"Acquire locks in one fixed order, never call code that may take a lock you already hold, and make sure every channel operation has a partner that is still running.",
		bad: `func (a *Account) Transfer(b *Account, n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b.mu.Lock() // a concurrent b.Transfer(a, m) holds b and waits for a
	defer b.mu.Unlock()
	a.balance -= n
	b.balance += n
}`,
		good: `func (a *Account) Transfer(b *Account, n int) {
	first, second := a, b
	if b.id < a.id { // always lock the lower id first
		first, second = b, a
	}
	first.mu.Lock()
	defer first.mu.Unlock()
	second.mu.Lock()
	defer second.mu.Unlock()
	a.balance -= n
	b.balance += n
}`,
	},
	{
		id: "SL1002", kind: "goroutine-leak",
		title: "Goroutine can block forever and leak",
		level: LevelWarning, precision: PrecisionMedium,
		def: "a goroutine blocks forever on a channel, lock or wait whose partner may have returned or given up",
		help: "A goroutine leaks when it blocks forever on a channel send or receive, a lock or a wait whose partner has already returned or given up, typically after a timeout, a cancelled context or an early error return. " +
			"Each leaked goroutine keeps its stack and everything it references, so memory and goroutine counts grow until the process is restarted. " +
			"Give the channel enough buffer for every sender, or select on ctx.Done() next to the blocking operation so the goroutine can exit.",
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
		id: "SL1003", kind: "data-race",
		title: "Shared variable accessed without synchronization",
		level: LevelError, precision: PrecisionMedium,
		def: "two goroutines can access the same variable, map or slice element at the same time, at least one of them writing, with no mutex, channel or atomic ordering them",
		help: "A data race happens when two goroutines access the same memory at the same time, at least one of them writes, and no mutex, channel or atomic operation orders the accesses. " +
			"Races corrupt values silently and unpredictably, and concurrent writes to a map crash the program with \"concurrent map writes\". " +
			"Protect shared state with a sync.Mutex, confine it to one goroutine and communicate over channels, or use the sync/atomic types.",
		bad: `var hits = map[string]int{}

func handle(w http.ResponseWriter, r *http.Request) {
	hits[r.URL.Path]++ // handlers run concurrently
}`,
		good: `var (
	mu   sync.Mutex
	hits = map[string]int{}
)

func handle(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	hits[r.URL.Path]++
	mu.Unlock()
}`,
	},
	{
		id: "SL1004", kind: "waitgroup-misuse",
		title: "sync.WaitGroup used incorrectly",
		level: LevelError, precision: PrecisionMedium,
		def: "a sync.WaitGroup is misused: Add runs inside the new goroutine or after Wait may have started, Done is skipped on some path or called too often, or the WaitGroup is copied",
		help: "A sync.WaitGroup counts the goroutines that Wait must outlast. " +
			"Calling Add inside the goroutine races with Wait, so Wait can return before the work has started; a path that skips Done makes Wait hang forever; an extra Done panics with a negative counter; and a copied WaitGroup counts on its own. " +
			"Call Add before the go statement (or use wg.Go), defer Done at the top of the goroutine, and share the WaitGroup by pointer.",
		bad: `var wg sync.WaitGroup
for _, job := range jobs {
	go func() {
		wg.Add(1) // may run after wg.Wait has returned
		defer wg.Done()
		process(job)
	}()
}
wg.Wait()`,
		good: `var wg sync.WaitGroup
for _, job := range jobs {
	wg.Add(1)
	go func() {
		defer wg.Done()
		process(job)
	}()
}
wg.Wait()`,
	},
	{
		id: "SL1005", kind: "channel-misuse",
		title: "Channel closed, sent on or received from incorrectly",
		level: LevelWarning, precision: PrecisionMedium,
		def: "a channel operation can panic or block for good: a send on a closed channel, a second close, a close by a receiver while senders remain, or a send or receive on a nil channel",
		help: "Sending on a closed channel or closing a channel twice panics, and a send or receive on a nil channel blocks forever. " +
			"These bugs appear when several goroutines may close the same channel, or when a receiver closes a channel that senders still use. " +
			"Let exactly one owner close the channel after every send is done, typically after a WaitGroup says so, and use sync.Once if several paths may close it.",
		bad: `for _, u := range urls {
	go func() {
		results <- fetch(u)
		close(results) // the second goroutine to get here panics
	}()
}`,
		good: `var wg sync.WaitGroup
for _, u := range urls {
	wg.Add(1)
	go func() {
		defer wg.Done()
		results <- fetch(u)
	}()
}
go func() {
	wg.Wait()
	close(results) // closed once, after every send
}()`,
	},
	{
		id: "SL1006", kind: "context-misuse",
		title: "Context not propagated or not cancelled",
		level: LevelWarning, precision: PrecisionMedium,
		def: "a context.Context is misused: a cancel function is not called on every path, a function ignores the ctx it received (context.Background or TODO instead), or a long loop or blocking call never observes ctx.Done",
		help: "Contexts carry cancellation and deadlines down a call chain. " +
			"Replacing the caller's ctx with context.Background() lets work continue after the request was cancelled, and a context from WithCancel or WithTimeout whose cancel is never called keeps its timer and resources alive until the parent ends. " +
			"Pass the ctx you received to every call that accepts one, and call cancel on every path, normally with defer cancel() right after creating the context.",
		bad: `func (s *Server) lookup(ctx context.Context, id string) (*User, error) {
	ctx, _ = context.WithTimeout(context.Background(), time.Second)
	return s.db.QueryUser(ctx, id)
}`,
		good: `func (s *Server) lookup(ctx context.Context, id string) (*User, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return s.db.QueryUser(ctx, id)
}`,
	},
	{
		id: "SL1007", kind: "loop-variable-capture",
		title: "Loop variable shared by closures of different iterations",
		level: LevelWarning, precision: PrecisionMedium,
		def: "a goroutine, deferred call or stored closure inside a loop uses the loop variable in a module whose go.mod says go 1.21 or earlier, where all iterations share one variable",
		help: "Before Go 1.22 a for loop declared its variables once for the whole loop, so a goroutine or closure that captures one sees whatever value it holds when the closure runs, usually the last. " +
			"Go 1.22 gives each iteration its own variables, but only in modules whose go.mod says go 1.22 or later. " +
			"Raise the go directive, or copy the variable inside the loop (v := v) or pass it as an argument.",
		bad: `// go.mod: go 1.21
for _, v := range values {
	go func() {
		use(v) // every goroutine may see the last value
	}()
}`,
		good: `for _, v := range values {
	go func(v Value) {
		use(v)
	}(v)
}`,
	},

	// ---- Concurrency: x/tools analyzers ----
	{
		id: "SL1101", kind: "data-race", name: "atomic-assignment",
		analyzer: "atomic", url: passURL("atomic"),
		title: "Result of a sync/atomic call assigned back to its operand",
		level: LevelError, precision: PrecisionHigh,
		help: "x = atomic.AddUint64(&x, 1) performs the atomic add and then overwrites x with a plain, non-atomic store. " +
			"An update another goroutine makes between the two is lost, and the plain store races with every other access. " +
			"Call the atomic function without assigning its result to the same variable, or better, use a typed value such as atomic.Uint64.",
		bad: `var n uint64
n = atomic.AddUint64(&n, 1)`,
		good: `var n atomic.Uint64
n.Add(1)`,
	},
	{
		id: "SL1102", kind: "data-race", name: "lock-copied",
		analyzer: "copylocks", url: passURL("copylock"),
		title: "Value containing a lock is copied",
		level: LevelError, precision: PrecisionHigh,
		help: "A sync.Mutex, sync.WaitGroup or any struct that contains one must not be copied after first use: the copy has its own state, so copy and original no longer exclude each other, and a copy of a locked mutex stays locked. " +
			"Value receivers, range loops over structs, passing by value and assignment all copy. " +
			"Use pointer receivers and pass pointers to values that contain locks.",
		bad: `type Counter struct {
	mu sync.Mutex
	n  int
}

func (c Counter) Inc() { // c is a copy: the lock protects nothing
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}`,
		good: `func (c *Counter) Inc() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}`,
	},
	{
		id: "SL1103", kind: "loop-variable-capture", name: "loop-variable-captured",
		analyzer: "loopclosure", url: passURL("loopclosure"),
		title: "Loop variable captured by a goroutine or deferred closure",
		level: LevelWarning, precision: PrecisionHigh,
		help: "In files built for a Go version before 1.22, a goroutine or deferred function literal at the end of a loop body that refers to a loop variable shares that variable with every iteration, so it usually sees the final value. " +
			"The analyzer reports only such files; from Go 1.22 each iteration has its own variable. " +
			"Raise the go directive in go.mod to 1.22 or later, or pass the variable to the function literal as an argument.",
		bad: `// go.mod: go 1.21
for _, f := range files {
	go func() {
		process(f) // may process the last file several times
	}()
}`,
		good: `for _, f := range files {
	go func(f string) {
		process(f)
	}(f)
}`,
	},
	{
		id: "SL1104", kind: "context-misuse", name: "context-cancel-lost",
		analyzer: "lostcancel", url: passURL("lostcancel"),
		title: "Cancel function of a derived context is not called on all paths",
		level: LevelError, precision: PrecisionHigh,
		help: "context.WithCancel, WithTimeout and WithDeadline return a cancel function that releases the new context. " +
			"Discarding it, or returning on a path that does not call it, keeps the context, its timer and its goroutine alive until the parent is cancelled, which in a long-running server may be never. " +
			"Call cancel on every path, normally with defer cancel() right after the call.",
		bad: `ctx, _ = context.WithTimeout(ctx, 5*time.Second)
return db.PingContext(ctx)`,
		good: `ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
defer cancel()
return db.PingContext(ctx)`,
	},
	{
		id: "SL1105", kind: "channel-misuse", name: "signal-channel-unbuffered",
		analyzer: "sigchanyzer", url: passURL("sigchanyzer"),
		title: "signal.Notify given an unbuffered channel",
		level: LevelWarning, precision: PrecisionHigh,
		help: "signal.Notify never blocks to deliver a signal: if the channel cannot take the value at that instant, the signal is dropped. " +
			"With an unbuffered channel, a signal that arrives while no goroutine is waiting in a receive is lost, so SIGINT or SIGTERM can be ignored. " +
			"Give the channel a buffer of at least one.",
		bad: `c := make(chan os.Signal)
signal.Notify(c, os.Interrupt)`,
		good: `c := make(chan os.Signal, 1)
signal.Notify(c, os.Interrupt)`,
	},
	{
		id: "SL1106", kind: "waitgroup-misuse", name: "waitgroup-add-in-goroutine",
		analyzer: "waitgroup", url: passURL("waitgroup"),
		title: "sync.WaitGroup.Add called inside the goroutine it counts",
		level: LevelError, precision: PrecisionHigh,
		help: "wg.Add inside the goroutine it counts races with wg.Wait: Wait may run before the goroutine has started and return while the work is still pending. " +
			"Callers then read results that are not there yet. " +
			"Call wg.Add before the go statement, or use wg.Go (Go 1.25 and later), which does both.",
		bad: `var wg sync.WaitGroup
for _, t := range tasks {
	go func() {
		wg.Add(1) // races with wg.Wait
		defer wg.Done()
		t.Run()
	}()
}
wg.Wait()`,
		good: `var wg sync.WaitGroup
for _, t := range tasks {
	wg.Go(t.Run) // or wg.Add(1) before the go statement
}
wg.Wait()`,
	},

	// ---- Panics: model kinds ----
	{
		id: "SL2001", kind: "nil-dereference",
		title: "Possible nil dereference",
		level: LevelError, precision: PrecisionMedium,
		def: "a pointer, map, interface or func value that is nil on some path (an error return, a failed lookup, an unset field) is dereferenced, called or written to without a check",
		help: "Dereferencing a nil pointer, calling a method that reads a nil receiver's fields, calling a nil func or assigning into a nil map panics at run time. " +
			"Such values are usually nil on an error path, after a lookup that found nothing, or when a field was never initialised. " +
			"Check for nil, or for the error that comes with the value, before using it, and initialise maps and fields in the constructor.",
		bad: `u, err := findUser(id)
if err != nil {
	log.Printf("lookup %s: %v", id, err)
}
fmt.Println(u.Name) // u is nil when err != nil`,
		good: `u, err := findUser(id)
if err != nil {
	return fmt.Errorf("lookup %s: %w", id, err)
}
fmt.Println(u.Name)`,
	},
	{
		id: "SL2002", kind: "out-of-bounds",
		title: "Index or slice bounds can be out of range",
		level: LevelError, precision: PrecisionMedium,
		def: "an index or slice expression can go past the length (or below zero) on some input: s[0] on a possibly empty slice, s[i+1] at the last element, or a length taken from input without a check",
		help: "Indexing a slice, array or string outside 0 to len-1, or slicing past its length or capacity, panics with \"index out of range\". " +
			"It typically happens on empty input, at the last element of a loop that looks ahead, or when a length read from input is trusted. " +
			"Check the length before indexing, bound loops by the length of every slice they index, and validate sizes that come from outside.",
		bad: `func first(args []string) string {
	return args[0] // panics when args is empty
}`,
		good: `func first(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}`,
	},
	{
		id: "SL2003", kind: "panic",
		title: "Reachable panic",
		level: LevelWarning, precision: PrecisionLow,
		def: "code panics on reachable input for a reason other than nil or bounds: a single-value type assertion of the wrong type, integer division by zero, a negative make size, an explicit panic on bad input, or a Must function given non-constant input",
		help: "Some operations panic instead of returning an error: a single-value type assertion of the wrong type, integer division by zero, make with a negative size, or Must-style helpers given bad input. " +
			"In a server, a panic in one request takes down the whole process unless something recovers it. " +
			"Use the comma-ok form of type assertions, validate divisors and sizes, and return errors for bad input instead of panicking.",
		bad: `func double(v any) int {
	return v.(int) * 2 // panics if v holds another type
}`,
		good: `func double(v any) (int, error) {
	n, ok := v.(int)
	if !ok {
		return 0, fmt.Errorf("want int, got %T", v)
	}
	return n * 2, nil
}`,
	},

	// ---- Panics: x/tools analyzers ----
	{
		id: "SL2101", kind: "panic", name: "errors-as-bad-target",
		analyzer: "errorsas", url: passURL("errorsas"),
		title: "errors.As target is not a pointer to an error type or interface",
		level: LevelError, precision: PrecisionHigh,
		help: "errors.As stores the matching error through its second argument, which must be a non-nil pointer to a type that implements error or to an interface type. " +
			"Anything else makes errors.As panic the first time the call runs. " +
			"Pass the address of a variable of the error type: errors.As(err, &target).",
		bad: `var perr *fs.PathError
if errors.As(err, perr) { // *fs.PathError, not a pointer to it: panics
	log.Print(perr.Path)
}`,
		good: `var perr *fs.PathError
if errors.As(err, &perr) {
	log.Print(perr.Path)
}`,
	},
	{
		id: "SL2102", kind: "nil-dereference", name: "response-used-before-error-check",
		analyzer: "httpresponse", url: passURL("httpresponse"),
		title: "HTTP response used before checking the error",
		level: LevelError, precision: PrecisionHigh,
		help: "When an HTTP request fails, the *http.Response it returns is nil. " +
			"Deferring resp.Body.Close() before checking err dereferences that nil response and panics whenever the request fails, for example on a network error or a timeout. " +
			"Check err first and defer the Close after the check.",
		bad: `resp, err := http.Get(url)
defer resp.Body.Close() // panics when err != nil
if err != nil {
	return err
}`,
		good: `resp, err := http.Get(url)
if err != nil {
	return err
}
defer resp.Body.Close()`,
	},
	{
		id: "SL2103", kind: "panic", name: "impossible-interface-assertion",
		analyzer: "ifaceassert", url: passURL("ifaceassert"),
		title: "Interface type assertion can never succeed",
		level: LevelError, precision: PrecisionHigh,
		help: "An assertion from one interface type to another cannot succeed when both declare a method with the same name but different signatures, because no type can implement both. " +
			"The single-value form always panics, and the comma-ok form is always false, so the code it guards never runs. " +
			"Fix the method signature on one side, or assert to the interface that was meant.",
		bad: `type closer interface{ Close() }

func shutdown(c closer) {
	c.(io.Closer).Close() // io.Closer's Close returns error: always panics
}`,
		good: `type closer interface{ Close() error }

func shutdown(c closer) error {
	return c.Close()
}`,
	},
	{
		id: "SL2104", kind: "nil-dereference", name: "nil-value-used",
		analyzer: "nilness", url: passURL("nilness"),
		title: "Value known to be nil is dereferenced",
		level: LevelError, precision: PrecisionHigh,
		help: "The nilness analysis follows the control flow and reports where a value is certainly nil: a field access, index or method call that will panic. " +
			"A certain nil dereference panics every time that path runs. " +
			"Return before the use, or test the value that can actually be nil.",
		bad: `if u == nil {
	log.Printf("user %s not found", u.Name) // u is nil here
}`,
		good: `if u == nil {
	log.Printf("user %s not found", id)
	return ErrNotFound
}`,
	},
	{
		id: "SL2105", kind: "panic", name: "unsafe-pointer-from-uintptr",
		analyzer: "unsafeptr", url: passURL("unsafeptr"),
		title: "Possibly invalid conversion from uintptr to unsafe.Pointer",
		level: LevelWarning, precision: PrecisionMedium,
		help: "Converting a uintptr to unsafe.Pointer is valid only in the patterns the unsafe package documents, such as arithmetic within a single expression. " +
			"An address held in a uintptr variable is invisible to the garbage collector and to stack growth, so the memory may be freed or moved, and the converted pointer then refers to garbage: crashes or silent memory corruption. " +
			"Keep the value as an unsafe.Pointer and use unsafe.Add for arithmetic.",
		bad: `addr := uintptr(unsafe.Pointer(&buf[0]))
p := (*byte)(unsafe.Pointer(addr + 1)) // buf may have moved`,
		good: `p := (*byte)(unsafe.Add(unsafe.Pointer(&buf[0]), 1))`,
	},

	// ---- Errors and resources: model kinds ----
	{
		id: "SL3001", kind: "unchecked-error",
		title: "Error result ignored",
		level: LevelWarning, precision: PrecisionMedium,
		def: "an error result is discarded (not assigned, or assigned to _) where failure should change what the program does, e.g. Write, Close of a written file, Commit, Flush or Unmarshal",
		help: "Ignoring an error lets the program continue as if the operation succeeded: a failed Write or Close of a file loses data, and an ignored Unmarshal error leaves a zero value in use. " +
			"The failure surfaces later, far from its cause, or never. " +
			"Check the error and return or handle it; where ignoring it is right, say why in a comment.",
		bad: `f, err := os.Create(path)
if err != nil {
	return err
}
f.Write(data)
f.Close() // a failed write to disk goes unnoticed
return nil`,
		good: `f, err := os.Create(path)
if err != nil {
	return err
}
if _, err := f.Write(data); err != nil {
	f.Close()
	return err
}
return f.Close()`,
	},
	{
		id: "SL3002", kind: "error-handling",
		title: "Error handled incorrectly",
		level: LevelWarning, precision: PrecisionLow,
		def: "an error is checked but mishandled: the wrong err is tested, a shadowed err hides the real one, execution continues after logging with an invalid value, nil is returned on failure, or %v instead of %w drops the cause",
		help: "Errors that are checked but mishandled are as harmful as unchecked ones: an err declared with := in an inner block shadows the outer one, returning nil after a failure reports success, and wrapping with %v instead of %w breaks errors.Is and errors.As for callers. " +
			"The caller then acts on invalid data or cannot tell what failed. " +
			"Test the error you just received, return it wrapped with %w and some context instead of continuing, and make sure every failure path returns a non-nil error.",
		bad: `data, err := os.ReadFile(path)
if err != nil {
	log.Print(err) // continues with empty data
}
var c Config
if err := json.Unmarshal(data, &c); err != nil {
	return nil, nil // the caller sees success
}`,
		good: `data, err := os.ReadFile(path)
if err != nil {
	return nil, fmt.Errorf("reading config: %w", err)
}
var c Config
if err := json.Unmarshal(data, &c); err != nil {
	return nil, fmt.Errorf("parsing %s: %w", path, err)
}`,
	},
	{
		id: "SL3003", kind: "resource-leak",
		title: "Resource not released on every path",
		level: LevelWarning, precision: PrecisionMedium,
		def: "a resource that must be released (file, connection, response body, sql.Rows, ticker, lock) is not closed, stopped or unlocked on some path, including early returns and defers inside a loop",
		help: "Files, network connections, HTTP response bodies, sql.Rows, tickers and locks must be released; a path that returns early without Close, Stop or Unlock leaks a file descriptor or connection, or blocks the next Lock forever. " +
			"A defer inside a loop releases nothing until the whole function returns. " +
			"Defer the release right after the acquisition succeeds, and move a loop body that acquires resources into its own function.",
		bad: `resp, err := http.Get(url)
if err != nil {
	return err
}
if resp.StatusCode != http.StatusOK {
	return fmt.Errorf("GET %s: %s", url, resp.Status) // body never closed
}
defer resp.Body.Close()`,
		good: `resp, err := http.Get(url)
if err != nil {
	return err
}
defer resp.Body.Close()
if resp.StatusCode != http.StatusOK {
	return fmt.Errorf("GET %s: %s", url, resp.Status)
}`,
	},

	// ---- Errors and resources: x/tools analyzers ----
	{
		id: "SL3101", kind: "error-handling", name: "errors-deep-equal",
		analyzer: "deepequalerrors", url: passURL("deepequalerrors"),
		title: "reflect.DeepEqual used to compare errors",
		level: LevelWarning, precision: PrecisionHigh,
		help: "reflect.DeepEqual compares errors structurally, so an error wrapped with %w never equals the sentinel it wraps, and distinct errors that happen to hold equal fields compare equal. " +
			"Code that branches on the result takes the wrong path as soon as some layer adds context to the error. " +
			"Use errors.Is to test for a sentinel value and errors.As to test for a type.",
		bad: `if reflect.DeepEqual(err, io.EOF) {
	return nil
}`,
		good: `if errors.Is(err, io.EOF) {
	return nil
}`,
	},
	{
		id: "SL3103", kind: "error-handling", name: "nil-check-decided",
		analyzer: "nilness/condition", url: passURL("nilness"),
		title: "A comparison with nil whose outcome is already known",
		level: LevelWarning, precision: PrecisionHigh,
		help: "The nilness analysis follows the control flow and reports comparisons with nil that are always true or always false on every path that reaches them (\"impossible condition\", \"tautological condition\"). " +
			"In Go this is most often an error check that tests the wrong variable: the err of an earlier call, already checked, instead of the err just returned, so the new failure goes unnoticed. " +
			"Test the value the preceding call returned.",
		bad: `cfg, err := load(path)
if err != nil {
	return err
}
cert, cerr := tls.LoadX509KeyPair(certFile, keyFile)
if err != nil { // always false: cerr is never checked
	return err
}`,
		good: `cert, err := tls.LoadX509KeyPair(certFile, keyFile)
if err != nil {
	return err
}`,
	},
	{
		id: "SL3102", kind: "unchecked-error", name: "rows-err-unchecked",
		analyzer: "sqlrowserr", url: passURL("sqlrowserr"),
		title: "sql.Rows.Err not checked after the Next loop",
		level: LevelWarning, precision: PrecisionHigh,
		help: "rows.Next returns false both at the end of the result set and when iteration fails, for example on a dropped connection or a cancelled context. " +
			"Without a check of rows.Err after the loop, a partial result is treated as complete. " +
			"Check rows.Err() after the loop and return its error.",
		bad: `for rows.Next() {
	var id int
	if err := rows.Scan(&id); err != nil {
		return nil, err
	}
	ids = append(ids, id)
}
return ids, nil`,
		good: `for rows.Next() {
	var id int
	if err := rows.Scan(&id); err != nil {
		return nil, err
	}
	ids = append(ids, id)
}
return ids, rows.Err()`,
	},

	// ---- Logic: model kinds ----
	{
		id: "SL4001", kind: "off-by-one",
		title: "Off-by-one in a bound or index",
		level: LevelWarning, precision: PrecisionLow,
		def: "a loop bound, index, length or range check is one too large or too small: <= len(s), s[len(s)], a limit checked with > instead of >=, or an inclusive and exclusive end mixed up",
		help: "Off-by-one errors use <= where < was meant, start at 1 instead of 0, or compute a length one too long or too short. " +
			"They read past the end and panic, skip the first or last element, or let through one item more than a limit allows. " +
			"Check each bound against what the value means: lengths and exclusive ends go with <, inclusive limits with <=.",
		bad: `for i := 0; i <= len(items); i++ {
	total += items[i].Price // panics on the last iteration
}`,
		good: `for i := 0; i < len(items); i++ {
	total += items[i].Price
}`,
	},
	{
		id: "SL4002", kind: "integer-overflow",
		title: "Integer overflow or truncation",
		level: LevelWarning, precision: PrecisionLow,
		def: "an integer computation or conversion can overflow, wrap or truncate on realistic input: a narrowing conversion (int64 to int32, int to uint16), a negative value converted to unsigned, or a size multiplication without a check",
		help: "Go integers wrap silently: converting an int64 to int32 drops the high bits, a negative int converted to uint becomes huge, and a product of sizes can overflow into a small or negative number that passes a later check. " +
			"The result is wrong lengths, bad allocations or bypassed limits. " +
			"Check the range before converting, parse with the target bit size, or do the arithmetic in a wider type.",
		bad: `n, err := strconv.Atoi(s)
if err != nil {
	return 0, err
}
return uint16(n), nil // 70000 becomes 4464`,
		good: `n, err := strconv.ParseUint(s, 10, 16) // rejects values above 65535
if err != nil {
	return 0, err
}
return uint16(n), nil`,
	},
	{
		id: "SL4003", kind: "logic-error",
		title: "Code does not do what it evidently intends",
		level: LevelWarning, precision: PrecisionLow,
		def: "the code does something other than what its names, comments or surrounding code show it intends: an inverted or always-true condition, the wrong variable or field, a missing return or break, swapped arguments, or a result computed and then discarded",
		help: "Logic errors compile and often pass happy-path tests: a condition is inverted, the wrong variable survives a copy and paste, a branch forgets to return, or arguments are passed in the wrong order. " +
			"They produce wrong results rather than crashes, which makes them slow to notice. " +
			"Compare each condition and argument with the name and documentation of what it feeds, and add a test for the branch.",
		bad: `func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return lo // should be hi
	}
	return v
}`,
		good: `func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}`,
	},

	// ---- Logic: x/tools analyzers ----
	{
		id: "SL4101", kind: "logic-error", name: "append-nothing",
		analyzer: "appends", url: passURL("appends"),
		title: "Call to append adds no values",
		level: LevelWarning, precision: PrecisionHigh,
		help: "append(s) with no further arguments returns s unchanged, so the call does nothing. " +
			"It usually means the values, or the ... after a second slice, were forgotten, and the data never arrives. " +
			"Add the missing values, as in append(s, t...), or delete the call.",
		bad: `func merge(a, b []int) []int {
	return append(a) // b is forgotten
}`,
		good: `func merge(a, b []int) []int {
	return append(a, b...)
}`,
	},
	{
		id: "SL4102", kind: "logic-error", name: "self-assignment",
		analyzer: "assign", url: passURL("assign"),
		title: "Variable assigned to itself",
		level: LevelWarning, precision: PrecisionHigh,
		help: "Assigning a variable to itself, as in x = x, has no effect. " +
			"It usually comes from a typo, such as a setter that assigns a field to itself instead of from its parameter, so the intended value is never stored. " +
			"Assign from the right source.",
		bad: `func (s *Server) SetName(name string) {
	s.name = s.name
}`,
		good: `func (s *Server) SetName(name string) {
	s.name = name
}`,
	},
	{
		id: "SL4103", kind: "logic-error", name: "suspicious-boolean",
		analyzer: "bools", url: passURL("bools"),
		title: "Boolean expression is redundant or always true",
		level: LevelWarning, precision: PrecisionHigh,
		help: "The bools analyzer reports boolean expressions with a repeated operand, such as x == 1 || x == 1, and inequalities joined by || that are always true, such as x != 1 || x != 2. " +
			"These are typos or a wrong operator: the guarded code runs always, never, or for the wrong values. " +
			"Use && to combine inequalities, and replace the repeated operand with the one that was meant.",
		bad: `if c != 'a' || c != 'b' { // always true
	return errBadChar
}`,
		good: `if c != 'a' && c != 'b' {
	return errBadChar
}`,
	},
	{
		id: "SL4104", kind: "logic-error", name: "defer-evaluates-early",
		analyzer: "defers", url: passURL("defers"),
		title: "time.Since in a defer statement is evaluated too early",
		level: LevelWarning, precision: PrecisionHigh,
		help: "The arguments of a deferred call are evaluated when the defer statement runs, not when the function returns. " +
			"defer record(time.Since(start)) therefore measures almost nothing, since time.Since runs right after start is set. " +
			"Wrap the call in a function literal so that time.Since runs at return.",
		bad: `start := time.Now()
defer recordLatency(time.Since(start))`,
		good: `start := time.Now()
defer func() { recordLatency(time.Since(start)) }()`,
	},
	{
		id: "SL4105", kind: "logic-error", name: "host-port-sprintf",
		analyzer: "hostport", url: passURL("hostport"),
		title: "Network address built with fmt.Sprintf breaks IPv6",
		level: LevelWarning, precision: PrecisionHigh,
		help: "An address built as fmt.Sprintf(\"%s:%d\", host, port) is wrong when host is an IPv6 literal, which needs brackets: \"::1:8080\" is not a valid address, so the dial fails or reaches the wrong host. " +
			"The code works in tests on IPv4 and breaks in IPv6 deployments. " +
			"Use net.JoinHostPort, which adds the brackets when needed.",
		bad: `addr := fmt.Sprintf("%s:%d", host, port)
conn, err := net.Dial("tcp", addr)`,
		good: `addr := net.JoinHostPort(host, strconv.Itoa(port))
conn, err := net.Dial("tcp", addr)`,
	},
	{
		id: "SL4106", kind: "logic-error", name: "function-compared-to-nil",
		analyzer: "nilfunc", url: passURL("nilfunc"),
		title: "Declared function compared with nil",
		level: LevelWarning, precision: PrecisionHigh,
		help: "A declared function or method is never nil, so f == nil is always false and f != nil always true. " +
			"The comparison was usually meant for a variable or field of func type, or for the result of calling the function, so the guarded code runs unconditionally or never. " +
			"Compare the value that can be nil, or call the function and compare its result.",
		bad: `func cleanup() error { return os.RemoveAll(tmp) }

func run(h Hooks) {
	if cleanup != nil { // always true: h.Cleanup was meant
		defer cleanup()
	}
}`,
		good: `func run(h Hooks) {
	if h.Cleanup != nil {
		defer h.Cleanup()
	}
}`,
	},
	{
		id: "SL4107", kind: "logic-error", name: "printf-mismatch",
		analyzer: "printf", url: passURL("printf"),
		title: "Printf format does not match its arguments",
		level: LevelWarning, precision: PrecisionHigh,
		help: "The printf analyzer checks calls to fmt.Printf-like functions, including wrappers it can see through: verbs that do not suit their argument's type, too many or too few arguments, and non-constant format strings with no arguments. " +
			"The output then contains noise such as %!d(string=bob) or %!(EXTRA ...), and a format built from input misreads any % in the data. " +
			"Fix the verbs or the arguments, and pass dynamic text as an argument, as in Printf(\"%s\", msg).",
		bad:  `log.Printf("user %d logged in from %s", name)`,
		good: `log.Printf("user %s logged in from %s", name, addr)`,
	},
	{
		id: "SL4108", kind: "logic-error", name: "reflect-value-compared",
		analyzer: "reflectvaluecompare", url: passURL("reflectvaluecompare"),
		title: "reflect.Value compared with == or reflect.DeepEqual",
		level: LevelWarning, precision: PrecisionHigh,
		help: "Comparing two reflect.Value values with == or reflect.DeepEqual compares the reflect.Value structs, not the values they hold. " +
			"Two Values holding equal data usually compare unequal, so the comparison is almost always false. " +
			"Compare the held values with v.Equal(u) or v.Interface() == u.Interface().",
		bad: `if reflect.ValueOf(a) == reflect.ValueOf(b) {
	return true
}`,
		good: `if reflect.ValueOf(a).Equal(reflect.ValueOf(b)) {
	return true
}`,
	},
	{
		id: "SL4109", kind: "integer-overflow", name: "shift-too-large",
		analyzer: "shift", url: passURL("shift"),
		title: "Shift equals or exceeds the width of the integer",
		level: LevelWarning, precision: PrecisionHigh,
		help: "Shifting an integer by its width in bits or more yields 0, or -1 for a negative signed value shifted right, whatever the operand holds. " +
			"The expression is therefore constant, and the bits the code meant to keep are lost; the usual cause is a narrower type than intended. " +
			"Convert the operand to a wide enough type before shifting, or fix the shift count.",
		bad: `var hi, lo uint32
v := hi<<32 | lo // hi<<32 is always 0`,
		good: `var hi, lo uint32
v := uint64(hi)<<32 | uint64(lo)`,
	},
	{
		id: "SL4110", kind: "logic-error", name: "slog-key-value-mismatch",
		analyzer: "slog", url: passURL("slog"),
		title: "Misplaced key or missing value in a log/slog call",
		level: LevelWarning, precision: PrecisionHigh,
		help: "The log/slog functions take alternating keys and values after the message. " +
			"A value in a key position, or a final key without a value, shifts the pairs, and slog records the stray argument under the key \"!BADKEY\", so searches by key miss the data. " +
			"Pass keys and values in pairs, or use Attr constructors such as slog.Int and slog.Duration.",
		bad:  `slog.Info("request done", "status", code, elapsed)`,
		good: `slog.Info("request done", "status", code, "elapsed", elapsed)`,
	},
	{
		id: "SL4111", kind: "logic-error", name: "standard-method-signature",
		analyzer: "stdmethods", url: passURL("stdmethods"),
		title: "Method with a well-known name has the wrong signature",
		level: LevelWarning, precision: PrecisionHigh,
		help: "Methods named after well-known interface methods, such as Format, MarshalJSON, UnmarshalJSON, ReadByte, WriteTo or Seek, are found by the standard library through those interfaces. " +
			"With a slightly different signature the method does not satisfy the interface and is silently ignored, so a custom encoder, decoder or formatter never runs. " +
			"Use the exact signature of the interface method.",
		bad: `func (t *Temp) UnmarshalJSON(s string) error { // encoding/json never calls this
	return t.parse(s)
}`,
		good: `func (t *Temp) UnmarshalJSON(b []byte) error {
	return t.parse(string(b))
}`,
	},
	{
		id: "SL4112", kind: "logic-error", name: "string-from-int",
		analyzer: "stringintconv", url: passURL("stringintconv"),
		title: "string(int) yields a character, not a decimal number",
		level: LevelWarning, precision: PrecisionHigh,
		help: "Converting an integer with string(n) produces the UTF-8 encoding of the code point n: string(65) is \"A\", not \"65\", and an invalid code point becomes \"\\uFFFD\". " +
			"Keys, messages and file names built this way are silently wrong. " +
			"Use strconv.Itoa or fmt.Sprint for a decimal number, or string(rune(n)) when a character is really meant.",
		bad:  `key := "user-" + string(id)`,
		good: `key := "user-" + strconv.Itoa(id)`,
	},
	{
		id: "SL4113", kind: "logic-error", name: "struct-tag-malformed",
		analyzer: "structtag", url: passURL("structtag"),
		title: "Struct field tag is malformed or duplicated",
		level: LevelWarning, precision: PrecisionHigh,
		help: "Struct tags must follow the key:\"value\" convention with no space around the colon. " +
			"reflect.StructTag.Get cannot parse a malformed tag, so encoding/json and similar packages silently fall back to the field name; two fields with the same JSON or XML name make one of them vanish from the output. " +
			"Write tags as json:\"name,omitempty\" and keep the names unique.",
		bad: `type User struct {
	Name  string ` + bt + `json: "name"` + bt + `
	Email string ` + bt + `json:"name"` + bt + `
}`,
		good: `type User struct {
	Name  string ` + bt + `json:"name"` + bt + `
	Email string ` + bt + `json:"email"` + bt + `
}`,
	},
	{
		id: "SL4114", kind: "logic-error", name: "test-fatal-in-goroutine",
		analyzer: "testinggoroutine", url: passURL("testinggoroutine"),
		title: "t.Fatal or t.FailNow called from a goroutine started by the test",
		level: LevelError, precision: PrecisionHigh,
		help: "t.Fatal, t.FailNow, t.Skip and their variants stop a test by calling runtime.Goexit, which ends only the goroutine that calls it. " +
			"Called from a goroutine the test started, they end that goroutine while the test function keeps running, and if the test has already returned the testing package panics. " +
			"Send the error back to the test goroutine and call t.Fatal there, or use t.Error and return.",
		bad: `func TestWorkers(t *testing.T) {
	for i := range 4 {
		go func() {
			if err := work(i); err != nil {
				t.Fatal(err) // ends this goroutine, not the test
			}
		}()
	}
}`,
		good: `func TestWorkers(t *testing.T) {
	errc := make(chan error, 4)
	for i := range 4 {
		go func() { errc <- work(i) }()
	}
	for range 4 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}`,
	},
	{
		id: "SL4115", kind: "logic-error", name: "malformed-test",
		analyzer: "tests", url: passURL("tests"),
		title: "Test, benchmark, fuzz test or example is malformed",
		level: LevelWarning, precision: PrecisionHigh,
		help: "go test finds tests, benchmarks, fuzz tests and examples by name and signature. " +
			"A function named Testparse (lower case after Test), one with the wrong parameters, or an example named after an identifier that does not exist is not run as intended, so the check it contains never happens. " +
			"Name tests TestXxx with a single *testing.T parameter, and name examples after an existing identifier.",
		bad: `func Testparse(t *testing.T) { // never run by go test
	// ...
}`,
		good: `func TestParse(t *testing.T) {
	// ...
}`,
	},
	{
		id: "SL4116", kind: "logic-error", name: "time-format-day-month",
		analyzer: "timeformat", url: passURL("timeformat"),
		title: "Time layout 2006-02-01 puts the day before the month",
		level: LevelWarning, precision: PrecisionHigh,
		help: "Go time layouts are written with the reference time Mon Jan 2 15:04:05 2006, so 01 is the month and 02 the day. " +
			"The layout 2006-02-01 formats and parses year-day-month, which no common standard uses, and silently swaps day and month for the first twelve days. " +
			"Use 2006-01-02, or the constant time.DateOnly.",
		bad:  `s := t.Format("2006-02-01")`,
		good: `s := t.Format(time.DateOnly) // "2006-01-02"`,
	},
	{
		id: "SL4117", kind: "logic-error", name: "unmarshal-non-pointer",
		analyzer: "unmarshal", url: passURL("unmarshal"),
		title: "Non-pointer passed to an Unmarshal or Decode function",
		level: LevelWarning, precision: PrecisionHigh,
		help: "json.Unmarshal, xml.Unmarshal, gob and similar decoders store the decoded value through a pointer. " +
			"Given a non-pointer they cannot write anything and return an InvalidUnmarshalError, which is easily missed, leaving the variable at its zero value. " +
			"Pass the address of the variable.",
		bad: `var cfg Config
err := json.Unmarshal(data, cfg)`,
		good: `var cfg Config
err := json.Unmarshal(data, &cfg)`,
	},
	{
		id: "SL4118", kind: "logic-error", name: "result-unused",
		analyzer: "unusedresult", url: passURL("unusedresult"),
		title: "Result of a call without side effects is discarded",
		level: LevelWarning, precision: PrecisionHigh,
		help: "Functions such as fmt.Sprintf, fmt.Errorf, errors.New, context.WithValue and slices.Compact only compute and return a result; called as a statement, their work is thrown away. " +
			"The usual cause is a forgotten return or assignment, so an error is never reported or a slice is left half-modified. " +
			"Use the result, for example return fmt.Errorf(...) or s = slices.Compact(s).",
		bad: `if n < 0 {
	fmt.Errorf("negative count %d", n) // the error is dropped
}`,
		good: `if n < 0 {
	return fmt.Errorf("negative count %d", n)
}`,
	},
	{
		id: "SL4119", kind: "logic-error", name: "write-to-copy",
		analyzer: "unusedwrite", url: passURL("unusedwrite"),
		title: "Write to a field or element of a copy is never read",
		level: LevelWarning, precision: PrecisionMedium,
		help: "Assigning to a field of a struct or an element of an array that is a copy, such as a range value variable or a value receiver, changes only the copy, which is then discarded. " +
			"The original is never updated, so the change is silently lost. " +
			"Index into the original, range over pointers, or use a pointer receiver.",
		bad: `for _, u := range users {
	u.Active = true // changes a copy
}`,
		good: `for i := range users {
	users[i].Active = true
}`,
	},

	// ---- Security: model kinds ----
	{
		id: "SL5001", kind: "injection",
		title: "Untrusted input reaches a query, command or template",
		level: LevelError, precision: PrecisionMedium, severity: "8.8",
		cwe: []string{"CWE-078", "CWE-079", "CWE-089"},
		def: "untrusted input (request data, arguments, environment, file or network contents) is concatenated or formatted into SQL, a shell command, HTML or another interpreter's input instead of being passed as a parameter",
		help: "Building SQL, shell commands or HTML by concatenating untrusted input lets an attacker change the statement itself: read or delete other users' data, run arbitrary commands, or inject script into pages. " +
			"Escaping by hand is fragile and easy to get wrong. " +
			"Pass values as query parameters, run programs with exec.Command and separate arguments rather than through a shell, and render HTML with html/template.",
		bad: `q := "SELECT id FROM users WHERE name = '" + r.FormValue("name") + "'"
rows, err := db.QueryContext(ctx, q)`,
		good: `rows, err := db.QueryContext(ctx,
	"SELECT id FROM users WHERE name = ?", r.FormValue("name"))`,
	},
	{
		id: "SL5002", kind: "path-traversal",
		title: "Untrusted path can escape its directory",
		level: LevelError, precision: PrecisionMedium, severity: "7.5",
		cwe: []string{"CWE-022"},
		def: "a file path built from untrusted input can leave the intended directory through .. elements, an absolute path or a symlink, e.g. filepath.Join(root, name) with no check, or archive entry names extracted as they are",
		help: "Joining a directory with a name from a request or an archive does not confine the result: \"../../etc/passwd\" or an absolute path walks out of the directory, letting an attacker read or overwrite any file the process can reach. " +
			"filepath.Join cleans the path but does not stop it from escaping. " +
			"Reject names for which filepath.IsLocal is false, or open files through an os.Root, which also refuses symlinks that leave the directory.",
		bad: `name := r.URL.Query().Get("file")
http.ServeFile(w, r, filepath.Join("/srv/files", name))`,
		good: `name := r.URL.Query().Get("file")
if !filepath.IsLocal(name) {
	http.Error(w, "bad file name", http.StatusBadRequest)
	return
}
http.ServeFile(w, r, filepath.Join("/srv/files", name))`,
	},
	{
		id: "SL5003", kind: "insecure-crypto",
		title: "Weak or misused cryptography",
		level: LevelWarning, precision: PrecisionMedium, severity: "6.5",
		cwe: []string{"CWE-295", "CWE-327", "CWE-338"},
		def: "cryptography is weak or misused: MD5 or SHA-1 for security, DES or RC4, math/rand for keys, tokens or nonces, a hard-coded key or IV, a reused nonce, or TLS with InsecureSkipVerify or an outdated MinVersion",
		help: "Broken primitives and misuse defeat cryptography: MD5 and SHA-1 collide, math/rand output is predictable, a reused AES-GCM nonce reveals plaintext, and InsecureSkipVerify accepts any certificate, allowing man-in-the-middle attacks. " +
			"The code works normally, so nothing shows the weakness until it is exploited. " +
			"Use crypto/rand for secrets and nonces, SHA-256 or better (and bcrypt, scrypt or argon2 for passwords), authenticated encryption with fresh nonces, and keep TLS verification on.",
		bad: `func newToken() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(rand.Intn(256)) // math/rand: predictable
	}
	return hex.EncodeToString(b)
}`,
		good: `func newToken() string {
	return rand.Text() // crypto/rand
}`,
	},
}
