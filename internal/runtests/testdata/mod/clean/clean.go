// Package clean is correct.
package clean

import "sync"

// Sum adds the numbers in two goroutines, under a lock.
func Sum(xs []int) int {
	var (
		mu    sync.Mutex
		total int
		wg    sync.WaitGroup
	)
	for _, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			total += x
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total
}
