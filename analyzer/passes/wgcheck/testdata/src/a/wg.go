package a

import (
	"errors"
	"log"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"
)

type Item struct{ Name string }

type Store interface {
	Put(Item) error
}

// ---- waitgroup-wait-before-add ----

// The closer starts before the workers are added.
func Collect(items []Item, work func(Item) string) []string {
	var wg sync.WaitGroup
	out := make(chan string)
	go func() {
		wg.Wait()
		close(out)
	}()
	for _, it := range items {
		wg.Add(1) // want `wg\.Add after the goroutine started at line 24 calls wg\.Wait\(\), with no Add before it: Wait can see a zero counter and return at once`
		go func() {
			defer wg.Done()
			out <- work(it)
		}()
	}
	var res []string
	for s := range out {
		res = append(res, s)
	}
	return res
}

// The closer starts after the Adds: fine.
func CollectOK(items []Item, work func(Item) string) []string {
	var wg sync.WaitGroup
	out := make(chan string)
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out <- work(it)
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	var res []string
	for s := range out {
		res = append(res, s)
	}
	return res
}

// A dispatcher counted up front, adding for the workers it starts: fine.
func Dispatch(items []Item, work func(Item)) {
	var wg sync.WaitGroup
	wg.Add(1)
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(it)
		}()
	}
	wg.Done()
	<-done
}

// The same with an errgroup.
func SaveAll(s Store, items []Item) chan error {
	var g errgroup.Group
	errc := make(chan error, 1)
	go func() {
		errc <- g.Wait()
	}()
	for _, it := range items {
		g.Go(func() error { return s.Put(it) }) // want `g\.Go after the goroutine started at line 88 calls g\.Wait\(\), with no Add before it: Wait can see a zero counter and return at once`
	}
	return errc
}

// ---- waitgroup-done-skipped ----

// A failed encode returns before Done.
func SaveParallel(s Store, items []Item) {
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			if it.Name == "" {
				log.Print("skipping unnamed item")
				return // want `return skips wg\.Done\(\) \(line 112\), which is not deferred; wg\.Wait\(\) then blocks forever`
			}
			if err := s.Put(it); err != nil {
				log.Print(err)
			}
			wg.Done()
		}()
	}
	wg.Wait()
}

// Done on both paths: fine.
func SaveBothPaths(s Store, items []Item) {
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			if err := s.Put(it); err != nil {
				wg.Done()
				return
			}
			wg.Done()
		}()
	}
	wg.Wait()
}

// A path that panics or fails the process does not return.
func SavePanics(s Store, items []Item) {
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			if err := s.Put(it); err != nil {
				log.Fatal(err)
			}
			wg.Done()
		}()
	}
	wg.Wait()
}

// A worker handed the WaitGroup.
func worker(wg *sync.WaitGroup, s Store, jobs <-chan Item) error {
	for j := range jobs {
		if err := s.Put(j); err != nil {
			return err // want `return skips wg\.Done\(\) \(line 156\), which is not deferred; wg\.Wait\(\) then blocks forever`
		}
	}
	wg.Done()
	return nil
}

// A worker that hands the WaitGroup to a helper: the helper may call Done.
func workerHanded(wg *sync.WaitGroup, s Store, it Item) {
	if it.Name == "" {
		finish(wg)
		return
	}
	_ = s.Put(it)
	wg.Done()
}

func finish(wg *sync.WaitGroup) { wg.Done() }

// Done per job, in a loop: left alone.
func jobLoop(wg *sync.WaitGroup, s Store, jobs <-chan Item) {
	for j := range jobs {
		if j.Name == "" {
			continue
		}
		_ = s.Put(j)
		wg.Done()
	}
}

// A method run as a goroutine, with its WaitGroup in the receiver.
type Syncer struct {
	wg    sync.WaitGroup
	store Store
	queue chan Item
}

func (s *Syncer) Start() {
	s.wg.Add(1)
	go s.loop()
}

func (s *Syncer) loop() {
	for it := range s.queue {
		if err := s.store.Put(it); err != nil {
			return // want `return skips s\.wg\.Done\(\) \(line 201\), which is not deferred; s\.wg\.Wait\(\) then blocks forever`
		}
	}
	s.wg.Done()
}

// A method never run as a goroutine: not ours to judge.
func (s *Syncer) flush(it Item) error {
	if it.Name == "" {
		return errors.New("unnamed")
	}
	s.wg.Done()
	return nil
}

// Test helpers: t.Fatal does not return.
func TestSave(t *testing.T) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		if testing.Short() {
			t.Skip("short")
		}
		wg.Done()
	}()
	wg.Wait()
}

// ---- waitgroup-done-extra ----

func Refresh(items []Item, s Store) {
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Put(it); err != nil {
				wg.Done() // want `wg\.Done\(\) here and again by the deferred wg\.Done\(\) at line 233: the counter goes negative \(a panic\) or Wait returns early`
				return
			}
		}()
	}
	wg.Wait()
}

func Twice(s Store, it Item) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		_ = s.Put(it)
		wg.Done()
		log.Print("stored")
		wg.Done() // want `wg\.Done\(\) runs again after wg\.Done\(\) at line 248 on this path, with no Add between: the counter goes negative \(a panic\) or Wait returns early`
	}()
	wg.Wait()
}

// Add(2) for one goroutine that signals twice: fine.
func TwoPhases(s Store, it Item) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		_ = s.Put(it)
		wg.Done()
		_ = s.Put(it)
		wg.Done()
	}()
	wg.Wait()
}

// Add between the Dones: fine.
func Rearm(s Store, it Item) {
	var wg sync.WaitGroup
	wg.Add(1)
	wg.Done()
	wg.Add(1)
	wg.Done()
	wg.Wait()
}

// Done in a loop after Add(n): fine.
func Countdown(items []Item) {
	var wg sync.WaitGroup
	wg.Add(len(items))
	for range items {
		wg.Done()
	}
	wg.Wait()
}
