// Package prompts turns an analyzer.Region into the text a language model
// reads, and the model's answer back into findings.Candidates.
//
// Render builds the review prompt for a region and RenderVerify the opt-in
// skeptic prompt for one claim, from text/template files embedded in the
// binary (templates/*.tmpl). AnswerSchema and VerdictSchema describe the
// answers for endpoints that enforce a JSON schema; ParseAnswer and
// ParseVerdict read them, forgiving the slips small local models make and
// naming the field at fault otherwise, so that one repair request can fix
// the answer. Claim.Candidate hands a parsed claim on to findings.Verify.
//
// Version names the prompts: it changes whenever the rendered text could, so
// a cache keyed on it never replays an answer to a different prompt.
//
// The system prompts do not depend on the region: every call of a run sends
// the same prefix, which endpoints that cache prompt prefixes bill once.
//
// Code is data. The templates escape nothing; instead every piece of text
// from the module or from a model sits inside a Markdown code fence longer
// than any run of backquotes in it (CommonMark's rule), and every line of the
// region begins with its line number, so nothing in the code can close the
// block and pass for instructions.
package prompts

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/version"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
)

// Options says what a prompt needs to know about the module beyond the
// region. The zero value works: the module and its go version are then
// reported as unknown, and the model is told not to claim loop-variable
// capture.
type Options struct {
	// ModulePath is the module's path, as go.mod declares it.
	ModulePath string
	// GoVersion is the module's go directive ("1.21", "1.22.3"; a "go"
	// prefix is allowed). Loop-variable semantics depend on it: before 1.22
	// a for loop's variables are shared by all iterations.
	GoVersion string
}

// Prompt is a rendered prompt: the system and user messages of a chat
// completion.
type Prompt struct {
	System string
	User   string
}

// formatRevision is part of Version: bump it when Go code here changes the
// rendered text without a template changing.
const formatRevision = 1

// maxSignals caps the static signals listed in a prompt: the strongest are
// kept. More context is not better for a model.
const maxSignals = 12

//go:embed templates/*.tmpl
var templateFS embed.FS

var (
	templates = template.Must(template.New("").ParseFS(templateFS, "templates/*.tmpl"))

	systemPrompt  = execute("system.tmpl", struct{ Kinds []kind }{kinds()})
	verifySystem  = execute("verify_system.tmpl", nil)
	answerSchema  = schema("answer_schema.tmpl")
	verdictSchema = schema("verdict_schema.tmpl")
	promptVersion = computeVersion(templateFS, kinds())
)

// Version returns a short name of the prompts: 12 hex digits of a SHA-256
// over the templates (sorted by name) and the kind definitions they list.
// It is a part of cache keys, and Candidates carry it.
func Version() string { return promptVersion }

// Render returns the review prompt for a region: the system prompt (the
// same for every region) and a user message with the region's code under
// its real line numbers, the changed lines marked in a diff scan, the
// declarations it refers to and its static signals.
func Render(r analyzer.Region, opts Options) Prompt {
	d := newRegionData(r, opts, true)
	return Prompt{System: systemPrompt, User: execute("user.tmpl", d)}
}

// RenderVerify returns the skeptic prompt for one claim about a region: the
// claim, its quote and lines, and the region's code; the model is asked to
// refute it by tracing the code. Its answer is read by ParseVerdict.
func RenderVerify(r analyzer.Region, c findings.Candidate, opts Options) Prompt {
	// A kind outside the catalogue is not shown: Verify drops such claims,
	// and the text is the model's, not ours.
	kindID, ok := findings.NormalizeKind(c.Kind)
	if !ok {
		kindID = "(unknown)"
	}
	lines := "line " + strconv.Itoa(c.Line)
	if c.EndLine > c.Line {
		lines = fmt.Sprintf("lines %d-%d", c.Line, c.EndLine)
	}
	quote := strings.Trim(c.Quote, "\r\n")
	d := verifyData{
		regionData:     newRegionData(r, opts, false),
		Kind:           kindID,
		KindDefinition: findings.KindDefinition(kindID),
		ClaimLines:     lines,
		Quote:          quote,
		Message:        oneLine(c.Message),
		Explanation:    oneLine(c.Explanation),
	}
	// The claim is a model's text, maybe echoing the code: it is fenced
	// too, by a fence none of it can close.
	d.Fence = fence(r.Code, r.Context, d.Quote, d.Message, d.Explanation)
	return Prompt{System: verifySystem, User: execute("verify_user.tmpl", d)}
}

// AnswerSchema returns the JSON schema of a review answer, in the form
// OpenAI's strict structured outputs accept (every object closed, every
// property required): {"findings":[{"kind", "line", "end_line", "quote",
// "message", "explanation", "confidence"}]}, kind being one of
// findings.Kinds(). Properties are in the order a model should write them:
// evidence first, confidence last.
func AnswerSchema() json.RawMessage { return slices.Clone(answerSchema) }

// VerdictSchema returns the JSON schema of a skeptic's answer,
// {"reason": "...", "refuted": bool}, reason first so that the verdict
// follows the trace.
func VerdictSchema() json.RawMessage { return slices.Clone(verdictSchema) }

// kind is one line of the system prompt's list.
type kind struct{ ID, Definition string }

func kinds() []kind {
	var ks []kind
	for _, id := range findings.Kinds() {
		ks = append(ks, kind{id, findings.KindDefinition(id)})
	}
	return ks
}

// regionData is what the user templates read about a region.
type regionData struct {
	Module    string
	GoVersion string // "" if unknown or invalid
	LoopVar   string // loop-variable semantics at GoVersion
	File      string
	Func      string
	Start     int
	End       int
	Mode      string // "diff", "caller" or "full"
	Fence     string // opens and closes every block of module text
	Width     int    // of the line-number column
	Lines     []codeLine
	Context   string
	Signals   []analyzer.Signal
	// MoreSignals counts the signals left out beyond maxSignals.
	MoreSignals int
}

type codeLine struct {
	N       int
	Changed bool
	Text    string
}

type verifyData struct {
	regionData
	Kind           string
	KindDefinition string
	ClaimLines     string // "line 45" or "lines 44-46"
	Quote          string
	Message        string
	Explanation    string
}

func newRegionData(r analyzer.Region, opts Options, marks bool) regionData {
	d := regionData{
		Module:  opts.ModulePath,
		File:    r.File,
		Func:    r.Func,
		Start:   r.Start,
		End:     r.End,
		Mode:    "full",
		Context: strings.Trim(r.Context, "\r\n"),
		Fence:   fence(r.Code, r.Context),
	}
	d.GoVersion, d.LoopVar = goVersion(opts.GoVersion)
	switch {
	case marks && len(r.Changed) > 0:
		d.Mode = "diff"
	case r.Caller:
		d.Mode = "caller"
	}
	for i, text := range strings.Split(r.Code, "\n") {
		n := r.Start + i
		changed := false
		if d.Mode == "diff" {
			for _, c := range r.Changed {
				changed = changed || c.Start <= n && n <= c.End
			}
		}
		d.Lines = append(d.Lines, codeLine{n, changed, strings.TrimRight(text, " \t\r")})
	}
	if n := len(d.Lines); n > 0 {
		d.Width = len(strconv.Itoa(d.Lines[n-1].N))
	}
	d.Signals, d.MoreSignals = signals(r)
	return d
}

// goVersion returns the module's go version as the prompt shows it, and
// what it means for loop variables; both are "" if v is not a valid
// version.
func goVersion(v string) (string, string) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "go")
	if !version.IsValid("go" + v) {
		return "", ""
	}
	if version.Compare("go"+v, "go1.22") < 0 {
		return v, "loop variables are shared by all iterations"
	}
	return v, "each loop iteration has its own variables"
}

// signals returns the region's signals on its lines, the strongest
// maxSignals of them in line order, and how many were left out.
func signals(r analyzer.Region) ([]analyzer.Signal, int) {
	var sigs []analyzer.Signal
	for _, s := range r.Signals {
		if s.Line >= r.Start && s.Line <= r.End {
			s.Message = oneLine(s.Message)
			sigs = append(sigs, s)
		}
	}
	more := 0
	if len(sigs) > maxSignals {
		slices.SortStableFunc(sigs, func(a, b analyzer.Signal) int {
			switch {
			case a.Weight > b.Weight:
				return -1
			case a.Weight < b.Weight:
				return 1
			}
			return 0
		})
		more = len(sigs) - maxSignals
		sigs = sigs[:maxSignals]
	}
	slices.SortStableFunc(sigs, func(a, b analyzer.Signal) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Check, b.Check)
	})
	return sigs, more
}

// fence returns a code fence longer than any run of backquotes in texts,
// so that none of them can close it.
func fence(texts ...string) string {
	longest := 0
	for _, t := range texts {
		run := 0
		for i := 0; i < len(t); i++ {
			if t[i] == '`' {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// execute runs a template whose data the code here builds: an error is a bug
// in this package, which the tests catch.
func execute(name string, data any) string {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		panic(fmt.Sprintf("prompts: %s: %v", name, err))
	}
	return b.String()
}

// schema renders a schema template and compacts it: the schema is sent with
// every request.
func schema(name string) json.RawMessage {
	enum, err := json.Marshal(findings.Kinds())
	if err != nil {
		panic(err)
	}
	text := execute(name, struct{ KindsJSON string }{string(enum)})
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(text)); err != nil {
		panic(fmt.Sprintf("prompts: %s is not JSON: %v", name, err))
	}
	return b.Bytes()
}

// computeVersion hashes the templates of fsys, sorted by name, the kinds
// the system prompt lists and formatRevision.
func computeVersion(fsys fs.FS, ks []kind) string {
	names, err := fs.Glob(fsys, "templates/*.tmpl")
	if err != nil {
		panic(err)
	}
	slices.Sort(names)
	h := sha256.New()
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(h, "template %q %d\n", name, len(b))
		h.Write(b)
	}
	for _, k := range ks {
		fmt.Fprintf(h, "kind %q %q\n", k.ID, k.Definition)
	}
	fmt.Fprintf(h, "format %d\n", formatRevision)
	return hex.EncodeToString(h.Sum(nil))[:12]
}
