package a

import "strings"

func parseTestLine(line string) []string {
	return strings.Split(line, ",")
}

func appendTestKey(b []byte, key string) []byte {
	b = append(b, key...)
	return append(b, 0)
}
