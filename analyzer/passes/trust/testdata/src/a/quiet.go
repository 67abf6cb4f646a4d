package a

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand"
	"net/http"
	"os"
	"time"
)

// Bounded reads stay quiet.
func limitedUpload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20) // want `reads r.Body of the request`
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	w.Write(data)
}

func limitedGzip(f *os.File) ([]byte, error) {
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(zr, 1<<20))
}

// A hash for a cache key is not cryptography that decides trust.
func cacheKey(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Names that only look alike: no decision, no security noun after check.
func checkSyntax(src string) error {
	if src == "" {
		return io.EOF
	}
	return nil
}

func validateAll() {} // answers nothing

func allowance(n int) int { return n * 2 }

// Reading a response's status is not reading what a client sent.
func status(resp *http.Response) int { return resp.StatusCode }

// A request the function builds is written, not read from a client.
func post(c *http.Client, url string, body io.Reader) error {
	req, err := http.NewRequest("POST", url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// math/rand for jitter or sampling is fine.
func backoff(attempt int) time.Duration {
	return time.Duration(attempt)*time.Second + time.Duration(rand.Int63n(int64(time.Second)))
}

func pickKeyForShard(keys []string) string { return keys[rand.Intn(len(keys))] }
