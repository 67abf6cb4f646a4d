package server

import "testing"

func TestHandle(t *testing.T) {
	s := &Server{seen: map[string]bool{}}
	_ = s
}
