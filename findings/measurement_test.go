package findings

import "testing"

func TestMeasurementPrecision(t *testing.T) {
	for _, tc := range []struct {
		m    Measurement
		p    float64
		know bool
	}{
		{Measurement{Findings: 13, True: 1, False: 3, Harmless: 9}, 0.25, true},
		{Measurement{Findings: 2, False: 2}, 0, true},
		{Measurement{Findings: 3, Harmless: 2, Intended: 1}, 0, false},
	} {
		p, ok := tc.m.Precision()
		if p != tc.p || ok != tc.know {
			t.Errorf("%+v.Precision() = %v, %v; want %v, %v", tc.m, p, ok, tc.p, tc.know)
		}
	}
}

// Every measured rule is in the catalogue, and its verdicts add up to its
// findings.
func TestMeasuredWellFormed(t *testing.T) {
	if len(measured) == 0 {
		t.Fatal("no rule is measured: run go run ./eval/cmd/triage -gen")
	}
	for id, m := range measured {
		if _, ok := RuleByID(id); !ok {
			t.Errorf("measured[%s]: no such rule", id)
		}
		if m.Findings == 0 || m.True+m.Harmless+m.Intended+m.False != m.Findings {
			t.Errorf("measured[%s] = %+v: the verdicts do not add up to the findings", id, m)
		}
		if m.Where == "" {
			t.Errorf("measured[%s] does not say where it was measured", id)
		}
		if got, ok := Measured(id); !ok || got != m {
			t.Errorf("Measured(%s) = %+v, %v", id, got, ok)
		}
	}
	if _, ok := Measured("SL9999"); ok {
		t.Error("Measured(SL9999) found a measurement")
	}
}
