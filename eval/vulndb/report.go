package vulndb

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"gopkg.in/yaml.v3"
)

// Report is the part of a vulndb report (data/reports/GO-*.yaml) that the
// generator reads. The format is golang.org/x/vulndb's internal/report;
// versions there are written without the leading "v".
type Report struct {
	ID          string          `yaml:"id"`
	Modules     []*ReportModule `yaml:"modules"`
	Summary     string          `yaml:"summary"`
	Description string          `yaml:"description"`
	Withdrawn   any             `yaml:"withdrawn"`
	CVEMetadata *struct {
		CWE string `yaml:"cwe"`
	} `yaml:"cve_metadata"`
	References []struct {
		Fix string `yaml:"fix"`
	} `yaml:"references"`
}

// ReportModule is one affected module of a report.
type ReportModule struct {
	Module   string `yaml:"module"`
	Versions []struct {
		Introduced string `yaml:"introduced"`
		Fixed      string `yaml:"fixed"`
	} `yaml:"versions"`
	VulnerableAt string          `yaml:"vulnerable_at"`
	Packages     []ReportPackage `yaml:"packages"`
}

// ReportPackage is one affected package and the symbols the fix changed.
type ReportPackage struct {
	Package string   `yaml:"package"`
	Symbols []string `yaml:"symbols"`
}

// Year is the year in the report's ID (GO-2023-1600 is 2023), or 0.
func (r *Report) Year() int {
	parts := strings.Split(r.ID, "-")
	if len(parts) < 2 {
		return 0
	}
	y, _ := strconv.Atoi(parts[1])
	return y
}

// FixCommits are the commit URLs the report names as its fix.
func (r *Report) FixCommits() []string {
	var out []string
	for _, ref := range r.References {
		if ref.Fix != "" {
			out = append(out, ref.Fix)
		}
	}
	return out
}

// ReadReports reads every GO-*.yaml report under dir (a vulndb checkout's
// data/reports), sorted by ID.
func ReadReports(dir string) ([]*Report, error) {
	names, err := filepath.Glob(filepath.Join(dir, "GO-*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no GO-*.yaml reports in %s: pass the data/reports folder of golang.org/x/vulndb", dir)
	}
	var reps []*Report
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var r Report
		if err := yaml.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Base(name), err)
		}
		if r.ID == "" {
			r.ID = strings.TrimSuffix(filepath.Base(name), ".yaml")
		}
		reps = append(reps, &r)
	}
	slices.SortFunc(reps, func(a, b *Report) int { return strings.Compare(a.ID, b.ID) })
	return reps, nil
}

// Versions returns the module's last vulnerable version (vulnerable_at)
// and the first fixed version above it, both with their "v", or a reason
// why the module has no such tagged pair. The proxy serves tagged versions
// but refuses commits, so pseudo-versions are of no use.
func (m *ReportModule) VersionPair() (vuln, fixed string, why string) {
	if m.VulnerableAt == "" {
		return "", "", "no vulnerable_at version"
	}
	vuln = "v" + strings.TrimPrefix(m.VulnerableAt, "v")
	if !semver.IsValid(vuln) || module.IsPseudoVersion(vuln) {
		return "", "", "vulnerable_at is not a tagged version"
	}
	for _, v := range m.Versions {
		if v.Fixed == "" {
			continue
		}
		f := "v" + strings.TrimPrefix(v.Fixed, "v")
		if !semver.IsValid(f) || semver.Compare(f, vuln) <= 0 {
			continue
		}
		if fixed == "" || semver.Compare(f, fixed) < 0 {
			fixed = f
		}
	}
	switch {
	case fixed == "":
		return "", "", "no fixed version above vulnerable_at"
	case module.IsPseudoVersion(fixed):
		return "", "", "the fixed version is not tagged"
	}
	// A +incompatible major has no go.mod of its own and often fails to
	// download or build; the version is kept and the download decides.
	return vuln, fixed, ""
}
