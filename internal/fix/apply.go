// Package fix applies the edits of a report's fixes to YAML manifests, byte for byte: it reads
// the file with go.yaml.in/yaml/v3 nodes to find where each field is, then splices only the
// text of the edit into the file (a scalar replaced in its own quoting, a key inserted at the
// indentation of its siblings, an item appended to a block or flow list), so that comments,
// key order, quoting, indentation, blank lines and the documents of a stream stay as they
// were. Every edit is verified: the file must parse again and decode to exactly the objects
// before, with only the edit's change; an edit that would do anything else is refused and the
// text is left as it was.
package fix

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Edit operations, as check.Edit and report.Edit spell them.
const (
	OpSet    = "set"
	OpAppend = "append"
)

// Edit is one change at a field path of an object.
type Edit struct {
	Op    string
	Path  string
	Value any
}

// Change is the edits of one finding, on the object that starts at Line (1-based, the line of
// the object's first key, as the manifest loader records it; 0 for the first document). Kind and Name, when set, must be
// the object's: a guard against a file that changed since it was scanned.
type Change struct {
	Line       int
	Kind, Name string
	Edits      []Edit
}

// Outcome is what became of one change.
type Outcome struct {
	// Applied is true when the file now holds the change (including when it held it already).
	Applied bool
	// Err says why the change was not made; the text is then as it was before it.
	Err error
}

// ErrNotYAML is returned for a file that is not YAML the applier edits (JSON manifests).
var ErrNotYAML = errors.New("not a YAML file")

// Apply makes the changes in data, a YAML stream, and returns the new text and the outcome of
// each change (in the order given). An error means data does not parse: nothing is changed.
// A change that cannot be made (a path through an anchor, an alias or a merge key, a
// multi-line scalar, an object no longer at its line) is refused alone, the others are made.
func Apply(data []byte, changes []Change) ([]byte, []Outcome, error) {
	if _, err := parseStream(data); err != nil {
		return data, nil, err
	}
	out := make([]Outcome, len(changes))
	// Each document is edited (parsed, spliced, verified) on its own text, so that the cost of
	// a stream of many objects grows with its size, not with its size times its edits. A
	// stream whose documents do not parse one by one is edited whole.
	chunks := splitDocuments(data)
	for _, c := range chunks {
		if _, err := parseStream(c.text); err != nil {
			chunks = []chunk{{text: data, line: 1}}
			break
		}
	}
	byChunk := make([][]int, len(chunks))
	for i, c := range changes {
		k := 0
		for k+1 < len(chunks) && chunks[k+1].line <= c.Line {
			k++
		}
		if c.Line == 0 {
			k = firstObjectChunk(chunks)
		}
		byChunk[k] = append(byChunk[k], i)
	}
	var text bytes.Buffer
	for k, ch := range chunks {
		local := make([]Change, len(byChunk[k]))
		for j, i := range byChunk[k] {
			local[j] = changes[i]
			if local[j].Line > 0 {
				local[j].Line -= ch.line - 1
			}
		}
		edited, outcomes := applyAll(ch.text, local)
		for j, i := range byChunk[k] {
			out[i] = outcomes[j]
		}
		text.Write(edited)
	}
	return text.Bytes(), out, nil
}

// applyAll makes changes in one text, bottom to top: an edit only inserts text at or below its
// object's first line, so the objects above keep their lines.
func applyAll(data []byte, changes []Change) ([]byte, []Outcome) {
	out := make([]Outcome, len(changes))
	order := make([]int, len(changes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return changes[order[a]].Line > changes[order[b]].Line })
	text := data
	for _, i := range order {
		next, err := applyChange(text, changes[i])
		if err != nil {
			out[i] = Outcome{Err: err}
			continue
		}
		text, out[i] = next, Outcome{Applied: true}
	}
	return text, out
}

// chunk is one document of a stream as text, from its marker line (if any), with the file
// line it starts on.
type chunk struct {
	text []byte
	line int
}

// splitDocuments cuts a stream before each document marker line ("---" or "..." at the start
// of a line), as the manifest loader does.
func splitDocuments(data []byte) []chunk {
	var out []chunk
	start, startLine, line := 0, 1, 1
	for pos := 0; pos < len(data); line++ {
		next := len(data)
		if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
			next = pos + i + 1
		}
		if pos > start && isDocMarker(strings.TrimRight(string(data[pos:next]), "\r\n")) {
			out = append(out, chunk{text: data[start:pos], line: startLine})
			start, startLine = pos, line
		}
		pos = next
	}
	return append(out, chunk{text: data[start:], line: startLine})
}

// firstObjectChunk is the chunk of the stream's first document (Line 0 of a Change).
func firstObjectChunk(chunks []chunk) int {
	for k, c := range chunks {
		if docs, err := parseStream(c.text); err == nil && len(docs) > 0 {
			return k
		}
	}
	return 0
}

// parseStream decodes every document of a YAML stream as nodes.
func parseStream(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parsing YAML: %w", err)
		}
		docs = append(docs, &n)
	}
}

// objectRef is where an object is in a stream: its document, and its item in a List document
// (-1 for the document itself).
type objectRef struct {
	doc, item int
	node      *yaml.Node
}

// findObject finds the object mapping that starts at line.
func findObject(docs []*yaml.Node, line int) (objectRef, bool) {
	for d, doc := range docs {
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if root.Kind != yaml.MappingNode {
			continue
		}
		if root.Line == line || line == 0 {
			return objectRef{doc: d, item: -1, node: root}, true
		}
		if items := mapValue(root, "items"); items != nil && items.Kind == yaml.SequenceNode {
			for i, it := range items.Content {
				if it.Kind == yaml.MappingNode && it.Line == line {
					return objectRef{doc: d, item: i, node: it}, true
				}
			}
		}
	}
	return objectRef{}, false
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func scalarValue(m *yaml.Node, key string) string {
	if v := mapValue(m, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// applyChange makes one change's edits, each verified, or returns the error of the first that
// cannot be made (and none of them).
func applyChange(data []byte, c Change) ([]byte, error) {
	text := data
	for _, e := range c.Edits {
		next, err := applyEdit(text, c, e)
		if err != nil {
			return data, fmt.Errorf("%s %s: %w", e.Op, e.Path, err)
		}
		text = next
	}
	return text, nil
}

func applyEdit(data []byte, c Change, e Edit) ([]byte, error) {
	segs, err := parsePath(e.Path)
	if err != nil {
		return nil, err
	}
	if e.Op != OpSet && e.Op != OpAppend {
		return nil, fmt.Errorf("unknown edit operation %q", e.Op)
	}
	docs, err := parseStream(data)
	if err != nil {
		return nil, err
	}
	ref, ok := findObject(docs, c.Line)
	if !ok {
		return nil, fmt.Errorf("no object starts at line %d (the file changed since it was scanned?)", c.Line)
	}
	if c.Kind != "" && scalarValue(ref.node, "kind") != c.Kind || c.Name != "" && scalarValue(mapValue(ref.node, "metadata"), "name") != c.Name {
		return nil, fmt.Errorf("the object at line %d is not %s %s (the file changed since it was scanned?)", c.Line, c.Kind, c.Name)
	}
	s := &splicer{text: data, lines: lineStarts(data), docs: docs}
	next, changed, err := s.edit(ref.node, segs, e)
	if err != nil {
		return nil, err
	}
	if !changed {
		return data, nil
	}
	if err := verify(docs, ref, segs, e, next); err != nil {
		return nil, err
	}
	return next, nil
}

// verify checks that next parses and holds exactly the objects of before, with the edit made
// to the object ref and nothing else.
func verify(before []*yaml.Node, ref objectRef, segs []segment, e Edit, next []byte) error {
	after, err := parseStream(next)
	if err != nil {
		return fmt.Errorf("the edited text would not parse (%w); left unchanged", err)
	}
	if len(after) != len(before) {
		return errors.New("the edited text would change the documents of the file; left unchanged")
	}
	for i := range before {
		want, err := decodeGeneric(before[i])
		if err != nil {
			return err
		}
		if i == ref.doc {
			obj := want
			if ref.item >= 0 {
				obj = want.(map[string]any)["items"].([]any)[ref.item]
			}
			edited, err := applyGeneric(obj, segs, e.Op, normalize(e.Value))
			if err != nil {
				return err
			}
			if ref.item >= 0 {
				want.(map[string]any)["items"].([]any)[ref.item] = edited
			} else {
				want = edited
			}
		}
		got, err := decodeGeneric(after[i])
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(want, got) {
			return errors.New("the edited text would not read back as the edit alone (an unusual layout); left unchanged")
		}
	}
	return nil
}

// decodeGeneric decodes a node as JSON would hold it (normalize).
func decodeGeneric(n *yaml.Node) (any, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, fmt.Errorf("decoding YAML: %w", err)
	}
	return normalize(v), nil
}

// normalize turns a decoded value into the shapes JSON decodes: maps with string keys, numbers
// as float64, so that values from the YAML decoder and from the edits compare.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case int:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case float32:
		return float64(x)
	}
	return v
}

// applyGeneric makes the edit on a decoded object (the model the spliced text must read back
// as).
func applyGeneric(obj any, segs []segment, op string, value any) (any, error) {
	if len(segs) == 0 {
		if op == OpSet {
			return value, nil
		}
		list, _ := obj.([]any)
		if obj != nil && list == nil {
			return nil, errors.New("not a list")
		}
		for _, x := range list {
			if reflect.DeepEqual(x, value) {
				return list, nil
			}
		}
		return append(list, value), nil
	}
	s := segs[0]
	if s.isIdx {
		list, ok := obj.([]any)
		if !ok || s.index >= len(list) {
			return nil, fmt.Errorf("no item %s", s)
		}
		v, err := applyGeneric(list[s.index], segs[1:], op, value)
		if err != nil {
			return nil, err
		}
		list[s.index] = v
		return list, nil
	}
	m, ok := obj.(map[string]any)
	if obj == nil {
		m, ok = map[string]any{}, true
	}
	if !ok {
		return nil, fmt.Errorf("%s: not a mapping", s)
	}
	v, err := applyGeneric(m[s.key], segs[1:], op, value)
	if err != nil {
		return nil, err
	}
	m[s.key] = v
	return m, nil
}

// lineStarts returns the offset of each line's first byte (index 0 is line 1).
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// splicer edits the text of a stream at the positions of its nodes.
type splicer struct {
	text  []byte
	lines []int
	docs  []*yaml.Node
}

// offset returns the byte offset of a node's position (1-based line, column in characters).
func (s *splicer) offset(line, col int) (int, error) {
	if line < 1 || line > len(s.lines) {
		return 0, fmt.Errorf("line %d out of range", line)
	}
	off := s.lines[line-1]
	for c := 1; c < col; c++ {
		if off >= len(s.text) || s.text[off] == '\n' {
			return 0, fmt.Errorf("column %d out of range on line %d", col, line)
		}
		_, size := utf8.DecodeRune(s.text[off:])
		off += size
	}
	return off, nil
}

// line returns the text of a 1-based line, without its line break.
func (s *splicer) line(n int) string {
	start := s.lines[n-1]
	end := len(s.text)
	if n < len(s.lines) {
		end = s.lines[n] - 1
	}
	return strings.TrimSuffix(string(s.text[start:end]), "\r")
}

// lineEnd returns the offset after line n's line break (or the end of the text).
func (s *splicer) lineEnd(n int) int {
	if n < len(s.lines) {
		return s.lines[n]
	}
	return len(s.text)
}

func (s *splicer) splice(from, to int, insert string) []byte {
	out := make([]byte, 0, len(s.text)+len(insert))
	out = append(out, s.text[:from]...)
	out = append(out, insert...)
	return append(out, s.text[to:]...)
}

// newline is the file's line break ("\r\n" when its first line ends so).
func (s *splicer) newline() string {
	if i := bytes.IndexByte(s.text, '\n'); i > 0 && s.text[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// edit walks segs from obj and splices the edit; changed is false when the value is there
// already.
func (s *splicer) edit(obj *yaml.Node, segs []segment, e Edit) (next []byte, changed bool, err error) {
	cur := obj
	var key *yaml.Node // the key node of cur in its parent mapping, if any
	for i, seg := range segs {
		if err := editable(cur); err != nil {
			return nil, false, fmt.Errorf("at %s: %w", pathString(segs[:i]), err)
		}
		if seg.isIdx {
			if cur.Kind != yaml.SequenceNode || seg.index >= len(cur.Content) {
				return nil, false, fmt.Errorf("no item %s at %s", seg, pathString(segs[:i]))
			}
			key, cur = nil, cur.Content[seg.index]
			continue
		}
		if isNull(cur) {
			v, err := build(segs[i:], e)
			if err != nil {
				return nil, false, err
			}
			out, err := s.replaceNull(key, cur, v)
			return out, err == nil, err
		}
		if cur.Kind != yaml.MappingNode {
			return nil, false, fmt.Errorf("%s is not a mapping", pathString(segs[:i]))
		}
		k, v := lookup(cur, seg.key)
		if v == nil {
			if mapValue(cur, "<<") != nil {
				return nil, false, fmt.Errorf("%s uses a merge key (<<): edit it by hand", pathString(segs[:i]))
			}
			val, err := build(segs[i+1:], e)
			if err != nil {
				return nil, false, err
			}
			out, err := s.insertKey(cur, seg.key, val)
			return out, err == nil, err
		}
		key, cur = k, v
	}
	if err := editable(cur); err != nil {
		return nil, false, fmt.Errorf("at %s: %w", pathString(segs), err)
	}
	value := e.Value
	if e.Op == OpAppend {
		if isNull(cur) {
			out, err := s.replaceNull(key, cur, []any{value})
			return out, err == nil, err
		}
		if cur.Kind != yaml.SequenceNode {
			return nil, false, fmt.Errorf("%s is not a list", pathString(segs))
		}
		for _, item := range cur.Content {
			if got, err := decodeGeneric(item); err == nil && reflect.DeepEqual(got, normalize(value)) {
				return nil, false, nil
			}
		}
		out, err := s.appendItem(key, cur, value)
		return out, err == nil, err
	}
	if got, err := decodeGeneric(cur); err == nil && reflect.DeepEqual(got, normalize(value)) {
		return nil, false, nil
	}
	if isNull(cur) {
		out, err := s.replaceNull(key, cur, value)
		return out, err == nil, err
	}
	if cur.Kind != yaml.ScalarNode {
		return nil, false, fmt.Errorf("%s holds a mapping or a list: replace it by hand", pathString(segs))
	}
	out, err := s.replaceScalar(cur, value)
	return out, err == nil, err
}

func pathString(segs []segment) string {
	if len(segs) == 0 {
		return "the object"
	}
	var b strings.Builder
	for i, s := range segs {
		if !s.isIdx && i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.String())
	}
	return b.String()
}

// editable refuses the nodes an edit must not go through: an alias (the edit would change the
// anchor's other uses) and an anchored node (the same, seen from the anchor), and tagged
// nodes other than the core ones.
func editable(n *yaml.Node) error {
	switch {
	case n.Kind == yaml.AliasNode:
		return errors.New("an alias (*" + n.Value + "): edit the anchor by hand")
	case n.Anchor != "":
		return errors.New("an anchor (&" + n.Anchor + ") that other places may use: edit it by hand")
	case n.Tag != "" && !strings.HasPrefix(n.Tag, "!!"):
		return errors.New("a value with tag " + n.Tag)
	}
	return nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// build returns the value to write at the first of segs: the edit's value under the rest of
// the path, as nested maps (an append makes a one-item list).
func build(segs []segment, e Edit) (any, error) {
	v := e.Value
	if e.Op == OpAppend {
		v = []any{v}
	}
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i].isIdx {
			return nil, fmt.Errorf("no list item %s to edit", segs[i])
		}
		v = map[string]any{segs[i].key: v}
	}
	return v, nil
}
