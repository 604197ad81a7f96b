package fix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Objects decodes the objects of a YAML stream (the documents, and the items of List
// documents) by the line each starts at, as the manifest loader records it.
func Objects(data []byte) (map[int]map[string]any, error) {
	docs, err := parseStream(data)
	if err != nil {
		return nil, err
	}
	out := map[int]map[string]any{}
	add := func(n *yaml.Node) {
		if v, err := decodeGeneric(n); err == nil {
			if m, ok := v.(map[string]any); ok {
				out[n.Line] = m
			}
		}
	}
	for _, doc := range docs {
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		root := doc.Content[0]
		add(root)
		if items := mapValue(root, "items"); items != nil && items.Kind == yaml.SequenceNode {
			for _, it := range items.Content {
				if it.Kind == yaml.MappingNode {
					add(it)
				}
			}
		}
	}
	return out, nil
}

// StrategicPatch returns the strategic-merge patch that makes edits on obj (a decoded object,
// as Objects returns it): the object's apiVersion, kind and name, and, for each edit, the
// value its path holds once the edits are made. A list item on the way is named by its merge
// key (name, for containers and volumes), so that the patch merges into it; a list an edit
// appends to is written whole, since a list of scalars is replaced by a patch.
func StrategicPatch(obj map[string]any, edits []Edit) (map[string]any, error) {
	copied, err := deepCopy(obj)
	if err != nil {
		return nil, err
	}
	result, _ := copied.(map[string]any)
	for _, e := range edits {
		segs, err := parsePath(e.Path)
		if err != nil {
			return nil, err
		}
		v, err := applyGeneric(result, segs, e.Op, normalize(e.Value))
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", e.Op, e.Path, err)
		}
		result = v.(map[string]any)
	}
	meta, _ := obj["metadata"].(map[string]any)
	patch := map[string]any{"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": map[string]any{"name": meta["name"]}}
	for _, e := range edits {
		segs, _ := parsePath(e.Path) // parsed above
		if err := copyPath(patch, result, segs); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Path, err)
		}
	}
	return patch, nil
}

// copyPath copies the value at segs from src into dst, creating the maps and the list items
// (by their name) on the way.
func copyPath(dst, src map[string]any, segs []segment) error {
	s := segs[0]
	if s.isIdx {
		return errors.New("a list index where a key was expected")
	}
	if len(segs) == 1 {
		v, err := deepCopy(src[s.key])
		if err != nil {
			return err
		}
		dst[s.key] = v
		return nil
	}
	if next := segs[1]; next.isIdx {
		list, _ := src[s.key].([]any)
		if next.index >= len(list) {
			return fmt.Errorf("no item %s", next)
		}
		elem, _ := list[next.index].(map[string]any)
		name, _ := elem["name"].(string)
		if name == "" {
			return fmt.Errorf("item %s of %s has no name to merge by", next, s.key)
		}
		dl, _ := dst[s.key].([]any)
		var d map[string]any
		for _, x := range dl {
			if m, ok := x.(map[string]any); ok && m["name"] == name {
				d = m
			}
		}
		if d == nil {
			d = map[string]any{"name": name}
			dst[s.key] = append(dl, d)
		}
		if len(segs) == 2 {
			for k, v := range elem {
				c, err := deepCopy(v)
				if err != nil {
					return err
				}
				d[k] = c
			}
			return nil
		}
		return copyPath(d, elem, segs[2:])
	}
	sm, ok := src[s.key].(map[string]any)
	if !ok {
		return fmt.Errorf("%s is not a mapping", s.key)
	}
	dm, _ := dst[s.key].(map[string]any)
	if dm == nil {
		dm = map[string]any{}
		dst[s.key] = dm
	}
	return copyPath(dm, sm, segs[1:])
}

// MergePatch merges src into dst as a strategic merge would for the patches this package
// writes: maps key by key, lists of named items by name, other values replaced.
func MergePatch(dst, src map[string]any) {
	for k, sv := range src {
		switch s := sv.(type) {
		case map[string]any:
			if d, ok := dst[k].(map[string]any); ok {
				MergePatch(d, s)
				continue
			}
		case []any:
			if d, ok := dst[k].([]any); ok && named(s) && named(d) {
				for _, item := range s {
					m := item.(map[string]any)
					merged := false
					for _, x := range d {
						if dm := x.(map[string]any); dm["name"] == m["name"] {
							MergePatch(dm, m)
							merged = true
						}
					}
					if !merged {
						d = append(d, m)
					}
				}
				dst[k] = d
				continue
			}
		}
		dst[k] = sv
	}
}

func named(list []any) bool {
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := m["name"].(string); !ok {
			return false
		}
	}
	return len(list) > 0
}

func deepCopy(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ValueText writes a value on one line, as YAML's flow style does ({a: 1}, [x, y], true).
func ValueText(v any) (string, error) { return flowText(normalizeInts(v)) }

// normalizeInts writes whole float64s (JSON numbers) as integers.
func normalizeInts(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeInts(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeInts(e)
		}
		return out
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
	}
	return v
}

// Document writes an object as a YAML document in block style (keys apiVersion, kind and
// metadata first, as Kubernetes writes them).
func Document(obj map[string]any) ([]byte, error) {
	n, err := toNode(normalizeInts(obj))
	if err != nil {
		return nil, err
	}
	// apiVersion, kind, metadata first.
	var head, rest []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "apiVersion", "kind", "metadata":
			head = append(head, n.Content[i], n.Content[i+1])
		default:
			rest = append(rest, n.Content[i], n.Content[i+1])
		}
	}
	ordered := make([]*yaml.Node, 0, len(n.Content))
	for _, k := range []string{"apiVersion", "kind", "metadata"} {
		for i := 0; i+1 < len(head); i += 2 {
			if head[i].Value == k {
				ordered = append(ordered, head[i], head[i+1])
			}
		}
	}
	ordered = append(ordered, rest...)
	n.Content = ordered
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(strings.TrimLeft(buf.String(), "\n")), nil
}
