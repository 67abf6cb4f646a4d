package vulndb

import (
	"context"
	"slices"
	"testing"

	"github.com/secondlook/secondlook/eval"
)

// TestRealCases runs two committed cases from the module proxy, as
// `secondlook eval --corpus vulndb` does, with the oracle: the trees
// download, both shapes scan, the bug lies in a region and the oracle's
// claim about it survives the check against the code.
func TestRealCases(t *testing.T) {
	if testing.Short() {
		t.Skip("fetches modules from the proxy")
	}
	metas, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	metas = slices.DeleteFunc(metas, func(m *Meta) bool { return m.ID != "GO-2020-0016" && m.ID != "GO-2024-2937" })
	if len(metas) != 2 {
		t.Fatalf("the corpus lacks GO-2020-0016 or GO-2024-2937 (%d found)", len(metas))
	}
	rep, err := eval.Run(context.Background(), eval.Config{Cases: Cases(metas, NewGo(nil)), Jobs: 2, Oracle: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Error != "" || len(r.Failures) > 0 {
			t.Errorf("%s: error %q, failures %q", r.Name, r.Error, r.Failures)
		}
	}
	if rep.Bugs != 2 || rep.CleanCases != 2 || rep.OracleRecall != 1 || rep.Recall != 1 || rep.Ranked != 2 {
		t.Errorf("bugs %d, clean %d, in a region %v, oracle recall %v, ranked %d: want 2, 2, 1, 1, 2",
			rep.Bugs, rep.CleanCases, rep.OracleRecall, rep.Recall, rep.Ranked)
	}
}
