package api

import (
	"context"
	"errors"
	"sync"
)

// A Backend answers searches for users.
type Backend interface {
	Search(ctx context.Context, query string) ([]User, error)
}

// Aggregator asks several backends and keeps the first answers.
type Aggregator struct {
	Backends []Backend
	// Quorum is how many answers are enough.
	Quorum int
}

type answer struct {
	users []User
	err   error
}

// Gather asks every backend and returns the users of the first Quorum
// answers.
func (a *Aggregator) Gather(ctx context.Context, query string) ([]User, error) {
	answers := make(chan answer, 1)
	for _, b := range a.Backends {
		go func(b Backend) {
			users, err := b.Search(ctx, query)
			answers <- answer{users, err}
		}(b)
	}
	var users []User
	var errs []error
	got := 0
	for ans := range answers {
		got++
		if ans.err != nil {
			errs = append(errs, ans.err)
		} else {
			users = append(users, ans.users...)
		}
		if got-len(errs) >= a.Quorum || got == len(a.Backends) {
			close(answers)
		}
	}
	if got-len(errs) < a.Quorum {
		return users, errors.Join(errs...)
	}
	return users, nil
}

// SearchAll asks every backend, waits for all of them and merges the
// users, dropping duplicates by ID. It fails if every backend failed.
func (a *Aggregator) SearchAll(ctx context.Context, query string) ([]User, error) {
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		seen = make(map[string]bool)
		out  []User
		errs []error
	)
	for _, b := range a.Backends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			users, err := b.Search(ctx, query)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			for _, u := range users {
				if !seen[u.ID] {
					seen[u.ID] = true
					out = append(out, u)
				}
			}
		}()
	}
	wg.Wait()
	if len(errs) == len(a.Backends) && len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}
