package a

import (
	"sync"
	"testing"
)

func TestPoolFatalInGoroutine(t *testing.T) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // want "go statement starts"
		defer wg.Done()
		if got := Count(nil); got != 0 {
			t.Fatalf("Count = %d", got) // want "t.Fatalf called from a goroutine; it must run on the test goroutine"
		}
	}()
	wg.Wait()
}

// Errorf is safe from any goroutine, and the subtest's t.Fatal runs on its own goroutine.
func TestPoolErrorInGoroutine(t *testing.T) {
	errs := make(chan error, 1)
	go func() { // want "go statement starts"
		if got := Count(nil); got != 0 {
			t.Errorf("Count = %d", got)
		}
		errs <- nil
	}()
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	t.Run("sub", func(t *testing.T) {
		t.Fatal("stop")
	})
}

func checkHelper(tb testing.TB, ok bool) {
	if !ok {
		tb.FailNow()
	}
}

func TestHelperInGoroutine(t *testing.T) {
	done := make(chan bool)
	go checkHelper(t, true) // want "go statement starts" "goroutine runs a function that calls tb.FailNow \\(line 39\\)"
	go func() {             // want "go statement starts"
		checkHelper(t, true)
		done <- true
	}()
	<-done
}
