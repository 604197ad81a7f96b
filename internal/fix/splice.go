package fix

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// toNode builds the node of an edit's value. Map keys are written with "name" first (the
// merge key of containers, volumes and mounts, as people write them), then in sorted order.
func toNode(v any) (*yaml.Node, error) {
	switch x := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if (keys[i] == "name") != (keys[j] == "name") {
				return keys[i] == "name"
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			vn, err := toNode(x[k])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, vn)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range x {
			en, err := toNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, en)
		}
		return n, nil
	}
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding %v: %w", v, err)
	}
	return &n, nil
}

// flowText writes a value on one line in flow style ({a: 1}, [x, y]).
func flowText(v any) (string, error) {
	n, err := toNode(v)
	if err != nil {
		return "", err
	}
	setFlow(n)
	out, err := yaml.Marshal(n)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(out), "\n"), nil
}

func setFlow(n *yaml.Node) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style = yaml.FlowStyle
	}
	for _, c := range n.Content {
		setFlow(c)
	}
}

// blockText writes a value in block style, each line prefixed with indent spaces and ended
// with nl; compact writes a list's dashes at its key's indentation.
func blockText(v any, indent int, compact bool, nl string) (string, error) {
	n, err := toNode(v)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if compact {
		enc.CompactSeqIndent()
	}
	if err := enc.Encode(n); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	for _, ln := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		b.WriteString(pad + ln + nl)
	}
	return b.String(), nil
}

// compactLists tells whether the file writes a mapping's block list with its dashes at the
// key's indentation (kubectl's style) rather than indented under it; without a list to go
// by, indented.
func (s *splicer) compactLists() bool {
	var found, compact bool
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if found {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 {
					if col, ok := s.dashColumn(v.Content[0]); ok {
						found, compact = true, col == k.Column
						return
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, d := range s.docs {
		walk(d)
	}
	return compact
}

// dashColumn returns the 1-based column of the dash before a block list's item.
func (s *splicer) dashColumn(item *yaml.Node) (int, bool) {
	if item.Line < 1 || item.Line > len(s.lines) {
		return 0, false
	}
	ln := []rune(s.line(item.Line))
	for c := item.Column - 2; c >= 0 && c < len(ln); c-- {
		switch ln[c] {
		case ' ', '\t':
			continue
		case '-':
			return c + 1, true
		}
		return 0, false
	}
	return 0, false
}

// indentOf returns the indentation of a line (spaces), and whether the line holds content
// (not blank, not only a comment).
func indentOf(line string) (indent int, content, comment bool) {
	t := strings.TrimLeft(line, " ")
	indent = len(line) - len(t)
	t = strings.TrimSpace(t)
	switch {
	case t == "":
		return indent, false, false
	case strings.HasPrefix(t, "#"):
		return indent, false, true
	}
	return indent, true, false
}

func isDocMarker(line string) bool {
	for _, m := range []string{"---", "..."} {
		if line == m || strings.HasPrefix(line, m+" ") || strings.HasPrefix(line, m+"\t") {
			return true
		}
	}
	return false
}

// lastLine returns the last line of the block that starts on line start and holds what is
// indented at least indent (for a list, dashes at indent too): the line after which an entry
// of the block is inserted. Comments after the block's last content stay after it, unless
// indented deeper than the block's entries.
func (s *splicer) lastLine(start, indent int, list bool) int {
	last := start
	for n := start + 1; n <= len(s.lines); n++ {
		ln := s.line(n)
		if isDocMarker(ln) {
			break
		}
		ind, content, comment := indentOf(ln)
		if content && (ind < indent || list && ind == indent && !strings.HasPrefix(strings.TrimLeft(ln, " "), "-")) {
			break
		}
		if content || comment && ind > indent {
			last = n
		}
	}
	if n := len(s.lines); last == n && s.lines[n-1] == len(s.text) {
		// The text ends with a line break: the last "line" is empty.
		last = n - 1
	}
	return last
}

// insertAfter inserts text after line n, adding a line break to a last line that has none.
func (s *splicer) insertAfter(n int, text string) []byte {
	at := s.lineEnd(n)
	if at == len(s.text) && len(s.text) > 0 && s.text[len(s.text)-1] != '\n' {
		text = s.newline() + text
	}
	return s.splice(at, at, text)
}

// insertKey adds key: value to a mapping.
func (s *splicer) insertKey(m *yaml.Node, key string, v any) ([]byte, error) {
	if m.Style&yaml.FlowStyle != 0 {
		entry, err := flowText(map[string]any{key: v})
		if err != nil {
			return nil, err
		}
		return s.intoFlow(m, '{', '}', strings.TrimSuffix(strings.TrimPrefix(entry, "{"), "}"))
	}
	if len(m.Content) == 0 {
		return nil, errors.New("an empty block mapping")
	}
	indent := m.Content[0].Column - 1
	text, err := blockText(map[string]any{key: v}, indent, s.compactLists(), s.newline())
	if err != nil {
		return nil, err
	}
	return s.insertAfter(s.lastLine(m.Line, indent, false), text), nil
}

// appendItem adds an item to the end of a list.
func (s *splicer) appendItem(_ *yaml.Node, seq *yaml.Node, v any) ([]byte, error) {
	if seq.Style&yaml.FlowStyle != 0 || len(seq.Content) == 0 {
		item, err := flowText([]any{v})
		if err != nil {
			return nil, err
		}
		text := strings.TrimSuffix(strings.TrimPrefix(item, "["), "]")
		// A string joins a list of quoted strings in their quotes: ["NET_RAW", "ALL"].
		if str, ok := v.(string); ok && len(seq.Content) > 0 {
			if last := seq.Content[len(seq.Content)-1]; last.Style == yaml.DoubleQuotedStyle || last.Style == yaml.SingleQuotedStyle {
				out, err := yaml.Marshal(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: str, Style: last.Style})
				if err != nil {
					return nil, err
				}
				text = strings.TrimSuffix(string(out), "\n")
			}
		}
		return s.intoFlow(seq, '[', ']', text)
	}
	col, ok := s.dashColumn(seq.Content[0])
	if !ok {
		return nil, errors.New("a list whose layout is not understood")
	}
	text, err := blockText([]any{v}, col-1, false, s.newline())
	if err != nil {
		return nil, err
	}
	return s.insertAfter(s.lastLine(seq.Content[0].Line, col-1, true), text), nil
}

// intoFlow inserts an entry before the closing bracket of a flow collection.
func (s *splicer) intoFlow(n *yaml.Node, open, closing byte, entry string) ([]byte, error) {
	start, err := s.offset(n.Line, n.Column)
	if err != nil {
		return nil, err
	}
	if start >= len(s.text) || s.text[start] != open {
		return nil, fmt.Errorf("no %c where the collection starts", open)
	}
	end, err := matching(s.text, start)
	if err != nil {
		return nil, err
	}
	if s.text[end] != closing {
		return nil, fmt.Errorf("the collection does not end with %c", closing)
	}
	inner := bytes.TrimRight(s.text[start+1:end], " \t\r\n")
	at := start + 1 + len(inner)
	if len(bytes.TrimSpace(inner)) > 0 {
		entry = ", " + entry
		if bytes.HasSuffix(inner, []byte(",")) {
			entry = " " + strings.TrimPrefix(entry, ", ")
		}
	}
	return s.splice(at, at, entry), nil
}

// matching returns the offset of the bracket that closes the flow collection opened at start,
// skipping quoted scalars and comments.
func matching(text []byte, start int) (int, error) {
	depth := 0
	for i := start; i < len(text); i++ {
		switch c := text[i]; c {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i, nil
			}
		case '"':
			for i++; i < len(text) && text[i] != '"'; i++ {
				if text[i] == '\\' {
					i++
				}
			}
		case '\'':
			for i++; i < len(text); i++ {
				if text[i] == '\'' {
					if i+1 < len(text) && text[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case '#':
			if i > 0 && (text[i-1] == ' ' || text[i-1] == '\t' || text[i-1] == '\n') {
				for i < len(text) && text[i] != '\n' {
					i++
				}
			}
		}
	}
	return 0, errors.New("an unclosed flow collection")
}

// scalarEnd returns the offset after a one-line scalar's text, or an error for a scalar this
// applier does not rewrite (block and multi-line scalars).
func (s *splicer) scalarEnd(n *yaml.Node, start int) (int, error) {
	lineEnd := bytes.IndexByte(s.text[start:], '\n')
	if lineEnd < 0 {
		lineEnd = len(s.text) - start
	}
	ln := s.text[start : start+lineEnd]
	switch n.Style {
	case 0:
		if !bytes.HasPrefix(ln, []byte(n.Value)) {
			return 0, errors.New("a value written over several lines: edit it by hand")
		}
		return start + len(n.Value), nil
	case yaml.DoubleQuotedStyle:
		for i := 1; i < len(ln); i++ {
			switch ln[i] {
			case '\\':
				i++
			case '"':
				return start + i + 1, nil
			}
		}
	case yaml.SingleQuotedStyle:
		for i := 1; i < len(ln); i++ {
			if ln[i] == '\'' {
				if i+1 < len(ln) && ln[i+1] == '\'' {
					i++
					continue
				}
				return start + i + 1, nil
			}
		}
	}
	return 0, errors.New("a value written over several lines or as a block: edit it by hand")
}

// replaceScalar writes v over a scalar, in the scalar's quoting when v is a string.
func (s *splicer) replaceScalar(n *yaml.Node, v any) ([]byte, error) {
	start, err := s.offset(n.Line, n.Column)
	if err != nil {
		return nil, err
	}
	end, err := s.scalarEnd(n, start)
	if err != nil {
		return nil, err
	}
	vn, err := toNode(v)
	if err != nil {
		return nil, err
	}
	if str, ok := v.(string); ok && (n.Style == yaml.DoubleQuotedStyle || n.Style == yaml.SingleQuotedStyle) {
		vn = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: str, Style: n.Style}
	}
	if vn.Kind != yaml.ScalarNode {
		text, err := flowText(v)
		if err != nil {
			return nil, err
		}
		return s.splice(start, end, text), nil
	}
	out, err := yaml.Marshal(vn)
	if err != nil {
		return nil, err
	}
	return s.splice(start, end, strings.TrimSuffix(string(out), "\n")), nil
}

// replaceNull writes v where a key holds null: over the text of an explicit null (in flow
// style, on the key's line), or, for a key with no value, as a block under the key.
func (s *splicer) replaceNull(key, n *yaml.Node, v any) ([]byte, error) {
	if n.Value != "" {
		start, err := s.offset(n.Line, n.Column)
		if err != nil {
			return nil, err
		}
		end, err := s.scalarEnd(n, start)
		if err != nil {
			return nil, err
		}
		text, err := flowText(v)
		if err != nil {
			return nil, err
		}
		return s.splice(start, end, text), nil
	}
	if key == nil || key.Line != n.Line {
		return nil, errors.New("an empty value that is not a key's")
	}
	indent := key.Column - 1 + 2
	compact := s.compactLists()
	if _, isList := v.([]any); isList && compact {
		indent = key.Column - 1
	}
	text, err := blockText(v, indent, compact, s.newline())
	if err != nil {
		return nil, err
	}
	return s.insertAfter(key.Line, text), nil
}
