package runtests

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// event is a line of go test -json (cmd/test2json, and the go command's
// build events since Go 1.24).
type event struct {
	Action      string
	Package     string
	ImportPath  string // build-output and build-fail
	Test        string
	Output      string
	FailedBuild string
}

// line is a line of the test binary's output and the test it came from.
type line struct {
	test, text string
}

type events struct {
	failed        []string
	races         []Report
	timedOut      string // the panic's line and the tests it names
	buildFailed   bool
	buildOutput   string
	packageFailed bool
	packagePassed bool
	packageOutput string
}

// parseEvents reads go test -json output for one package. ours is the
// test the overlay added ("" for none), which is never reported.
func parseEvents(out []byte, pkg, ours string) events {
	var ev events
	var lines []line
	partial := map[string]string{} // a test's output not yet ended by a newline
	for _, raw := range strings.Split(string(out), "\n") {
		var e event
		if !strings.HasPrefix(raw, "{") || json.Unmarshal([]byte(raw), &e) != nil {
			continue // the go command's own words on stdout; stderr keeps the rest
		}
		switch e.Action {
		case "build-output":
			ev.buildOutput += e.Output
			continue
		case "build-fail":
			ev.buildFailed = true
			continue
		}
		if e.Package != pkg {
			continue
		}
		switch e.Action {
		case "output":
			text := partial[e.Test] + e.Output
			if !strings.HasSuffix(text, "\n") {
				partial[e.Test] = text
				continue
			}
			delete(partial, e.Test)
			for _, t := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
				lines = append(lines, line{test: e.Test, text: t})
			}
			if e.Test == "" {
				ev.packageOutput += text
			}
		case "fail":
			switch {
			case e.Test != "":
				if !isOurs(e.Test, ours) {
					ev.failed = append(ev.failed, e.Test)
				}
			case e.FailedBuild != "":
				ev.buildFailed = true
			default:
				ev.packageFailed = true
			}
		case "pass":
			if e.Test == "" {
				ev.packagePassed = true
			}
		}
	}
	ev.races = parseRaces(lines)
	ev.timedOut = timeout(lines)
	return ev
}

const raceDelim = "=================="

// parseRaces returns the WARNING: DATA RACE blocks of the output.
func parseRaces(lines []line) []Report {
	var out []Report
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i].text) != "WARNING: DATA RACE" {
			continue
		}
		r := Report{Kind: KindRace, Test: lines[i].test}
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i].text) != raceDelim; i++ {
			body = append(body, lines[i].text)
		}
		// Sections are separated by blank lines: a title ending in ":"
		// ("Read at 0x… by goroutine 7:"), then its frames.
		for _, sec := range split(body) {
			title := strings.TrimSuffix(strings.TrimSpace(sec[0]), ":")
			r.Stacks = append(r.Stacks, stacks(title, sec[1:])...)
		}
		out = append(out, r)
	}
	return out
}

// split cuts lines at blank lines, dropping empty sections.
func split(lines []string) [][]string {
	var secs [][]string
	var cur []string
	for _, l := range append(lines, "") {
		if strings.TrimSpace(l) == "" {
			if len(cur) > 0 {
				secs = append(secs, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, l)
	}
	return secs
}

var posRE = regexp.MustCompile(`^(.+):(\d+)(?: \+0x[0-9a-f]+)?$`)

// stacks parses the frames under a title: pairs of a call line and a
// position line. A "created by F in goroutine N" call starts a stack of
// its own, as the runtime's tracebacks print it last.
func stacks(title string, lines []string) []Stack {
	out := []Stack{{Title: title}}
	for i := 0; i+1 < len(lines); i++ {
		call := strings.TrimSpace(lines[i])
		m := posRE.FindStringSubmatch(strings.TrimSpace(lines[i+1]))
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		f := Frame{Path: m[1], Line: n}
		if by, ok := strings.CutPrefix(call, "created by "); ok {
			fn, _, _ := strings.Cut(by, " in goroutine ")
			f.Func = fn
			out = append(out, Stack{Title: call, Frames: []Frame{f}})
		} else {
			f.Func = funcName(call)
			last := &out[len(out)-1]
			last.Frames = append(last.Frames, f)
		}
		i++
	}
	if len(out[0].Frames) == 0 {
		out = out[1:]
	}
	return out
}

// funcName drops the argument list a traceback prints after a function:
// "m.(*T).Run(0xc000010000, {0x5, 0x6})" is m.(*T).Run.
func funcName(call string) string {
	if !strings.HasSuffix(call, ")") {
		return call
	}
	depth := 0
	for i := len(call) - 1; i >= 0; i-- {
		switch call[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return call[:i]
			}
		}
	}
	return call
}

// timeout returns what the test binary says when its -timeout fires: the
// panic's line and the tests it was running.
func timeout(lines []line) string {
	for i, l := range lines {
		if !strings.HasPrefix(l.text, "panic: test timed out after ") {
			continue
		}
		msg := strings.TrimPrefix(l.text, "panic: ")
		var running []string
		for j := i + 1; j < len(lines); j++ {
			t := strings.TrimSpace(lines[j].text)
			if t == "running tests:" {
				continue
			}
			if t == "" || strings.HasPrefix(t, "goroutine ") {
				break
			}
			running = append(running, t)
		}
		if len(running) > 0 {
			msg += "; running " + strings.Join(running, ", ")
		}
		return msg
	}
	return ""
}

// parseLeakProfile returns the leaked goroutines of a goroutineleak
// profile written with debug=2: every goroutine's traceback, the leaked
// ones marked "(leaked)" in their state.
func parseLeakProfile(text string) []Report {
	var out []Report
	for _, sec := range split(strings.Split(text, "\n")) {
		head := strings.TrimSuffix(strings.TrimSpace(sec[0]), ":")
		if !strings.HasPrefix(head, "goroutine ") || !strings.Contains(head, "(leaked)") {
			continue
		}
		out = append(out, Report{Kind: KindLeak, Stacks: stacks(head, sec[1:])})
	}
	return out
}

// mapper sets the module-relative File of frames in the module.
type mapper struct {
	dir    string // module root
	module string // module path, for -trimpath builds
	skip   string // the overlay's added file: ours, not the module's
}

func (m mapper) report(r Report) Report {
	for i := range r.Stacks {
		for j := range r.Stacks[i].Frames {
			f := &r.Stacks[i].Frames[j]
			f.File = m.rel(f.Path)
		}
	}
	return r
}

func (m mapper) rel(path string) string {
	if path == m.skip || filepath.Clean(path) == filepath.Clean(m.skip) {
		return ""
	}
	if rel, err := filepath.Rel(m.dir, path); err == nil && filepath.IsAbs(path) && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	if m.module != "" {
		if rel, ok := strings.CutPrefix(path, m.module+"/"); ok && !filepath.IsAbs(path) {
			return rel
		}
	}
	return ""
}
