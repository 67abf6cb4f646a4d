package findings

import (
	"fmt"
	"strings"
)

// RulesTable renders the catalogue as the markdown table the README
// carries between its rules markers.
func RulesTable() string {
	var b strings.Builder
	b.WriteString("| id | kind | level | reported by | precision | title |\n|---|---|---|---|---|---|\n")
	for _, r := range Rules() {
		by := "model"
		if r.Analyzer != "" {
			by = "`" + r.Analyzer + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.ID, r.Kind, r.Level, by, r.PrecisionCell(), strings.ReplaceAll(r.Title, "|", `\|`))
	}
	return b.String()
}
