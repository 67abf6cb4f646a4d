package pipeline

import (
	"io"

	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/findings/sarif"
)

// WriteSARIF writes rep, a report of the scan res (its own, or one made of
// its regions, as CheckClaims makes), as SARIF for code scanning.
func WriteSARIF(w io.Writer, res *Result, rep *findings.Report) error {
	// Code scanning places alerts by repository-relative paths.
	root := res.Module.Dir
	if res.ModulePrefix != "" {
		root = res.RepoRoot
	}
	return sarif.Write(w, rep, sarif.Options{SrcRoot: root, Category: rep.Category, PathPrefix: res.ModulePrefix,
		Repository: res.Remote, Revision: res.Revision, Branch: res.Branch})
}
