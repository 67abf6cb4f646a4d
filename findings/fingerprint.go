package findings

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A finding carries two fingerprints, for two consumers:
//
//   - LineHash is GitHub's partialFingerprints.primaryLocationLineHash. Code
//     scanning matches an alert across analyses by it. When an upload lacks
//     it, github/codeql-action/upload-sarif computes it from the checked-out
//     file (src/fingerprints.ts); LineHashes ports that code so that the
//     value we write is the value the action would compute. It hashes the
//     text from the start of the line on, so it changes when a nearby line
//     changes, but not when lines are inserted above.
//   - Fingerprint is ours, for --baseline and merge: a hash of the rule, the
//     file, the enclosing function and the flagged code with its whitespace
//     removed. It survives lines inserted above, re-indentation and a
//     reworded message (models reword every run), and changes when the
//     flagged code does.

// codeql-action's constants: each line's hash covers the hashBlock
// characters from its first non-blank character on, as a polynomial in
// hashMod modulo 2^64 (a long.js Long, which wraps as uint64 does).
const (
	hashBlock = 100
	hashMod   = 37
	// hashEOF is the character codeql-action feeds after the last one
	// (0xFFFF, a UTF-16 noncharacter); zeros follow it.
	hashEOF = 65535
)

// LineHashes returns GitHub's primaryLocationLineHash for every line of a
// file: element i is the hash of line i+1, "<hex>:<n>" where n counts the
// lines up to and including this one whose window hashed to the same value.
// It is github/codeql-action's src/fingerprints.ts hash function, ported
// step for step:
//
//   - the text is read as UTF-16 code units, as JavaScript's charCodeAt
//     sees it;
//   - spaces and tabs are skipped; "\r\n", "\r" and "\n" each end a line and
//     count as one "\n";
//   - a rolling hash runs over the last 100 characters kept; a line's hash
//     is taken 100 characters after its first kept character (which may be
//     its own "\n" if the line is blank), so it covers the start of the
//     following lines too;
//   - after the last character comes 0xFFFF and then zeros, so the text
//     after the last line end is a line of its own: a file ending in "\n"
//     has one more hash than it has lines, and an empty file has one.
//
// Invalid UTF-8 is decoded one byte at a time to U+FFFD, where Node's
// decoder may merge a truncated sequence into one; Go source is valid
// UTF-8, so this does not arise for files the compiler accepts.
func LineHashes(content []byte) []string {
	firstMod := uint64(1)
	for range hashBlock {
		firstMod *= hashMod
	}
	var (
		window    [hashBlock]uint64 // the last hashBlock characters kept
		lineAt    [hashBlock]bool   // whether window[i] is the first character of a line
		index     int               // the next slot of window, the oldest character
		hash      uint64
		lineStart = true // the next character kept starts a line
		prevCR    bool
		counts    = map[uint64]int{}
		hashes    []string
	)
	// Lines are output in order: each is output hashBlock characters after
	// its first one, and lines start in order.
	output := func() {
		counts[hash]++
		hashes = append(hashes, strconv.FormatUint(hash, 16)+":"+strconv.Itoa(counts[hash]))
		lineAt[index] = false
	}
	update := func(c uint64) {
		begin := window[index]
		window[index] = c
		hash = hashMod*hash + c - firstMod*begin
		index = (index + 1) % hashBlock
	}
	process := func(c uint64) {
		if c == ' ' || c == '\t' || (prevCR && c == '\n') {
			prevCR = false
			return
		}
		prevCR = c == '\r'
		if c == '\r' {
			c = '\n'
		}
		if lineAt[index] {
			output()
		}
		if lineStart {
			lineStart = false
			lineAt[index] = true
		}
		if c == '\n' {
			lineStart = true
		}
		update(c)
	}

	for len(content) > 0 {
		r, size := utf8.DecodeRune(content)
		content = content[size:]
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			process(uint64(r1)) // a surrogate pair: two code units
			process(uint64(r2))
			continue
		}
		process(uint64(r))
	}
	process(hashEOF)
	for range hashBlock {
		if lineAt[index] {
			output()
		}
		update(0)
	}
	return hashes
}

// Fingerprint returns secondlook's own fingerprint of a finding: the first
// 8 bytes, in hex, of a SHA-256 over f's rule ID, f's file, the enclosing
// function and quote (the flagged source) with all whitespace removed. The
// line number and the message are left out, so the fingerprint survives
// lines inserted above, re-indentation and a reworded message.
//
// Changing what goes into it changes every fingerprint and so every
// baseline: bump the SARIF key ("secondlook/v1") when you do.
func Fingerprint(f Finding, function, quote string) string {
	return fingerprintOf(f.RuleID, f.Location.File, function, squeeze(quote))
}

func fingerprintOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0}) // no part holds a NUL, so parts cannot run together
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// ComputeFingerprints sets Fingerprint and LineHash of every finding in
// place. Run it on the final findings, after Dedup (and after Suppress,
// so that the suppression findings get fingerprints too).
//
// lines returns the lines of a module-relative file (lines[0] is line 1;
// line ends may be present), or nil if it cannot be read; lines may be nil.
//
// The quote of Fingerprint is the source of Location.Line through
// Location.Last(), or Location.Snippet when those lines cannot be read.
// Findings that would share a fingerprint — the same rule on identical code
// in one function — are told apart by their order in the file: the second
// and later get a fingerprint that also hashes their ordinal, so a baseline
// holding one of them does not hide the others.
//
// LineHash is computed from the file rebuilt by joining lines with "\n".
// Lines as bufio.Scanner returns them lose the file's final newline, which
// the hash sees, so one is added when the last element is not empty:
// gofmt'd files always end in one. It is left empty when the file cannot
// be read or the line is not in it.
func ComputeFingerprints(fs []Finding, lines func(file string) []string) {
	get := func(file string) []string {
		if lines == nil {
			return nil
		}
		return lines(file)
	}
	hashes := map[string][]string{}
	for i := range fs {
		f := &fs[i]
		file := f.Location.File
		src := get(file)
		hs, ok := hashes[file]
		if !ok {
			if len(src) > 0 {
				content := strings.Join(src, "\n")
				if src[len(src)-1] != "" {
					content += "\n"
				}
				hs = LineHashes([]byte(content))
			}
			hashes[file] = hs
		}
		f.LineHash = ""
		if n := f.Location.Line; n >= 1 && n <= len(src) && n <= len(hs) {
			f.LineHash = hs[n-1]
		}
		f.Fingerprint = Fingerprint(*f, f.Function, quoteOf(f.Location, src))
	}

	// Tell apart findings that share a fingerprint, by position.
	byPrint := map[string][]int{}
	for i, f := range fs {
		byPrint[f.Fingerprint] = append(byPrint[f.Fingerprint], i)
	}
	for base, idx := range byPrint {
		if len(idx) < 2 {
			continue
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			return cmp.Or(
				cmp.Compare(fs[a].Location.Line, fs[b].Location.Line),
				cmp.Compare(fs[a].Location.Column, fs[b].Location.Column))
		})
		for n, i := range idx[1:] {
			fs[i].Fingerprint = fingerprintOf(base, strconv.Itoa(n+2))
		}
	}
}

// quoteOf is the source text of l's lines, or its snippet if they are not
// all in src.
func quoteOf(l Location, src []string) string {
	if l.Line >= 1 && l.Last() <= len(src) {
		return strings.Join(src[l.Line-1:l.Last()], "\n")
	}
	return l.Snippet
}
