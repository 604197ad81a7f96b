package cluster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	jsonpatch "gopkg.in/evanphx/json-patch.v4"

	"github.com/akscheck/akscheck/internal/report"
)

// The appliers of the round-trip tests: they make a remedy's edits in a file as an operator
// would, at the paths the report names, in the resource that holds the finding's line. An
// edit path is the loader's: dot-separated keys, "[n]" a list position, "[name]" the element
// of a list whose name is name (ARM agentPoolProfiles), "[n]" of a Terraform block the n-th
// block of its type.

// pathStep is one step of an edit path.
type pathStep struct {
	key string
	// index is the "[...]" after the key, "" for none.
	index string
}

func parsePath(path string) ([]pathStep, error) {
	var out []pathStep
	for _, seg := range splitPath(path) {
		st := pathStep{key: seg}
		if i := strings.IndexByte(seg, '['); i >= 0 {
			if !strings.HasSuffix(seg, "]") {
				return nil, fmt.Errorf("bad path segment %q", seg)
			}
			st.key, st.index = seg[:i], seg[i+1:len(seg)-1]
		}
		out = append(out, st)
	}
	return out, nil
}

// splitPath splits at the dots outside brackets.
func splitPath(path string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range path {
		switch r {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				out = append(out, path[start:i])
				start = i + 1
			}
		}
	}
	return append(out, path[start:])
}

// applyJSONEdits makes edits in the resource of a JSON file (az or REST output, a template)
// that holds line (the element of the top-level list, or of a template's resources, whose
// text spans it), each as an RFC 6902 JSON Patch at the property path: "add" operations
// create the objects on the way, then set the value or append it.
func applyJSONEdits(file string, line int, edits []report.Edit) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	for _, e := range edits {
		var doc any
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		if err := d.Decode(&doc); err != nil {
			return err
		}
		prefix, res, err := resourceAt(data, doc, line)
		if err != nil {
			return err
		}
		steps, err := parsePath(e.Path)
		if err != nil {
			return err
		}
		var ops []map[string]any
		if err := patchOps(res, prefix, steps, e.Op, e.Value, &ops); err != nil {
			return fmt.Errorf("%s: %w", e.Path, err)
		}
		raw, err := json.Marshal(ops)
		if err != nil {
			return err
		}
		patch, err := jsonpatch.DecodePatch(raw)
		if err != nil {
			return err
		}
		if data, err = patch.Apply(data); err != nil {
			return fmt.Errorf("%s: %s: %w", e.Path, raw, err)
		}
		var buf bytes.Buffer
		if err := json.Indent(&buf, data, "", "  "); err != nil {
			return err
		}
		data = append(buf.Bytes(), '\n')
	}
	return os.WriteFile(file, data, 0o600)
}

// resourceAt finds the resource object that spans line, and its JSON Pointer.
func resourceAt(data []byte, doc any, line int) (string, map[string]any, error) {
	list, ok := doc.([]any)
	key := ""
	if m, isObj := doc.(map[string]any); isObj {
		if rs, isList := m["resources"].([]any); isList {
			list, ok, key = rs, true, "resources"
		} else {
			return "", m, nil
		}
	}
	if !ok {
		return "", nil, fmt.Errorf("not a list of resources")
	}
	starts, err := elementLines(data, key)
	if err != nil {
		return "", nil, err
	}
	if len(starts) != len(list) {
		return "", nil, fmt.Errorf("%d elements, %d start lines", len(list), len(starts))
	}
	at := -1
	for i, s := range starts {
		if s <= line {
			at = i
		}
	}
	if at < 0 {
		return "", nil, fmt.Errorf("no resource spans line %d", line)
	}
	m, ok := list[at].(map[string]any)
	if !ok {
		return "", nil, fmt.Errorf("resource %d is not an object", at)
	}
	prefix := "/" + strconv.Itoa(at)
	if key != "" {
		prefix = "/" + key + prefix
	}
	return prefix, m, nil
}

// elementLines returns the line on which each element of the top-level list (or of the
// top-level object's list under key) starts.
func elementLines(data []byte, key string) ([]int, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	lineOf := func(off int64) int { return bytes.Count(data[:off], []byte("\n")) + 1 }
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	if key != "" {
		if tok != json.Delim('{') {
			return nil, fmt.Errorf("not an object")
		}
		for {
			k, err := d.Token()
			if err != nil {
				return nil, err
			}
			if k == key {
				if tok, err = d.Token(); err != nil {
					return nil, err
				}
				break
			}
			var skip json.RawMessage
			if err := d.Decode(&skip); err != nil {
				return nil, err
			}
		}
	}
	if tok != json.Delim('[') {
		return nil, fmt.Errorf("not a list")
	}
	var out []int
	for d.More() {
		off := d.InputOffset()
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return nil, err
		}
		// The element starts after the separator and spaces that follow off.
		start := off
		for start < int64(len(data)) && bytes.ContainsRune([]byte(", \t\r\n"), rune(data[start])) {
			start++
		}
		out = append(out, lineOf(start))
	}
	return out, nil
}

// patchOps writes as JSON Patch operations the edit at steps under m, whose JSON Pointer is
// at: an "add" of an empty object for each object missing on the way, then an "add" of the
// value (which replaces a member that is there), or of the value at the end of the list
// ("/-") unless an equal element is there.
func patchOps(m map[string]any, at string, steps []pathStep, op string, v any, ops *[]map[string]any) error {
	st := steps[0]
	ptr := at + "/" + pointerEscape(st.key)
	last := len(steps) == 1
	if st.index != "" {
		list, _ := m[st.key].([]any)
		i := -1
		if n, err := strconv.Atoi(st.index); err == nil {
			i = n
		} else {
			for j, x := range list {
				if o, ok := x.(map[string]any); ok && o["name"] == st.index {
					i = j
				}
			}
		}
		if i < 0 || i >= len(list) {
			return fmt.Errorf("no element [%s] in %s", st.index, st.key)
		}
		ptr += "/" + strconv.Itoa(i)
		if last {
			*ops = append(*ops, map[string]any{"op": "replace", "path": ptr, "value": v})
			return nil
		}
		o, ok := list[i].(map[string]any)
		if !ok {
			return fmt.Errorf("%s[%s] is not an object", st.key, st.index)
		}
		return patchOps(o, ptr, steps[1:], op, v, ops)
	}
	if !last {
		o, ok := m[st.key].(map[string]any)
		if !ok {
			o = map[string]any{}
			*ops = append(*ops, map[string]any{"op": "add", "path": ptr, "value": o})
		}
		return patchOps(o, ptr, steps[1:], op, v, ops)
	}
	if op == "append" {
		list, ok := m[st.key].([]any)
		for _, x := range list {
			if x == v {
				return nil
			}
		}
		if !ok {
			*ops = append(*ops, map[string]any{"op": "add", "path": ptr, "value": []any{}})
		}
		*ops = append(*ops, map[string]any{"op": "add", "path": ptr + "/-", "value": v})
		return nil
	}
	*ops = append(*ops, map[string]any{"op": "add", "path": ptr, "value": v})
	return nil
}

// pointerEscape escapes a key for a JSON Pointer (RFC 6901).
func pointerEscape(key string) string {
	return strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}

// applyHCLEdits makes edits in the Terraform resource block of file that spans line, with
// hclwrite: nested blocks are created on the way, a map value is a nested block of that
// content, other values are attributes.
func applyHCLEdits(file string, line int, edits []report.Edit) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	syn, diags := hclsyntax.ParseConfig(data, file, hcl.InitialPos)
	if diags.HasErrors() {
		return diags
	}
	var labels []string
	for _, b := range syn.Body.(*hclsyntax.Body).Blocks {
		if b.Type == "resource" && b.Range().Start.Line <= line && line <= b.Range().End.Line {
			labels = b.Labels
		}
	}
	if labels == nil {
		return fmt.Errorf("no resource spans line %d", line)
	}
	f, diags := hclwrite.ParseConfig(data, file, hcl.InitialPos)
	if diags.HasErrors() {
		return diags
	}
	res := f.Body().FirstMatchingBlock("resource", labels)
	for _, e := range edits {
		steps, err := parsePath(e.Path)
		if err != nil {
			return err
		}
		if err := setHCL(res.Body(), steps, e.Op, e.Value); err != nil {
			return fmt.Errorf("%s: %w", e.Path, err)
		}
	}
	return os.WriteFile(file, hclwrite.Format(f.Bytes()), 0o600)
}

func setHCL(body *hclwrite.Body, steps []pathStep, op string, v any) error {
	st := steps[0]
	if len(steps) > 1 {
		var blocks []*hclwrite.Block
		for _, b := range body.Blocks() {
			if b.Type() == st.key {
				blocks = append(blocks, b)
			}
		}
		i := 0
		if st.index != "" {
			n, err := strconv.Atoi(st.index)
			if err != nil {
				return err
			}
			i = n
		}
		var b *hclwrite.Block
		switch {
		case i < len(blocks):
			b = blocks[i]
		case i == 0:
			b = body.AppendNewBlock(st.key, nil)
		default:
			return fmt.Errorf("no block %s[%d]", st.key, i)
		}
		return setHCL(b.Body(), steps[1:], op, v)
	}
	if m, ok := v.(map[string]any); ok && op == "block" {
		b := body.FirstMatchingBlock(st.key, nil)
		if b == nil {
			b = body.AppendNewBlock(st.key, nil)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cv, err := ctyOf(m[k])
			if err != nil {
				return err
			}
			b.Body().SetAttributeValue(k, cv)
		}
		return nil
	}
	cv, err := ctyOf(v)
	if err != nil {
		return err
	}
	if op == "append" {
		list := []cty.Value{}
		if a := body.GetAttribute(st.key); a != nil {
			expr, diags := hclsyntax.ParseExpression(a.Expr().BuildTokens(nil).Bytes(), "attr", hcl.InitialPos)
			if diags.HasErrors() {
				return diags
			}
			old, diags := expr.Value(nil)
			if diags.HasErrors() {
				return diags
			}
			for it := old.ElementIterator(); it.Next(); {
				_, x := it.Element()
				list = append(list, x)
			}
		}
		cv = cty.TupleVal(append(list, cv))
	}
	body.SetAttributeValue(st.key, cv)
	return nil
}

// ctyOf converts a JSON value of a report edit.
func ctyOf(v any) (cty.Value, error) {
	switch x := v.(type) {
	case bool:
		return cty.BoolVal(x), nil
	case string:
		return cty.StringVal(x), nil
	case int64:
		return cty.NumberIntVal(x), nil
	case int:
		return cty.NumberIntVal(int64(x)), nil
	case float64:
		return cty.NumberVal(new(big.Float).SetFloat64(x)), nil
	case []any:
		var out []cty.Value
		for _, e := range x {
			c, err := ctyOf(e)
			if err != nil {
				return cty.NilVal, err
			}
			out = append(out, c)
		}
		if len(out) == 0 {
			return cty.EmptyTupleVal, nil
		}
		return cty.TupleVal(out), nil
	case map[string]any:
		out := map[string]cty.Value{}
		for k, e := range x {
			c, err := ctyOf(e)
			if err != nil {
				return cty.NilVal, err
			}
			out[k] = c
		}
		return cty.ObjectVal(out), nil
	}
	return cty.NilVal, fmt.Errorf("value %v (%T) has no HCL form", v, v)
}
