package prompts

import (
	"io/fs"
	"regexp"
	"slices"
	"testing"
	"testing/fstest"
)

// copyTemplates returns the embedded templates as a MapFS to modify.
func copyTemplates(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(templateFS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		m[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestVersion(t *testing.T) {
	v := Version()
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(v) {
		t.Fatalf("Version() = %q, want 12 hex digits", v)
	}
	same := copyTemplates(t)
	if got := computeVersion(same, kinds()); got != v {
		t.Errorf("the same templates give %s, want %s", got, v)
	}
	if len(same) < 2 {
		t.Fatalf("found %d templates", len(same))
	}

	// Any change to any template changes the version, and so does a new
	// template, a renamed one or a changed kind definition.
	seen := map[string]string{v: "original"}
	check := func(what, got string) {
		t.Helper()
		if prev, ok := seen[got]; ok {
			t.Errorf("%s gives version %s, as %s did", what, got, prev)
		}
		seen[got] = what
	}
	for name := range same {
		m := copyTemplates(t)
		m[name].Data = append(m[name].Data, ' ')
		check("a space added to "+name, computeVersion(m, kinds()))
	}
	m := copyTemplates(t)
	m["templates/new.tmpl"] = &fstest.MapFile{Data: []byte("x")}
	check("a new template", computeVersion(m, kinds()))
	m = copyTemplates(t)
	m["templates/zz.tmpl"], m["templates/system.tmpl"] = m["templates/system.tmpl"], nil
	delete(m, "templates/system.tmpl")
	check("a renamed template", computeVersion(m, kinds()))
	ks := kinds()
	ks[0].Definition += "."
	check("a changed kind definition", computeVersion(same, ks))
	check("a kind left out", computeVersion(same, slices.Clone(kinds()[1:])))
	if got := computeVersion(fstest.MapFS{"other/x.tmpl": {Data: []byte("x")}, "templates/README": {Data: []byte("x")}}, kinds()); got != computeVersion(fstest.MapFS{}, kinds()) {
		t.Error("files other than templates/*.tmpl change the version")
	}
}
