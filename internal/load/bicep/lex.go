package bicep

import (
	"fmt"
	"strings"
)

// tokKind is the kind of a Bicep token.
type tokKind int

const (
	tEOF tokKind = iota
	tNewline
	tIdent
	tString // a string literal, single-line (escapes, ${} interpolation) or multi-line (''')
	tNumber
	tPunct
)

// token is one Bicep token. For strings, text is the value when the string has no
// interpolation (interp false) and the raw source otherwise.
type token struct {
	kind   tokKind
	text   string
	line   int
	interp bool
}

// maxInterpDepth bounds the nesting of string interpolations ('${'${'...'}'}'): the compiler
// has no limit, but a fuzzed input nested a million deep must not exhaust the stack.
const maxInterpDepth = 64

// lexer splits Bicep source into tokens: identifiers, numbers, punctuation, newlines (which
// end statements and separate object properties) and strings. Comments are dropped. It
// follows the Bicep lexer's rules for the forms it reads: single-quoted strings with the
// escapes \' \\ \n \r \t \$ \u{hex} and ${...} interpolation, ”' multi-line strings
// (verbatim, no escapes), // and /* */ comments.
type lexer struct {
	src   []byte
	pos   int
	line  int
	depth int // interpolation nesting
}

// lex returns the tokens of src, ending with tEOF, or an error naming the line.
func lex(src []byte) ([]token, error) {
	l := &lexer{src: src, line: 1}
	var out []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		if t.kind == tEOF {
			return out, nil
		}
	}
}

// twoChar are the punctuation pairs read as one token: "::" (nested resource access) must
// not be read as two property colons.
var twoChar = []string{"::", "==", "!=", "<=", ">=", "&&", "||", "??", "=>", "?."}

func (l *lexer) errorf(format string, a ...any) error {
	return fmt.Errorf("line %d: %s", l.line, fmt.Sprintf(format, a...))
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			l.pos++
		case c == '/' && l.peek(1) == '/':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		case c == '/' && l.peek(1) == '*':
			start := l.line
			l.pos += 2
			for {
				if l.pos >= len(l.src) {
					l.line = start
					return token{}, l.errorf("unterminated /* comment")
				}
				if l.src[l.pos] == '*' && l.peek(1) == '/' {
					l.pos += 2
					break
				}
				if l.src[l.pos] == '\n' {
					l.line++
				}
				l.pos++
			}
		case c == '\n':
			t := token{kind: tNewline, text: "\n", line: l.line}
			l.pos++
			l.line++
			return t, nil
		case c == '\'':
			if l.peek(1) == '\'' && l.peek(2) == '\'' {
				return l.multiline()
			}
			return l.str()
		case isIdentStart(c):
			start := l.pos
			for l.pos < len(l.src) && isIdentPart(l.src[l.pos]) {
				l.pos++
			}
			return token{kind: tIdent, text: string(l.src[start:l.pos]), line: l.line}, nil
		case c >= '0' && c <= '9':
			start := l.pos
			for l.pos < len(l.src) && (l.src[l.pos] >= '0' && l.src[l.pos] <= '9' || l.src[l.pos] == '.') {
				l.pos++
			}
			return token{kind: tNumber, text: string(l.src[start:l.pos]), line: l.line}, nil
		default:
			for _, p := range twoChar {
				if strings.HasPrefix(string(l.src[l.pos:min(l.pos+2, len(l.src))]), p) {
					l.pos += 2
					return token{kind: tPunct, text: p, line: l.line}, nil
				}
			}
			if strings.IndexByte("{}[]():,.=?!<>+-*/%@|&", c) < 0 {
				return token{}, l.errorf("unexpected character %q", rune(c))
			}
			l.pos++
			return token{kind: tPunct, text: string(c), line: l.line}, nil
		}
	}
	return token{kind: tEOF, line: l.line}, nil
}

func (l *lexer) peek(n int) byte {
	if l.pos+n < len(l.src) {
		return l.src[l.pos+n]
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// multiline reads a ”' string: verbatim up to the next ”' (Bicep: no escapes, no
// interpolation; quotes just before the closing ones belong to the value).
func (l *lexer) multiline() (token, error) {
	start, startLine := l.pos, l.line
	l.pos += 3
	for {
		if l.pos+2 >= len(l.src) {
			l.line = startLine
			return token{}, l.errorf("unterminated ''' string")
		}
		if l.src[l.pos] == '\'' && l.src[l.pos+1] == '\'' && l.src[l.pos+2] == '\'' {
			// ''''' closes at the last three quotes of the run.
			end := l.pos + 3
			for end < len(l.src) && l.src[end] == '\'' {
				end++
			}
			l.pos = end
			return token{kind: tString, text: string(l.src[start+3 : end-3]), line: startLine}, nil
		}
		if l.src[l.pos] == '\n' {
			l.line++
		}
		l.pos++
	}
}

// str reads a single-quoted string. Its value is kept when it has no interpolation.
func (l *lexer) str() (token, error) {
	start, line := l.pos, l.line
	l.pos++
	var b strings.Builder
	interp := false
	for {
		if l.pos >= len(l.src) || l.src[l.pos] == '\n' {
			return token{}, l.errorf("unterminated string")
		}
		c := l.src[l.pos]
		switch {
		case c == '\'':
			l.pos++
			if interp {
				return token{kind: tString, text: string(l.src[start:l.pos]), line: line, interp: true}, nil
			}
			return token{kind: tString, text: b.String(), line: line}, nil
		case c == '\\':
			if err := l.escape(&b); err != nil {
				return token{}, err
			}
		case c == '$' && l.peek(1) == '{':
			interp = true
			l.pos += 2
			if err := l.interpolation(); err != nil {
				return token{}, err
			}
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
}

// escape reads one escape sequence of a single-quoted string.
func (l *lexer) escape(b *strings.Builder) error {
	switch e := l.peek(1); e {
	case '\'', '\\', '$':
		b.WriteByte(e)
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'u':
		// \u{hex}: one to six hex digits.
		if l.peek(2) != '{' {
			return l.errorf("invalid escape \\u: expected \\u{hex}")
		}
		j := l.pos + 3
		var r rune
		for ; j < len(l.src) && j-(l.pos+3) < 7 && isHex(l.src[j]); j++ {
			r = r*16 + rune(hexVal(l.src[j]))
		}
		if j == l.pos+3 || j >= len(l.src) || l.src[j] != '}' || j-(l.pos+3) > 6 || r > 0x10FFFF {
			return l.errorf("invalid escape \\u: expected \\u{hex} of one to six digits")
		}
		b.WriteRune(r)
		l.pos = j + 1
		return nil
	default:
		return l.errorf("invalid escape \\%c", rune(e))
	}
	l.pos += 2
	return nil
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexVal(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// interpolation reads the expression of a ${...} up to its closing brace, through nested
// braces and strings (which may interpolate in turn).
func (l *lexer) interpolation() error {
	if l.depth >= maxInterpDepth {
		return l.errorf("string interpolation nested more than %d deep", maxInterpDepth)
	}
	l.depth++
	defer func() { l.depth-- }()
	braces := 0
	for {
		t, err := l.next()
		if err != nil {
			return err
		}
		switch {
		case t.kind == tEOF:
			return l.errorf("unterminated ${ in a string")
		case t.kind == tPunct && t.text == "{":
			braces++
		case t.kind == tPunct && t.text == "}":
			if braces == 0 {
				return nil
			}
			braces--
		}
	}
}
