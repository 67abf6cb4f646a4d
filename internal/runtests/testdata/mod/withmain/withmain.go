// Package withmain leaks a goroutine; its tests have a TestMain.
package withmain

// Start starts a worker that waits for a value nobody sends.
func Start() {
	ch := make(chan int)
	go func() {
		<-ch // nothing ever sends
	}()
}
