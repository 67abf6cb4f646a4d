package a

import (
	"fmt"
	"html"
	"io"
	"strconv"
)

// Writes a body into markup by hand: whatever the body holds reaches the page.
func renderBody(w io.Writer, accept string, body string) {
	if accept == "html" {
		io.WriteString(w, "<p>"+body+"</p>") // want `markup <p> is built with \+ from body, which nothing escapes`
	}
}

func renderLink(w io.Writer, href, text string) {
	fmt.Fprintf(w, `<a href="%s">%s</a>`, href, text) // want `markup <a\s? is built with fmt.Fprintf from href`
}

// Escaped, numbers, and constants are fine.
func renderSafe(w io.Writer, name string, n int) {
	io.WriteString(w, "<b>"+html.EscapeString(name)+"</b>")
	io.WriteString(w, "<td>"+strconv.Itoa(n)+"</td>")
	fmt.Fprintf(w, "<span>%d</span>", n)
	io.WriteString(w, "<br/>"+"<hr>")
	io.WriteString(w, "<i>"+escapeText(name)+"</i>")
}

func escapeText(s string) string { return html.EscapeString(s) }

// Text that merely holds a less-than sign is not markup.
func compare(a, b string) string {
	return a + " < " + b
}

// Angle brackets that are not HTML elements: a type name, a placeholder.
func describe(elem string) string {
	return "<T>" + elem + "<lookup " + elem + ">"
}
