package guardrails

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Object is one generated object: the typed Kubernetes object and the comment that heads it
// in the YAML (what it is and how it was sized).
type Object struct {
	Kind, Name string
	// Comment is the header, one line per element, without the leading "# ".
	Comment []string
	// Obj is the typed object (networkingv1.NetworkPolicy, corev1.ResourceQuota...).
	Obj any
}

// FileName is the name of the object's file under -o DIR: its kind and name, lowercase.
func (o Object) FileName() string {
	return strings.ToLower(o.Kind) + "-" + o.Name + ".yaml"
}

// Node is the object as a YAML document: apiVersion and kind first, no status, no
// creationTimestamp, no nulls, block style, with its comment at the top.
func (o Object) Node() (*yaml.Node, error) {
	raw, err := json.Marshal(o.Obj)
	if err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", o.Kind, o.Name, err)
	}
	// JSON is YAML: the decoder keeps the fields in the order the API types declare them.
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", o.Kind, o.Name, err)
	}
	root := doc.Content[0]
	drop(root, "status")
	if meta := field(root, "metadata"); meta != nil {
		drop(meta, "creationTimestamp")
	}
	// TypeMeta declares kind before apiVersion; manifests are written the other way round.
	if len(root.Content) >= 4 && root.Content[0].Value == "kind" && root.Content[2].Value == "apiVersion" {
		root.Content[0], root.Content[1], root.Content[2], root.Content[3] = root.Content[2], root.Content[3], root.Content[0], root.Content[1]
	}
	clean(root)
	var lines []string
	for _, l := range o.Comment {
		lines = append(lines, strings.TrimRight("# "+commentText(l), " "))
	}
	root.HeadComment = strings.Join(lines, "\n")
	return &doc, nil
}

// YAML is the object as one YAML document.
func (o Object) YAML() ([]byte, error) {
	var buf bytes.Buffer
	if err := Write(&buf, []Object{o}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write writes the objects as a stream of YAML documents.
func Write(w io.Writer, objs []Object) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	for _, o := range objs {
		n, err := o.Node()
		if err != nil {
			return err
		}
		if err := enc.Encode(n); err != nil {
			return fmt.Errorf("writing %s %s: %w", o.Kind, o.Name, err)
		}
	}
	return enc.Close()
}

func field(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func drop(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// yaml11Bools are the plain scalars a YAML 1.1 reader (kubectl's, through sigs.k8s.io/yaml)
// takes for booleans: a string that reads as one is quoted.
var yaml11Bools = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true}

// clean drops null values and writes every node in block style, quoting the strings a YAML
// 1.1 reader would take for booleans.
func clean(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.MappingNode {
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			if v := n.Content[i+1]; v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				continue
			}
			kept = append(kept, n.Content[i], n.Content[i+1])
		}
		n.Content = kept
	}
	for _, c := range n.Content {
		clean(c)
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && yaml11Bools[strings.ToLower(n.Value)] {
		n.Style = yaml.DoubleQuotedStyle
	}
}

// commentText keeps a comment on its line: names from the input may hold anything.
func commentText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return '?'
		}
		return r
	}, s)
}
