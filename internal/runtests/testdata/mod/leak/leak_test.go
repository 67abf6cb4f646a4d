package leak

import "testing"

func TestFirst(t *testing.T) {
	if _, err := First(true); err == nil {
		t.Fatal("want an error")
	}
}
