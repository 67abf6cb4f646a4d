package a

import "testing"

// Tests read decoded fields freely: a panic there is a failed test.
func TestCreate(t *testing.T) {
	d := decodeFixture()
	if d.Spec.Template.Image == "" {
		t.Fatal("no image")
	}
}

func decodeFixture() *Deployment { return new(Deployment) }
