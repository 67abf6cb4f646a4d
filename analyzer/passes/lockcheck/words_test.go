package lockcheck

import (
	"slices"
	"testing"
)

func TestWords(t *testing.T) {
	for name, want := range map[string][]string{
		"tryRLockShard": {"try", "rlock", "shard"},
		"readBlock":     {"read", "block"},
		"lock":          {"lock"},
		"Lock":          {"lock"},
		"acquire_conn":  {"acquire", "conn"},
	} {
		if got := words(name); !slices.Equal(got, want) {
			t.Errorf("words(%q) = %q, want %q", name, got, want)
		}
	}
	if acquirer("readBlock") || !acquirer("lockShard") || !acquirer("tryAcquire") {
		t.Error("acquirer: readBlock is not, lockShard and tryAcquire are")
	}
}
