package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// maxDepth bounds the nesting of a document. Kubernetes objects stay far below it; deeper
// input is an attack or a mistake, and would otherwise cost stack and time.
const maxDepth = 256

var errTooDeep = fmt.Errorf("document is nested deeper than %d levels", maxDepth)

// converter turns a YAML node tree into JSON, expanding aliases and merge keys within a size
// budget so that an alias bomb ends in an error instead of exhausting memory.
type converter struct {
	buf    bytes.Buffer
	budget int
	// offset turns node lines into file lines.
	offset int
	// pairs counts mapping pairs gathered through merge keys, which can multiply like
	// aliases before anything is written.
	pairs int
}

type budgetError struct{ limit int }

func (e budgetError) Error() string {
	return fmt.Sprintf("document expands to more than %d bytes through YAML aliases (an alias bomb?)", e.limit)
}

// duplicateKeyError is a key written twice in one mapping. The API server's strict decoding
// rejects such an object; judging either value would judge what no cluster runs.
type duplicateKeyError struct {
	key           string
	first, second int
}

func (e duplicateKeyError) Error() string {
	return fmt.Sprintf("duplicate key %q at lines %d and %d (the API server rejects the object); not evaluated", e.key, e.first, e.second)
}

// toJSON converts a node to JSON. budget is the most bytes the JSON may take; offset turns
// node lines into file lines in errors.
func toJSON(n *yaml.Node, budget, offset int) ([]byte, error) {
	c := &converter{budget: budget, offset: offset}
	if err := c.node(n, 0); err != nil {
		return nil, err
	}
	return c.buf.Bytes(), nil
}

func (c *converter) check() error {
	if c.buf.Len() > c.budget {
		return budgetError{c.budget}
	}
	return nil
}

func (c *converter) node(n *yaml.Node, depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			c.buf.WriteString("null")
			return nil
		}
		return c.node(n.Content[0], depth)
	case yaml.AliasNode:
		if n.Alias == nil {
			return errors.New("alias to an unknown anchor")
		}
		return c.node(n.Alias, depth+1)
	case yaml.SequenceNode:
		c.buf.WriteByte('[')
		for i, e := range n.Content {
			if i > 0 {
				c.buf.WriteByte(',')
			}
			if err := c.node(e, depth+1); err != nil {
				return err
			}
		}
		c.buf.WriteByte(']')
		return c.check()
	case yaml.MappingNode:
		pairs, err := c.mappingPairs(n, depth)
		if err != nil {
			return err
		}
		c.buf.WriteByte('{')
		for i, p := range pairs {
			if i > 0 {
				c.buf.WriteByte(',')
			}
			writeString(&c.buf, p.key)
			c.buf.WriteByte(':')
			if err := c.node(p.value, depth+1); err != nil {
				return err
			}
		}
		c.buf.WriteByte('}')
		return c.check()
	case yaml.ScalarNode:
		c.scalar(n)
		return c.check()
	}
	return fmt.Errorf("line %d: unsupported YAML node", n.Line+c.offset)
}

type pair struct {
	key   string
	value *yaml.Node
}

// mappingPairs returns the key/value pairs of a mapping with merge keys (<<) applied: merged
// keys first, so that the mapping's own keys, written later, win when JSON is decoded.
func (c *converter) mappingPairs(n *yaml.Node, depth int) ([]pair, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	c.pairs += len(n.Content) / 2
	if c.pairs*16 > c.budget {
		return nil, budgetError{c.budget}
	}
	pairs := make([]pair, 0, len(n.Content)/2)
	var own []pair
	var seen map[string]int
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merged, err := c.mergeSources(v, depth+1)
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, merged...)
			continue
		}
		for k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: a mapping key must be a scalar", k.Line+c.offset)
		}
		if first, dup := seen[k.Value]; dup {
			return nil, duplicateKeyError{key: k.Value, first: first + c.offset, second: n.Content[i].Line + c.offset}
		}
		if seen == nil {
			seen = make(map[string]int, len(n.Content)/2)
		}
		seen[k.Value] = n.Content[i].Line
		own = append(own, pair{key: k.Value, value: v})
	}
	return append(pairs, own...), nil
}

func (c *converter) mergeSources(v *yaml.Node, depth int) ([]pair, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	for v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		return c.mappingPairs(v, depth)
	case yaml.SequenceNode:
		var out []pair
		// Earlier maps in a merge list win, so they are written last.
		for i := len(v.Content) - 1; i >= 0; i-- {
			p, err := c.mergeSources(v.Content[i], depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, p...)
		}
		return out, nil
	}
	return nil, fmt.Errorf("line %d: a merge key (<<) must refer to a mapping", v.Line+c.offset)
}

func (c *converter) scalar(n *yaml.Node) {
	if kind, text := scalarJSON(n); kind != jsonStr {
		c.buf.WriteString(text)
		return
	}
	writeString(&c.buf, n.Value)
}

// intJSON renders a YAML integer (decimal, 0x, 0o, 0b, with underscores) as a JSON number.
func intJSON(v string) (string, bool) {
	s := strings.ReplaceAll(v, "_", "")
	if strings.HasPrefix(s, "0o") || strings.HasPrefix(s, "-0o") || strings.HasPrefix(s, "+0o") {
		s = strings.Replace(s, "0o", "0", 1)
	}
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return strconv.FormatInt(i, 10), true
	}
	if u, err := strconv.ParseUint(strings.TrimPrefix(s, "+"), 0, 64); err == nil {
		return strconv.FormatUint(u, 10), true
	}
	return "", false
}

const hexDigits = "0123456789abcdef"

// writeString writes s as a JSON string. Invalid UTF-8 was rejected before parsing.
func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		ch := s[i]
		if ch < utf8.RuneSelf {
			if ch >= 0x20 && ch != '"' && ch != '\\' && ch != '<' && ch != '>' && ch != '&' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch ch {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(ch)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[ch>>4])
				b.WriteByte(hexDigits[ch&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' || r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			if r == utf8.RuneError {
				b.WriteString(`\ufffd`)
			} else {
				fmt.Fprintf(b, `\u%04x`, r)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}
