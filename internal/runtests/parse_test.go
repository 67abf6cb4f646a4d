package runtests

import (
	"strings"
	"testing"
)

// A profile written with debug=2 lists every goroutine; only those marked
// "(leaked)" are reports. Frames of a -trimpath build are module paths.
func TestParseLeakProfile(t *testing.T) {
	profile := `goroutine 1 [running]:
runtime/pprof.writeGoroutineStacks({0x6593e0, 0xc000086020})
	/usr/local/go/src/runtime/pprof/pprof.go:819 +0x76
main.main()
	_testmain.go:50 +0x172

goroutine 21 [chan send (leaked)]:
example.com/rt/leak.First.func1()
	example.com/rt/leak/leak.go:10 +0x3d
created by example.com/rt/leak.First in goroutine 20
	example.com/rt/leak/leak.go:9 +0x9a
`
	rs := parseLeakProfile(profile)
	if len(rs) != 1 {
		t.Fatalf("%d reports, want the one leaked goroutine: %+v", len(rs), rs)
	}
	r := mapper{dir: "/home/u/rt", module: "example.com/rt"}.report(rs[0])
	f, ok := r.First()
	if !ok || f.File != "leak/leak.go" || f.Line != 10 || f.Func != "example.com/rt/leak.First.func1" {
		t.Errorf("first frame %+v, %v; want leak/leak.go:10 in First.func1", f, ok)
	}
	if len(r.Stacks) != 2 || r.Stacks[1].Title != "created by example.com/rt/leak.First in goroutine 20" || r.Stacks[1].Frames[0].Line != 9 {
		t.Errorf("stacks %+v; want the goroutine's and where it was created", r.Stacks)
	}
}

// Output split across events is joined before it is read; a race in a
// subtest names the subtest; our added test never counts as failed.
func TestParseEvents(t *testing.T) {
	out := strings.Join([]string{
		`{"Action":"output","Package":"m/p","Test":"TestA/sub","Output":"==================\n"}`,
		`{"Action":"output","Package":"m/p","Test":"TestA/sub","Output":"WARNING: DATA "}`,
		`{"Action":"output","Package":"m/p","Test":"TestA/sub","Output":"RACE\n"}`,
		`{"Action":"output","Package":"m/p","Test":"TestA/sub","Output":"Write at 0x00c0000b4010 by goroutine 8:\n  m/p.(*T).Set(0xc000010000, {0x5, 0x6})\n      /src/p/p.go:7 +0x30\n\n"}`,
		`{"Action":"output","Package":"m/p","Test":"TestA/sub","Output":"Previous read at 0x00c0000b4010 by main goroutine:\n  m/p.Get()\n      /src/p/p.go:12 +0x30\n==================\n"}`,
		`{"Action":"fail","Package":"m/p","Test":"TestA/sub"}`,
		`{"Action":"fail","Package":"m/p","Test":"` + lastTestName + `"}`,
		`{"Action":"fail","Package":"m/p"}`,
	}, "\n")
	ev := parseEvents([]byte(out), "m/p", lastTestName)
	if len(ev.races) != 1 {
		t.Fatalf("%d races, want 1", len(ev.races))
	}
	r := mapper{dir: "/src"}.report(ev.races[0])
	if r.Test != "TestA/sub" || len(r.Stacks) != 2 || r.Stacks[0].Frames[0].Func != "m/p.(*T).Set" || r.Stacks[1].Frames[0].File != "p/p.go" {
		t.Errorf("race %+v", r)
	}
	if strings.Join(ev.failed, ",") != "TestA/sub" || !ev.packageFailed {
		t.Errorf("failed %v, package failed %v; want TestA/sub only, and the package", ev.failed, ev.packageFailed)
	}
}
