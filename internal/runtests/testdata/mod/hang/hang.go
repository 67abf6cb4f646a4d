// Package hang has a test that never ends.
package hang

import "time"

// Wait waits an hour.
func Wait() { time.Sleep(time.Hour) }
