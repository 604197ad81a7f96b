package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	yaml "go.yaml.in/yaml/v3"
)

// jsonNode parses one JSON value into a YAML node tree whose lines are the file's: offset is
// added to the line within raw. The tree goes through the same conversion as YAML, so JSON
// and YAML documents are judged alike.
func jsonNode(raw []byte, offset int) (*yaml.Node, error) {
	p := &jsonParser{dec: json.NewDecoder(bytes.NewReader(raw)), raw: raw, offset: offset}
	p.dec.UseNumber()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	return p.value(tok, 0)
}

type jsonParser struct {
	dec    *json.Decoder
	raw    []byte
	offset int
	// counted is how far newlines were counted (lines of them): offsets only grow, so each
	// byte is counted once.
	counted, lines int
}

// line is the file line of the token just read: no JSON token spans a line.
func (p *jsonParser) line() int {
	end := int(p.dec.InputOffset())
	p.lines += bytes.Count(p.raw[p.counted:end], []byte("\n"))
	p.counted = end
	return p.lines + 1 + p.offset
}

func (p *jsonParser) value(tok json.Token, depth int) (*yaml.Node, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	line := p.line()
	switch v := tok.(type) {
	case json.Delim:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: line}
		if v == '{' {
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
		}
		for p.dec.More() {
			t, err := p.dec.Token()
			if err != nil {
				return nil, err
			}
			if n.Kind == yaml.MappingNode {
				key, ok := t.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: p.line()})
				if t, err = p.dec.Token(); err != nil {
					return nil, err
				}
			}
			e, err := p.value(t, depth+1)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, e)
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Line: line}, nil
	case json.Number:
		tag := "!!float"
		if _, ok := intJSON(v.String()); ok {
			tag = "!!int"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.String(), Line: line}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v), Line: line}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", Line: line}, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %T", tok)
}
