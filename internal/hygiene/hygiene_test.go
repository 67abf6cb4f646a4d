package hygiene

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/secondlook/secondlook"

type pkg struct {
	ImportPath string
	Imports    []string
	Standard   bool
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Standard", module+"/...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestImportEdges holds the layering of ARCHITECTURE.md, as go/build's
// deps_test.go does for the standard library.
func TestImportEdges(t *testing.T) {
	// only[X] lists the packages of ours that may import X.
	only := map[string][]string{
		"github.com/urfave/cli/v2":               {"cmd/secondlook"},
		"github.com/sashabaranov/go-openai":      {"internal/llm"},
		"github.com/santhosh-tekuri/jsonschema":  {"internal/sarifschema"},
		"github.com/modelcontextprotocol/go-sdk": {"internal/mcpserver"},
		"gopkg.in/yaml.v3":                       {"cmd/secondlook", "eval/vulndb"}, // config files; vulndb reports
	}
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for _, imp := range p.Imports {
			for dep, allowed := range only {
				if strings.HasPrefix(imp, dep) && !contains(allowed, rel) {
					t.Errorf("%s imports %s; only %v may", rel, imp, allowed)
				}
			}
			ours := strings.HasPrefix(imp, module+"/")
			switch {
			case rel == "findings" && ours:
				t.Errorf("findings imports %s: it must import nothing of ours", imp)
			case strings.HasPrefix(rel, "analyzer/passes/") && ours && !strings.HasPrefix(imp, module+"/analyzer/passes/internal/"):
				t.Errorf("%s imports %s: passes import nothing of ours but their shared helpers (analyzer/passes/internal)", rel, imp)
			case (rel == "analyzer" || strings.HasPrefix(rel, "findings")) && strings.HasPrefix(imp, module+"/internal/pipeline"):
				t.Errorf("%s imports the pipeline: imports point one way", rel)
			case !strings.HasPrefix(rel, "cmd/") && strings.HasPrefix(imp, module+"/cmd/"):
				t.Errorf("%s imports a command", rel)
			}
		}
	}
}

// TestFacesImportThePipeline holds that the faces only face (STYLE.md):
// the CLI and the MCP server call the pipeline and word its results, and
// reach no stage past it, so that a fix to the flow lands in every face.
// Of the prompts they take the version alone.
func TestFacesImportThePipeline(t *testing.T) {
	faces := map[string][]string{
		"cmd/secondlook":     {"internal/pipeline", "findings", "findings/sarif", "eval", "eval/vulndb", "prompts", "internal/mcpserver"},
		"internal/mcpserver": {"internal/pipeline", "findings", "findings/sarif", "prompts"},
	}
	cmd := exec.Command("go", "list", "-json=ImportPath,Dir,GoFiles,Imports", "./cmd/secondlook", "./internal/mcpserver")
	cmd.Dir = repoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	seen := 0
	for dec.More() {
		var p struct {
			ImportPath, Dir string
			GoFiles         []string
			Imports         []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		allowed, ok := faces[rel]
		if !ok {
			t.Fatalf("go list answered %s", p.ImportPath)
		}
		seen++
		for _, imp := range p.Imports {
			if ours, ok := strings.CutPrefix(imp, module+"/"); ok && !contains(allowed, ours) {
				t.Errorf("%s imports %s: a face calls the pipeline (%s), not the stages past it", rel, ours, strings.Join(allowed, ", "))
			}
		}
		for _, name := range p.GoFiles {
			for _, sel := range promptsUses(t, filepath.Join(p.Dir, name)) {
				if sel != "Version" {
					t.Errorf("%s/%s uses prompts.%s: a face takes the prompts' version alone (the rest through the pipeline)", rel, name, sel)
				}
			}
		}
	}
	if seen != len(faces) {
		t.Errorf("go list answered %d of the %d faces", seen, len(faces))
	}
}

// promptsUses returns the names a file uses from package prompts.
func promptsUses(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	local := ""
	for _, imp := range f.Imports {
		if imp.Path.Value == `"`+module+`/prompts"` {
			local = "prompts"
			if imp.Name != nil {
				local = imp.Name.Name
			}
		}
	}
	if local == "" {
		return nil
	}
	var uses []string
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == local {
				uses = append(uses, sel.Sel.Name)
			}
		}
		return true
	})
	return uses
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestGofmt(t *testing.T) {
	cmd := exec.Command("gofmt", "-l", ".")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gofmt: %v\n%s", err, out)
	}
	var bad []string
	for _, f := range strings.Fields(string(out)) {
		if !strings.Contains(f, "testdata/") {
			bad = append(bad, f)
		}
	}
	if len(bad) > 0 {
		t.Errorf("gofmt would change: %s", strings.Join(bad, " "))
	}
}

func TestModTidy(t *testing.T) {
	cmd := exec.Command("go", "mod", "tidy", "-diff")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("go mod tidy would change go.mod or go.sum:\n%s", out)
	}
}
