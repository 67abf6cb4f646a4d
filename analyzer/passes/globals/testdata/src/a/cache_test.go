package a

import (
	"testing"
	"time"
)

func TestLogin(t *testing.T) {
	old := config
	config = Config{Timeout: time.Millisecond}
	defer func() { config = old }()
	sessions = map[string]time.Time{}
	hits = 0
}
