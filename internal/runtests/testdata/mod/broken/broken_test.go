package broken

import "testing"

func TestOne(t *testing.T) {
	var s string = One()
	_ = s
}
