// Package cache keeps the model's answers on disk, addressed by content, so a
// second run over unchanged code asks the model nothing.
//
// It takes a key — [Key] of everything that shaped an answer: model, prompt
// version, region text — and the answer's bytes, and later hands back exactly
// those bytes or a miss. It never hands back bad data: an entry that is
// missing, truncated, corrupt or from another format is a miss, and the caller
// asks the model again and stores the new answer over it.
//
// Entries are plain files, dir/<key[:2]>/<key>, so the directory can be kept
// between CI runs by any cache action and shared by concurrent processes
// without locks. Each entry is
//
//	magic "slcache1" | data length, uint64 big-endian | sha256(data) | data
//
// and is written to a temporary file in the same directory, then renamed over
// the entry, so readers see a whole old entry or a whole new one, never two
// writers interleaved. Nothing is fsynced: an entry cut short by a crash fails
// its length or checksum and reads as a miss.
package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// magic starts every entry; change its digit when the layout changes, and old
// entries become misses.
const magic = "slcache1"

const headerLen = len(magic) + 8 + sha256.Size

// DefaultDir returns <os.UserCacheDir()>/secondlook/answers.
func DefaultDir() (string, error) {
	return userDir("answers")
}

// DefaultAnalysisDir returns <os.UserCacheDir()>/secondlook/analysis, where
// the per-package analysis results are kept, next to the answers.
func DefaultAnalysisDir() (string, error) {
	return userDir("analysis")
}

func userDir(name string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the user cache directory: %w; set --cache-dir, or --no-cache", err)
	}
	return filepath.Join(base, "secondlook", name), nil
}

// Key returns the hex sha256 of parts. Each part is prefixed with its length,
// so ("ab", "c") and ("a", "bc") make different keys.
func Key(parts ...string) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		io.WriteString(h, p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// A Cache is a directory of answers. Its methods are safe for concurrent use,
// and any number of Cache values and processes may share one directory.
//
// A nil *Cache is a cache that keeps nothing: Get misses and Put does nothing.
// That is what --no-cache gives.
type Cache struct {
	dir string
}

// Open returns the cache in dir, creating the directory if need be. A
// directory that cannot be written is an error that says so.
func Open(dir string) (*Cache, error) {
	if dir == "" {
		return nil, errors.New("no cache directory given: set --cache-dir, or --no-cache")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, unwritable(dir, err)
	}
	// MkdirAll succeeds on an existing directory we may not write, and
	// finding out at the first Put would be after the model was paid for.
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return nil, unwritable(dir, err)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return &Cache{dir: dir}, nil
}

func unwritable(dir string, err error) error {
	return fmt.Errorf("cache directory %s is not writable (%w): choose another with --cache-dir, or run without a cache with --no-cache", dir, err)
}

// Dir returns the directory the cache keeps its entries in.
func (c *Cache) Dir() string {
	if c == nil {
		return ""
	}
	return c.dir
}

// Get returns the data stored under key. It reports false if there is none,
// if key is not one [Key] makes, or if the entry is truncated or corrupt.
func (c *Cache) Get(key string) ([]byte, bool) {
	if c == nil || !validKey(key) {
		return nil, false
	}
	name := c.path(key)
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, false
	}
	c.touch(name)
	// A bad entry is left in place rather than removed: the caller's Put
	// replaces it, and removing it here could race with a writer that has
	// just renamed a good entry into place.
	return decode(b)
}

// Put stores data under key, replacing any entry there. Concurrent Puts of
// one key leave one of their values whole.
func (c *Cache) Put(key string, data []byte) error {
	if c == nil {
		return nil
	}
	if !validKey(key) {
		return fmt.Errorf("cache: invalid key %q: want 64 lowercase hex digits from cache.Key", key)
	}
	sub := filepath.Join(c.dir, key[:2])
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return fmt.Errorf("storing a cached answer: %w", err)
	}
	// The temporary name can never be taken for an entry: entries are named
	// by exactly 64 hex digits.
	f, err := os.CreateTemp(sub, key+".*.tmp")
	if err != nil {
		return fmt.Errorf("storing a cached answer: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(encode(data))
	if err == nil {
		// CreateTemp makes the file 0o600; entries are as readable as
		// their directory, for caches shared between CI users.
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, c.path(key))
		if err != nil {
			// Windows refuses to rename over a file another process has
			// open. That process is reading or has written this key, and
			// any whole entry for a key is as good as ours.
			if _, ok := c.Get(key); ok {
				err = nil
			}
		}
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("storing a cached answer: %w", err)
	}
	return nil
}

func (c *Cache) path(key string) string {
	return filepath.Join(c.dir, key[:2], key)
}

// validKey reports whether key is 64 lowercase hex digits, as [Key] makes.
// Nothing else may become a file name: a key must not reach outside the
// directory, nor name one entry two ways on a case-insensitive file system.
func validKey(key string) bool {
	if len(key) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func encode(data []byte) []byte {
	b := make([]byte, headerLen, headerLen+len(data))
	copy(b, magic)
	binary.BigEndian.PutUint64(b[len(magic):], uint64(len(data)))
	sum := sha256.Sum256(data)
	copy(b[len(magic)+8:], sum[:])
	return append(b, data...)
}

func decode(b []byte) ([]byte, bool) {
	if len(b) < headerLen || string(b[:len(magic)]) != magic {
		return nil, false
	}
	data := b[headerLen:]
	if binary.BigEndian.Uint64(b[len(magic):]) != uint64(len(data)) {
		return nil, false
	}
	sum := sha256.Sum256(data)
	if !bytes.Equal(sum[:], b[len(magic)+8:headerLen]) {
		return nil, false
	}
	return data, true
}

// touchAfter is how stale an entry's modification time may get before a
// Get sets it to now. The time is the entry's last use, which [Cache.Trim]
// goes by; updating it once an hour, not at every read, is what the go
// command's build cache does too.
const touchAfter = time.Hour

func (c *Cache) touch(name string) {
	now := time.Now()
	if fi, err := os.Stat(name); err == nil && now.Sub(fi.ModTime()) > touchAfter {
		os.Chtimes(name, now, now) // a read-only shared cache stays as it is
	}
}

// Limits bound a cache directory; see [Cache.Trim].
type Limits struct {
	MaxAge   time.Duration // entries unused for longer are removed; zero: no bound
	MaxBytes int64         // past this size the least recently used go; zero: no bound
}

// trimStamp is the file whose modification time says when the directory was
// last trimmed. It is not 64 hex digits, so never taken for an entry.
const trimStamp = "trim.txt"

// trimEvery is how often [Cache.TrimDaily] walks the directory.
const trimEvery = 24 * time.Hour

// TrimDaily trims the cache to lim (see [Cache.Trim]) unless it was done
// less than a day ago, by this process or another.
func (c *Cache) TrimDaily(lim Limits) error {
	if c == nil {
		return nil
	}
	stamp := filepath.Join(c.dir, trimStamp)
	if fi, err := os.Stat(stamp); err == nil && time.Since(fi.ModTime()) < trimEvery {
		return nil
	}
	// Stamp first: a concurrent process then leaves the walk to us.
	if err := os.WriteFile(stamp, []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		return fmt.Errorf("trimming the cache in %s: %w", c.dir, err)
	}
	return c.Trim(lim)
}

// Trim removes the entries unused for longer than lim.MaxAge, then, while
// the entries left take more than lim.MaxBytes, the least recently used.
// Only entries are touched: files named by 64 hex digits in the two-digit
// directories, so a directory shared with other data keeps that data. A
// temporary file older than a day is a writer that died, and goes too.
func (c *Cache) Trim(lim Limits) error {
	if c == nil {
		return nil
	}
	type entry struct {
		name string
		size int64
		used time.Time
	}
	var entries []entry
	now := time.Now()
	subs, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("trimming the cache in %s: %w", c.dir, err)
	}
	for _, sub := range subs {
		if !sub.IsDir() || len(sub.Name()) != 2 || !validKey(sub.Name()+validKeyPad) {
			continue
		}
		dir := filepath.Join(c.dir, sub.Name())
		files, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, f := range files {
			fi, err := f.Info()
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			name := filepath.Join(dir, f.Name())
			switch {
			case validKey(f.Name()):
				if lim.MaxAge > 0 && now.Sub(fi.ModTime()) > lim.MaxAge {
					os.Remove(name)
					continue
				}
				entries = append(entries, entry{name, fi.Size(), fi.ModTime()})
			case filepath.Ext(f.Name()) == ".tmp" && now.Sub(fi.ModTime()) > trimEvery:
				os.Remove(name)
			}
		}
	}
	if lim.MaxBytes <= 0 {
		return nil
	}
	var total int64
	for _, e := range entries {
		total += e.size
	}
	slices.SortFunc(entries, func(a, b entry) int { return a.used.Compare(b.used) })
	for _, e := range entries {
		if total <= lim.MaxBytes {
			break
		}
		if err := os.Remove(e.name); err == nil || errors.Is(err, fs.ErrNotExist) {
			total -= e.size
		}
	}
	return nil
}

// validKeyPad makes a two-digit directory name a key's length, to test its
// digits with validKey.
var validKeyPad = string(bytes.Repeat([]byte{'0'}, 2*sha256.Size-2))
