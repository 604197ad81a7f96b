package arm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 256

type nodeKind uint8

const (
	kNull nodeKind = iota
	kBool
	kNum
	kStr
	kObj
	kArr
	// kUnknown is a value that is written but cannot be resolved (a template expression).
	kUnknown
)

// node is a JSON value with the line it is written on, so that findings point at the
// attribute. Object keys are matched without regard to case, '-' or '_': the Azure CLI,
// the REST API and ARM templates spell the same keys differently (enableRbac, enableRBAC;
// scan-interval, scanInterval).
type node struct {
	kind nodeKind
	line int
	b    bool
	s    string // kStr, kNum (the literal), kUnknown (the expression)
	keys []string
	vals []*node
	arr  []*node
}

// normKey is how keys are compared.
func normKey(k string) string {
	var b strings.Builder
	b.Grow(len(k))
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '-' || c == '_':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// get follows a path of keys; nil when any step is missing or not an object.
func (n *node) get(path ...string) *node {
	cur := n
	for _, k := range path {
		if cur == nil || cur.kind != kObj {
			return nil
		}
		nk := normKey(k)
		var next *node
		for i, key := range cur.keys {
			if normKey(key) == nk {
				next = cur.vals[i]
				break
			}
		}
		cur = next
	}
	return cur
}

// deepest returns the line of the deepest existing object on the path (where a missing
// setting would be written).
func (n *node) deepest(path ...string) int {
	cur, line := n, 0
	if n != nil {
		line = n.line
	}
	for _, k := range path {
		cur = cur.get(k)
		if cur == nil {
			break
		}
		line = cur.line
	}
	return line
}

func (n *node) str() (string, bool) {
	if n == nil || n.kind != kStr {
		return "", false
	}
	return n.s, true
}

// strOr returns the string value or "".
func (n *node) strOr() string { s, _ := n.str(); return s }

// lineIndex turns byte offsets into 1-based lines.
type lineIndex []int

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (l lineIndex) line(off int64) int {
	return sort.Search(len(l), func(i int) bool { return int64(l[i]) > off })
}

// parseJSON parses one JSON document into a node tree with lines. Errors name the line.
func parseJSON(data []byte) (*node, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	lines := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	p := &jsonParser{dec: dec, lines: lines}
	n, err := p.value(0)
	if err != nil {
		return nil, p.wrap(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("line %d: unexpected data after the JSON document", lines.line(dec.InputOffset()))
	}
	return n, nil
}

type jsonParser struct {
	dec   *json.Decoder
	lines lineIndex
}

// lineHere is the line of the token just read (its last byte).
func (p *jsonParser) lineHere() int {
	off := p.dec.InputOffset() - 1
	if off < 0 {
		off = 0
	}
	return p.lines.line(off)
}

func (p *jsonParser) wrap(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("line %d: invalid JSON: %w", p.lines.line(se.Offset-1), err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("line %d: invalid JSON: unexpected end of input", len(p.lines))
	}
	return fmt.Errorf("line %d: %w", p.lineHere(), err)
}

func (p *jsonParser) value(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("JSON nested deeper than %d levels", maxDepth)
	}
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	line := p.lineHere()
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: kObj, line: line}
			for p.dec.More() {
				kt, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				keyLine := p.lineHere()
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				// Objects and arrays point at their key's line, where a person looks.
				if v.kind == kObj || v.kind == kArr {
					v.line = keyLine
				}
				n.keys = append(n.keys, key)
				n.vals = append(n.vals, v)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		case '[':
			n := &node{kind: kArr, line: line}
			for p.dec.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		}
		return nil, fmt.Errorf("unexpected %q", t)
	case string:
		return &node{kind: kStr, line: line, s: t}, nil
	case json.Number:
		return &node{kind: kNum, line: line, s: t.String()}, nil
	case bool:
		return &node{kind: kBool, line: line, b: t}, nil
	case nil:
		return &node{kind: kNull, line: line}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// toAny converts a node into plain Go values (for the expression evaluator); unknown
// values become unknownVal.
func (n *node) toAny() any {
	if n == nil {
		return nil
	}
	switch n.kind {
	case kBool:
		return n.b
	case kNum:
		var f float64
		_, _ = fmt.Sscan(n.s, &f)
		return f
	case kStr:
		return n.s
	case kObj:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			m[k] = n.vals[i].toAny()
		}
		return m
	case kArr:
		a := make([]any, len(n.arr))
		for i, v := range n.arr {
			a[i] = v.toAny()
		}
		return a
	case kUnknown:
		return unknownVal{expr: n.s}
	}
	return nil
}

// fromAny converts an evaluated value into a node written at line.
func fromAny(v any, line int, depth int) *node {
	if depth > maxDepth {
		return &node{kind: kUnknown, line: line}
	}
	switch t := v.(type) {
	case nil:
		return &node{kind: kNull, line: line}
	case bool:
		return &node{kind: kBool, line: line, b: t}
	case float64:
		return &node{kind: kNum, line: line, s: fmt.Sprint(t)}
	case string:
		return &node{kind: kStr, line: line, s: t}
	case map[string]any:
		n := &node{kind: kObj, line: line}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			n.keys = append(n.keys, k)
			n.vals = append(n.vals, fromAny(t[k], line, depth+1))
		}
		return n
	case []any:
		n := &node{kind: kArr, line: line}
		for _, x := range t {
			n.arr = append(n.arr, fromAny(x, line, depth+1))
		}
		return n
	case unknownVal:
		return &node{kind: kUnknown, line: line, s: t.expr}
	}
	return &node{kind: kUnknown, line: line}
}
