package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary re-executes itself as a writer process when these are set,
// as os/exec's tests do with GO_WANT_HELPER_PROCESS.
const (
	envWriter = "SECONDLOOK_CACHE_TEST_WRITER"
	envDir    = "SECONDLOOK_CACHE_TEST_DIR"
)

func TestMain(m *testing.M) {
	if id := os.Getenv(envWriter); id != "" {
		n, _ := strconv.Atoi(id)
		if err := hammer(os.Getenv(envDir), n, 300); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func open(t *testing.T, dir string) *Cache {
	t.Helper()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRoundTrip(t *testing.T) {
	c := open(t, t.TempDir())
	for _, size := range []int{0, 1, 100, 1 << 20} {
		key := Key("round trip", strconv.Itoa(size))
		want := bytes.Repeat([]byte{'a', 'b', 'c'}, size/3+1)[:size]
		if err := c.Put(key, want); err != nil {
			t.Fatal(err)
		}
		got, ok := c.Get(key)
		if !ok || !bytes.Equal(got, want) {
			t.Errorf("size %d: Get = %d bytes, %v; want the %d bytes put", size, len(got), ok, size)
		}
		if _, err := os.Stat(filepath.Join(c.Dir(), key[:2], key)); err != nil {
			t.Errorf("entry not at dir/<key[:2]>/<key>: %v", err)
		}
	}
	// A second Put replaces the first.
	key := Key("replace")
	c.Put(key, []byte("old"))
	c.Put(key, []byte("new"))
	if got, _ := c.Get(key); string(got) != "new" {
		t.Errorf("after two Puts, Get = %q, want %q", got, "new")
	}
	// Nothing but entries is left behind: no temporary or probe files.
	filepath.WalkDir(c.Dir(), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !validKey(d.Name()) {
			t.Errorf("stray file %s", path)
		}
		return nil
	})
}

func TestMiss(t *testing.T) {
	c := open(t, t.TempDir())
	if got, ok := c.Get(Key("never put")); ok || got != nil {
		t.Errorf("Get of a key never put = %q, %v; want a miss", got, ok)
	}
	// A directory where the entry should be is a miss too.
	key := Key("dir")
	os.MkdirAll(filepath.Join(c.Dir(), key[:2], key), 0o755)
	if _, ok := c.Get(key); ok {
		t.Error("Get of a directory hit")
	}
}

// TestDamaged damages a good entry in every way a crash, a partial CI cache
// restore or a bad disk might, and requires a miss each time, then a working
// Put over it.
func TestDamaged(t *testing.T) {
	data := []byte("an answer from the model, long enough to damage in several places")
	whole := encode(data)
	damage := map[string]func([]byte) []byte{
		"empty":          func(b []byte) []byte { return nil },
		"half header":    func(b []byte) []byte { return b[:headerLen/2] },
		"header only":    func(b []byte) []byte { return b[:headerLen] },
		"one byte short": func(b []byte) []byte { return b[:len(b)-1] },
		"half data":      func(b []byte) []byte { return b[:headerLen+len(data)/2] },
		"extra byte":     func(b []byte) []byte { return append(b, 'x') },
		"wrong magic":    func(b []byte) []byte { copy(b, "slcache0"); return b },
		"no magic":       func(b []byte) []byte { return b[len(magic):] },
		"length too big": func(b []byte) []byte {
			binary.BigEndian.PutUint64(b[len(magic):], uint64(len(data)+1))
			return b
		},
		"consistent but other data": func(b []byte) []byte {
			// Right length, right magic, checksum of other bytes.
			other := sha256.Sum256([]byte("other"))
			copy(b[len(magic)+8:], other[:])
			return b
		},
	}
	for i := range whole {
		damage[fmt.Sprintf("flip byte %d", i)] = func(b []byte) []byte { b[i] ^= 0x01; return b }
	}
	c := open(t, t.TempDir())
	for name, f := range damage {
		key := Key(name)
		if err := c.Put(key, data); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(c.Dir(), key[:2], key)
		if err := os.WriteFile(path, f(bytes.Clone(whole)), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, ok := c.Get(key); ok {
			t.Errorf("%s: Get = %q, true; want a miss", name, got)
		}
		if err := c.Put(key, data); err != nil {
			t.Errorf("%s: Put over the damaged entry: %v", name, err)
		}
		if got, ok := c.Get(key); !ok || !bytes.Equal(got, data) {
			t.Errorf("%s: after a new Put, Get = %q, %v", name, got, ok)
		}
	}
}

func TestKey(t *testing.T) {
	distinct := [][]string{
		{"ab", "c"},
		{"a", "bc"},
		{"abc"},
		{},
		{""},
		{"", ""},
		{"a", ""},
		{"a"},
	}
	seen := map[string][]string{}
	for _, parts := range distinct {
		k := Key(parts...)
		if !validKey(k) {
			t.Errorf("Key(%q) = %q, not 64 lowercase hex digits", parts, k)
		}
		if prev, ok := seen[k]; ok {
			t.Errorf("Key(%q) == Key(%q)", parts, prev)
		}
		seen[k] = parts
	}
	if Key("a", "b") != Key("a", "b") {
		t.Error("Key is not deterministic")
	}
	// Pinned: a change to how keys are made orphans every user's cache, so
	// it should be on purpose.
	const want = "9727097fb2006fa7b53241abe04d5b60e7b5b2c81ea0d6c0f336a693f23cd65b"
	if got := Key("secondlook"); got != want {
		t.Errorf("Key(%q) = %s, want %s", "secondlook", got, want)
	}
}

func TestInvalidKey(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "answers")
	c := open(t, dir)
	bad := []string{
		"",
		"abc",
		"../../../../etc/passwd",
		"../" + Key("x")[3:],
		strings.ToUpper(Key("x")),
		Key("x")[:63] + "/",
		Key("x")[:63] + "g",
		Key("x") + "0",
		"/" + Key("x")[1:],
	}
	for _, key := range bad {
		if err := c.Put(key, []byte("x")); err == nil {
			t.Errorf("Put(%q) succeeded", key)
		}
		if _, ok := c.Get(key); ok {
			t.Errorf("Get(%q) hit", key)
		}
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("invalid keys wrote outside the cache directory: %v", entries)
	}
	entries, _ = os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("invalid keys wrote into the cache directory: %v", entries)
	}
}

func TestOpenUnwritable(t *testing.T) {
	check := func(t *testing.T, dir string) {
		t.Helper()
		c, err := Open(dir)
		if err == nil {
			t.Fatalf("Open(%s) = %v, nil; want an error", dir, c.Dir())
		}
		for _, want := range []string{dir, "--cache-dir", "--no-cache"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
	}
	t.Run("under a file", func(t *testing.T) {
		// Fails for root too: no one can make a directory inside a file.
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		check(t, filepath.Join(file, "answers"))
	})
	t.Run("read-only", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("directory permissions do not stop writes on Windows")
		}
		if os.Geteuid() == 0 {
			t.Skip("root writes read-only directories")
		}
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		check(t, dir)
		check(t, filepath.Join(dir, "answers"))
	})
	t.Run("empty", func(t *testing.T) {
		_, err := Open("")
		if err == nil || !strings.Contains(err.Error(), "--no-cache") {
			t.Errorf("Open(\"\") = %v; want an error naming --no-cache", err)
		}
	})
}

func TestDefaultDir(t *testing.T) {
	if runtime.GOOS == "linux" {
		t.Setenv("XDG_CACHE_HOME", "/xdg")
	}
	dir, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && dir != "/xdg/secondlook/answers" {
		t.Errorf("DefaultDir() = %s, want /xdg/secondlook/answers", dir)
	}
	if !strings.HasSuffix(dir, filepath.Join("secondlook", "answers")) {
		t.Errorf("DefaultDir() = %s, want it to end in secondlook/answers", dir)
	}
}

func TestNil(t *testing.T) {
	var c *Cache
	if err := c.Put(Key("x"), []byte("x")); err != nil {
		t.Errorf("nil Put: %v", err)
	}
	if _, ok := c.Get(Key("x")); ok {
		t.Error("nil Get hit")
	}
	if c.Dir() != "" {
		t.Errorf("nil Dir = %q", c.Dir())
	}
}

// payload makes a value that says who wrote it, for which key and when, and
// whose bytes follow from that, so a reader can tell a whole value from
// pieces of two. Sizes vary up to 128 KiB so that writes overlap.
func payload(key string, writer, iter int) []byte {
	head := fmt.Sprintf("key=%s writer=%d iter=%d\n", key, writer, iter)
	size := (writer*7919 + iter*104729) % (128 << 10)
	b := make([]byte, len(head)+size)
	copy(b, head)
	rand.NewChaCha8(sha256.Sum256([]byte(head))).Read(b[len(head):])
	return b
}

// checkPayload returns an error unless b is exactly one value payload made
// for key.
func checkPayload(key string, b []byte) error {
	var k string
	var writer, iter int
	line, _, _ := bytes.Cut(b, []byte("\n"))
	if _, err := fmt.Sscanf(string(line), "key=%s writer=%d iter=%d", &k, &writer, &iter); err != nil {
		return fmt.Errorf("unreadable value starting %.80q", b)
	}
	if k != key {
		return fmt.Errorf("value for key %s stored under %s", k, key)
	}
	if !bytes.Equal(b, payload(key, writer, iter)) {
		return fmt.Errorf("value of writer %d, iteration %d for key %s is damaged (%d bytes)", writer, iter, key, len(b))
	}
	return nil
}

// hammer writes and reads a few shared keys of the cache in dir, checking
// every hit.
func hammer(dir string, writer, iters int) error {
	c, err := Open(dir)
	if err != nil {
		return err
	}
	keys := []string{Key("shared 0"), Key("shared 1"), Key("shared 2")}
	put := map[string]bool{}
	for i := range iters {
		key := keys[i%len(keys)]
		if err := c.Put(key, payload(key, writer, i)); err != nil {
			return err
		}
		put[key] = true
		for _, k := range keys {
			b, ok := c.Get(k)
			if !ok {
				// Entries are only ever replaced whole, so once one
				// exists no reader misses it.
				if put[k] {
					return fmt.Errorf("writer %d: miss on a key it has stored: a reader saw a partly written entry", writer)
				}
				continue
			}
			if err := checkPayload(k, b); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestConcurrentGoroutines(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for g := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Shared keys, written by all, then a key of this
			// goroutine's own, which must read back as last written.
			if errs[g] = hammer(dir, g, 50); errs[g] != nil {
				return
			}
			c, err := Open(dir)
			if err != nil {
				errs[g] = err
				return
			}
			own := Key("own", strconv.Itoa(g))
			for i := range 50 {
				want := payload(own, g, i)
				if err := c.Put(own, want); err != nil {
					errs[g] = err
					return
				}
				if got, ok := c.Get(own); !ok || !bytes.Equal(got, want) {
					errs[g] = fmt.Errorf("goroutine %d: own key read back %d bytes, %v; want iteration %d", g, len(got), ok, i)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot re-run the test binary: %v", err)
	}
	dir := t.TempDir()
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for id := 1; id <= 2; id++ {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), envWriter+"="+strconv.Itoa(id), envDir+"="+dir)
		out := new(bytes.Buffer)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer process %d: %v\n%s", i+1, err, outs[i])
		}
	}
	// What is left is one whole value per key.
	c := open(t, dir)
	for i := range 3 {
		key := Key("shared " + strconv.Itoa(i))
		b, ok := c.Get(key)
		if !ok {
			t.Errorf("shared %d: miss after both writers finished", i)
			continue
		}
		if err := checkPayload(key, b); err != nil {
			t.Error(err)
		}
	}
}

func TestTrim(t *testing.T) {
	c := open(t, t.TempDir())
	old := time.Now().Add(-48 * time.Hour)
	put := func(name string, size int, used time.Time) string {
		key := Key(name)
		if err := c.Put(key, bytes.Repeat([]byte{'x'}, size)); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(c.path(key), used, used)
		return key
	}
	stale := put("stale", 10, old)
	oldest := put("oldest", 1000, time.Now().Add(-3*time.Hour))
	newer := put("newer", 1000, time.Now().Add(-2*time.Hour))
	newest := put("newest", 1000, time.Now())
	// A Get marks an entry used: "oldest" is now the most recent.
	if _, ok := c.Get(oldest); !ok {
		t.Fatal("Get missed a fresh entry")
	}
	// Data of others in the directory stays.
	other := filepath.Join(c.Dir(), "analysis", "keep")
	os.MkdirAll(filepath.Dir(other), 0o755)
	os.WriteFile(other, []byte("keep"), 0o644)
	deadTmp := filepath.Join(c.Dir(), newest[:2], newest+".123.tmp")
	os.WriteFile(deadTmp, []byte("half"), 0o644)
	os.Chtimes(deadTmp, old, old)

	if err := c.Trim(Limits{MaxAge: 24 * time.Hour, MaxBytes: int64(2500 + headerLen*2)}); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]bool{stale: false, newer: false, oldest: true, newest: true} {
		if _, ok := c.Get(key); ok != want {
			t.Errorf("after Trim, entry kept = %v, want %v", ok, want)
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("Trim removed a file that is not an entry: %v", err)
	}
	if _, err := os.Stat(deadTmp); err == nil {
		t.Errorf("Trim left a day-old temporary file")
	}
}

func TestTrimDaily(t *testing.T) {
	c := open(t, t.TempDir())
	key := Key("a")
	c.Put(key, []byte("data"))
	old := time.Now().Add(-48 * time.Hour)
	os.Chtimes(c.path(key), old, old)
	lim := Limits{MaxAge: time.Hour}
	// A stamp from an hour ago: not due.
	stamp := filepath.Join(c.Dir(), trimStamp)
	os.WriteFile(stamp, nil, 0o644)
	hourAgo := time.Now().Add(-time.Hour)
	os.Chtimes(stamp, hourAgo, hourAgo)
	if err := c.TrimDaily(lim); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.path(key)); err != nil {
		t.Fatalf("TrimDaily trimmed though the last trim was an hour ago")
	}
	os.Chtimes(stamp, old, old)
	if err := c.TrimDaily(lim); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.path(key)); err == nil {
		t.Fatalf("TrimDaily did not trim a day after the last trim")
	}
	if err := (*Cache)(nil).TrimDaily(lim); err != nil {
		t.Errorf("nil cache: %v", err)
	}
}
