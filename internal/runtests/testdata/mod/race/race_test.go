package race

import "testing"

func TestAdd(t *testing.T) {
	var c Counter
	c.Add()
}
