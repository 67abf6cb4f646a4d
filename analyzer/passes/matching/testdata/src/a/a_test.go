package a

import "strings"

func testOrigin(origin string) bool {
	return strings.HasSuffix(origin, "example.com")
}

var testEscaper = strings.NewReplacer("<", "&lt;")
