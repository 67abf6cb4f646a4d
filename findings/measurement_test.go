package findings

import (
	"strings"
	"testing"
)

func TestGate(t *testing.T) {
	saved := measured
	t.Cleanup(func() { measured = saved })
	lock, _ := RuleByID("SL1201")
	model, _ := RuleByID("SL1001")
	for _, tc := range []struct {
		name    string
		m       *Measurement
		demoted bool
	}{
		{"never triaged", nil, false},
		{"right four times in five", &Measurement{Findings: 10, True: 4, False: 1, Harmless: 5}, false},
		{"below 80%", &Measurement{Findings: 10, True: 3, False: 1, Harmless: 6}, true},
		{"never a bug, never wrong", &Measurement{Findings: 7, Harmless: 4, Intended: 3}, false},
		{"never a bug, never wrong, few", &Measurement{Findings: 3, Harmless: 3}, false},
		{"one false among few", &Measurement{Findings: 4, True: 3, False: 1}, true},
		{"false alone", &Measurement{Findings: 2, False: 2}, true},
	} {
		measured = map[string]Measurement{}
		if tc.m != nil {
			tc.m.Where = "the test set"
			measured[lock.ID] = *tc.m
			measured[model.ID] = *tc.m
		}
		if got := lock.Demoted(); got != tc.demoted {
			t.Errorf("%s: Demoted = %v, want %v", tc.name, got, tc.demoted)
		}
		if model.Demoted() {
			t.Errorf("%s: a model rule is demoted", tc.name)
		}
		note := lock.PrecisionNote()
		if tc.m != nil && !strings.Contains(note, "the test set") {
			t.Errorf("%s: the note does not say where it was measured: %s", tc.name, note)
		}
		if strings.Contains(note, "under the gate") != tc.demoted {
			t.Errorf("%s: note %q", tc.name, note)
		}
		if quiet := tc.m != nil && tc.m.True == 0 && tc.m.False == 0 && tc.m.Findings >= GateMinTriaged; lock.Quieted() != quiet {
			t.Errorf("%s: Quieted = %v, want %v", tc.name, lock.Quieted(), quiet)
		} else if quiet && (lock.ReportLevel() != LevelNote || !strings.Contains(note, "reported as a note")) {
			t.Errorf("%s: quieted, but level %s, note %q", tc.name, lock.ReportLevel(), note)
		} else if !quiet && lock.ReportLevel() != lock.Level {
			t.Errorf("%s: level %s, want the catalogue's %s", tc.name, lock.ReportLevel(), lock.Level)
		}
		if model.Quieted() {
			t.Errorf("%s: a model rule is quieted", tc.name)
		}
		level := lock.PrecisionLevel()
		switch {
		case tc.m == nil && level != lock.Precision:
			t.Errorf("%s: level %s, want the estimate %s", tc.name, level, lock.Precision)
		case tc.m != nil && tc.m.True == 4 && level != PrecisionMedium:
			t.Errorf("%s: 80%% measured gives level %s, want medium", tc.name, level)
		case tc.m != nil && tc.m.True == 0 && tc.m.False > 0 && level != PrecisionLow:
			t.Errorf("%s: 0%% measured gives level %s, want low", tc.name, level)
		}
	}
}

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
		if r, _ := RuleByID(id); r.ID == id {
			if got, ok := r.Measured(); !ok || got != m {
				t.Errorf("%s.Measured() = %+v, %v", id, got, ok)
			}
		}
	}
	if _, ok := (Rule{ID: "SL9999"}).Measured(); ok {
		t.Error("SL9999.Measured() found a measurement")
	}
}
