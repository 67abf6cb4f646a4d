package gitdiff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// diffOpts treat nil and empty Ranges alike: no ranges is no ranges.
var diffOpts = cmpopts.EquateEmpty()

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []File
	}{
		{
			name: "empty input",
			in:   "",
			want: nil,
		},
		{
			name: "context lines do not count",
			in: `diff --git a/main.go b/main.go
index 83db48f..bf269f4 100644
--- a/main.go
+++ b/main.go
@@ -1,7 +1,8 @@
 package main
 
 import "fmt"
+import "os"
 
 func main() {
-	fmt.Println("hi")
+	fmt.Println("hello")
 }
`,
			want: []File{{Path: "main.go", Status: Modified, Ranges: []LineRange{{4, 4}, {7, 7}}}},
		},
		{
			name: "deletion with context marks the lines around it",
			in: `diff --git a/x.go b/x.go
--- a/x.go
+++ b/x.go
@@ -10,7 +10,5 @@ func f() {
 a
 b
 c
-d
-e
 f
 g
`,
			want: []File{{Path: "x.go", Status: Modified, Ranges: []LineRange{{12, 13}}}},
		},
		{
			name: "zero context deletion marks the lines around it",
			in: `diff --git a/x.go b/x.go
--- a/x.go
+++ b/x.go
@@ -5,2 +4,0 @@ func f() {
-d
-e
`,
			want: []File{{Path: "x.go", Status: Modified, Ranges: []LineRange{{4, 5}}}},
		},
		{
			name: "deletion at the top clips to line 1",
			in: `diff --git a/x.go b/x.go
--- a/x.go
+++ b/x.go
@@ -1,2 +0,0 @@
-a
-b
`,
			want: []File{{Path: "x.go", Status: Modified, Ranges: []LineRange{{1, 1}}}},
		},
		{
			name: "replacement marks only the new lines",
			in: `diff --git a/x.go b/x.go
--- a/x.go
+++ b/x.go
@@ -3,3 +3 @@
-a
-b
-c
+abc
@@ -9,0 +8,2 @@
+new1
+new2
@@ -10 +9,0 @@
-gone
`,
			// The deletion after new line 9 marks 9 and 10, merging with 8-9.
			want: []File{{Path: "x.go", Status: Modified, Ranges: []LineRange{{3, 3}, {8, 10}}}},
		},
		{
			name: "multiple files sorted by path",
			in: `diff --git a/z/z.go b/z/z.go
--- a/z/z.go
+++ b/z/z.go
@@ -1 +1 @@
-old
+new
diff --git a/a.go b/a.go
new file mode 100644
index 0000000..e69de29
--- /dev/null
+++ b/a.go
@@ -0,0 +1,3 @@
+package a
+
+var x = 1
diff --git a/gone.go b/gone.go
deleted file mode 100644
index e69de29..0000000
--- a/gone.go
+++ /dev/null
@@ -1,2 +0,0 @@
-package gone
-
diff --git a/empty.txt b/empty.txt
new file mode 100644
index 0000000..e69de29
`,
			want: []File{
				{Path: "a.go", Status: Added, Ranges: []LineRange{{1, 3}}},
				{Path: "empty.txt", Status: Added},
				{Path: "gone.go", OldPath: "gone.go", Status: Deleted},
				{Path: "z/z.go", Status: Modified, Ranges: []LineRange{{1, 1}}},
			},
		},
		{
			name: "renames",
			in: `diff --git a/old/p.go b/new/p.go
similarity index 100%
rename from old/p.go
rename to new/p.go
diff --git a/q.go b/r.go
similarity index 90%
rename from q.go
rename to r.go
index 1111111..2222222 100644
--- a/q.go
+++ b/r.go
@@ -2 +2 @@
-x
+y
`,
			want: []File{
				{Path: "new/p.go", OldPath: "old/p.go", Status: Renamed},
				{Path: "r.go", OldPath: "q.go", Status: Renamed, Ranges: []LineRange{{2, 2}}},
			},
		},
		{
			name: "no newline at end of file",
			in: `diff --git a/n.txt b/n.txt
--- a/n.txt
+++ b/n.txt
@@ -1,2 +1,3 @@
 one
-two
\ No newline at end of file
+two
+three
\ No newline at end of file
`,
			want: []File{{Path: "n.txt", Status: Modified, Ranges: []LineRange{{2, 3}}}},
		},
		{
			name: "binary and mode change",
			in: `diff --git a/img.png b/img.png
index 1111111..2222222 100644
Binary files a/img.png and b/img.png differ
diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
`,
			want: []File{
				{Path: "img.png", Status: Modified, Binary: true},
				{Path: "run.sh", Status: Modified},
			},
		},
		{
			name: "quoted path",
			in: `diff --git "a/sp ace\tt.go" "b/sp ace\tt.go"
--- "a/sp ace\tt.go"
+++ "b/sp ace\tt.go"
@@ -1 +1 @@
-a
+b
`,
			want: []File{{Path: "sp ace\tt.go", Status: Modified, Ranges: []LineRange{{1, 1}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, d.Files, diffOpts); diff != "" {
				t.Errorf("Parse files (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{
			name:    "not a diff",
			in:      "hello world\n",
			wantErr: "no file headers",
		},
		{
			name: "hunk miscounts lines",
			in: `diff --git a/x.go b/x.go
--- a/x.go
+++ b/x.go
@@ -1,3 +1,3 @@
-a
+b
`,
			wantErr: "miscounts",
		},
		{
			name:    "hunk without file header",
			in:      "@@ -1 +1 @@\n-a\n+b\n",
			wantErr: "without file header",
		},
		{
			name: "bad hunk line",
			in: `diff --git a/x.go b/x.go
--- a/x.go
+++ b/x.go
@@ -1 +1 @@
?a
+b
`,
			wantErr: "invalid line operation",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded with %+v, want error", d)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestLookupTouches(t *testing.T) {
	d := &Diff{Files: []File{
		{Path: "a.go", Status: Modified, Ranges: []LineRange{{3, 5}, {10, 10}}},
		{Path: "b/c.go", Status: Added},
	}}
	if d.Empty() {
		t.Error("Empty() = true for a diff with files")
	}
	if f := d.Lookup("b/c.go"); f == nil || f.Path != "b/c.go" {
		t.Errorf("Lookup(b/c.go) = %+v", f)
	}
	if f := d.Lookup("c.go"); f != nil {
		t.Errorf("Lookup(c.go) = %+v, want nil", f)
	}
	a := d.Lookup("a.go")
	for line, want := range map[int]bool{0: false, 2: false, 3: true, 4: true, 5: true, 6: false, 9: false, 10: true, 11: false} {
		if got := a.Touches(line); got != want {
			t.Errorf("Touches(%d) = %v, want %v", line, got, want)
		}
	}
	overlaps := []struct {
		start, end int
		want       bool
	}{
		{1, 2, false}, {1, 3, true}, {5, 9, true}, {6, 9, false}, {6, 10, true}, {4, 4, true}, {11, 20, false}, {5, 3, false},
	}
	for _, o := range overlaps {
		if got := a.Overlaps(o.start, o.end); got != o.want {
			t.Errorf("Overlaps(%d, %d) = %v, want %v", o.start, o.end, got, o.want)
		}
	}
	// A nil File and a nil Diff are safe to ask.
	if d.Lookup("nope").Touches(1) {
		t.Error("nil File Touches = true")
	}
	var nd *Diff
	if !nd.Empty() || nd.Lookup("a.go") != nil {
		t.Error("nil Diff is not empty")
	}
}

func TestMergeRanges(t *testing.T) {
	got := mergeRanges([]LineRange{{10, 12}, {1, 1}, {2, 3}, {11, 11}, {13, 14}, {20, 20}, {5, 5}})
	want := []LineRange{{1, 3}, {5, 5}, {10, 14}, {20, 20}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mergeRanges (-want +got):\n%s", diff)
	}
}

func TestStatusString(t *testing.T) {
	got := []string{Added.String(), Modified.String(), Deleted.String(), Renamed.String(), Status(0).String()}
	want := []string{"added", "modified", "deleted", "renamed", "Status(0)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Status strings (-want +got):\n%s", diff)
	}
}
