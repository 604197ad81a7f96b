// Package sanitize makes values read from the scanned inputs (object names, namespaces,
// containers, images, file paths, messages that quote them) safe to show: no control character
// can drive a terminal or break an XML document, and no bidi or invisible format character can
// make a name read as another one (Trojan Source, CVE-2021-42574).
//
// Unsafe characters are replaced by a visible escape rather than dropped, so that the reader
// sees that something was there: ESC is written \x1b, U+202E \u202e. The rules:
//
//   - C0 controls and DEL: \t, \n, \r for those three, \xHH for the others (\x1b, \x07, \x00, \x7f);
//   - C1 controls (U+0080–U+009F), which some terminals obey as CSI and OSC: \u009b;
//   - every format character (Unicode category Cf): the bidi embeddings, overrides and isolates
//     (U+202A–U+202E, U+2066–U+2069), the marks U+200E, U+200F and U+061C, the zero-width
//     space, joiners and no-break (U+200B–U+200D, U+2060, U+FEFF), the soft hyphen and the tag
//     characters (U+E0000–U+E007F, which smuggle invisible ASCII): \u200b, \U000e0041. A
//     zero-width joiner inside an emoji sequence is escaped too: no checked value needs one;
//   - the line and paragraph separators U+2028 and U+2029: \u2028;
//   - each byte of invalid UTF-8: U+FFFD.
//
// A backslash is kept as it is (Windows paths stay readable), so an escape cannot be told from
// the same text written literally: the output is for reading, the JSON report keeps the value.
//
// The machine formats keep the exact value: JSON writes the unsafe characters as its own
// \uXXXX escapes (JSON), which decode to the same string.
package sanitize

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Unsafe reports whether r must not reach a reader as it is.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return true
	case r == '\u2028' || r == '\u2029':
		return true
	case r < 0xa0:
		return false
	}
	return unicode.Is(unicode.Cf, r)
}

// Text returns s with every unsafe character escaped, for one line of text (a name, a path, a
// message): newlines are escaped too.
func Text(s string) string {
	if !needs(s, false) {
		return s
	}
	return escape(s, false)
}

// Lines is Text for text of several lines: newlines stay (a CRLF becomes one).
func Lines(s string) string {
	if !needs(s, true) {
		return s
	}
	return escape(strings.ReplaceAll(s, "\r\n", "\n"), true)
}

func needs(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 || c == 0x7f) && (c != '\n' || !keepNewlines) {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || Unsafe(r) {
			return true
		}
		i += n
	}
	return false
}

func escape(s string, keepNewlines bool) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\n' && keepNewlines:
			b.WriteByte('\n')
		case !Unsafe(r):
			b.WriteRune(r)
		default:
			b.WriteString(Escape(r))
		}
	}
	return b.String()
}

// Escape is the visible spelling of an unsafe character.
func Escape(r rune) string {
	switch {
	case r == '\t':
		return `\t`
	case r == '\n':
		return `\n`
	case r == '\r':
		return `\r`
	case r < 0x80:
		return fmt.Sprintf(`\x%02x`, r)
	case r <= 0xffff:
		return fmt.Sprintf(`\u%04x`, r)
	}
	return fmt.Sprintf(`\U%08x`, r)
}

// JSON rewrites the unsafe characters of a JSON document (which can only be inside its
// strings) as JSON escapes, \u202e, with surrogate pairs above U+FFFF: the document decodes
// to the same values, and printing it cannot drive a terminal or reorder its text. Raw C0
// controls cannot occur in valid JSON; encoding/json already wrote invalid UTF-8 as U+FFFD.
func JSON(doc []byte) []byte {
	if !needs(string(doc), true) {
		return doc
	}
	var b strings.Builder
	b.Grow(len(doc) + 16)
	s := string(doc)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\ufffd`)
		case r == '\n' || r == '\t' || r == '\r' || !Unsafe(r):
			b.WriteRune(r)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return []byte(b.String())
}
