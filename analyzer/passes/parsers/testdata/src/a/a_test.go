package a

import "strings"

func parseTestLine(line string) []string {
	return strings.Split(line, ",")
}
