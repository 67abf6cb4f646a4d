package b

import (
	"os"
	"testing"
)

func TestSave(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/x", nil, 0o644)
	_ = os.Remove(dir + "/y")
}
