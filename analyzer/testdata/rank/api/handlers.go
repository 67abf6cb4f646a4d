package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// UserStore is where the server keeps users.
type UserStore interface {
	User(ctx context.Context, id string) (*User, error)
	Users(ctx context.Context, offset, limit int) ([]User, error)
	Avatar(ctx context.Context, id string) (io.ReadSeeker, int64, error)
}

// Server serves the user API.
type Server struct {
	Store   UserStore
	Log     *log.Logger
	Timeout time.Duration

	inflight atomic.Int64
	served   atomic.Int64
	limiter  Limiter
}

// Routes returns the server's handler.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}/avatar", s.handleAvatar)
	return s.withLimits(mux)
}

func (s *Server) withLimits(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.limiter.Allow(time.Now()) {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		s.inflight.Add(1)
		defer s.inflight.Add(-1)
		ctx, cancel := context.WithTimeout(r.Context(), s.Timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
		s.served.Add(1)
	})
}

func (s *Server) handleAvatar(w http.ResponseWriter, r *http.Request) {
	img, size, err := s.Store.Avatar(r.Context(), r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	start, end := int64(0), size-1
	if h := r.Header.Get("Range"); h != "" {
		start, end, err = parseRange(h, size)
		if err != nil {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", size))
			http.Error(w, err.Error(), http.StatusRequestedRangeNotSatisfiable)
			return
		}
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, size))
		w.WriteHeader(http.StatusPartialContent)
	}
	if _, err := img.Seek(start, io.SeekStart); err != nil {
		s.Log.Printf("avatar seek: %v", err)
		return
	}
	if _, err := io.CopyN(w, img, end-start+1); err != nil {
		s.Log.Printf("avatar write: %v", err)
	}
}

// parseRange parses a single "bytes=a-b" range of a resource of size bytes.
func parseRange(h string, size int64) (start, end int64, err error) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok {
		return 0, 0, errors.New("unsupported range unit")
	}
	dash := strings.Index(spec, "-")
	from, to := strings.TrimSpace(spec[:dash]), strings.TrimSpace(spec[dash+1:])
	if from == "" {
		n, err := strconv.ParseInt(to, 10, 64)
		if err != nil || n <= 0 {
			return 0, 0, errors.New("bad suffix range")
		}
		return max(size-n, 0), size - 1, nil
	}
	start, err = strconv.ParseInt(from, 10, 64)
	if err != nil || start >= size {
		return 0, 0, errors.New("range start out of bounds")
	}
	end = size - 1
	if to != "" {
		if end, err = strconv.ParseInt(to, 10, 64); err != nil || end < start {
			return 0, 0, errors.New("bad range end")
		}
		end = min(end, size-1)
	}
	return start, end, nil
}

func (s *Server) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.Log.Printf("write response: %v", err)
	}
}

// Limiter is a token bucket: Rate tokens a second, up to Burst.
type Limiter struct {
	Rate  float64
	Burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// Allow takes a token if one is left at now.
func (l *Limiter) Allow(now time.Time) bool {
	if l.Rate <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() {
		l.tokens = l.Burst
	} else if d := now.Sub(l.last); d > 0 {
		l.tokens = min(l.Burst, l.tokens+d.Seconds()*l.Rate)
	}
	l.last = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}
