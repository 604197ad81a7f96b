package bicep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
)

// Why akscheck maps lines itself: the compiler's experimental "sourceMapping" feature
// (bicepconfig.json experimentalFeaturesEnabled.sourceMapping) builds a source map (per
// source file, pairs of source line and template line: Bicep.Core/Emit/SourceAwareJsonTextWriter
// and EmitResult.SourceMap in Azure/bicep) but keeps it in memory for the language tooling;
// bicep build writes only the template. So the compiled template is walked beside the
// .bicep source: resources matched in the order the compiler emits them, properties by key.

// Pos is a place in a .bicep file.
type Pos struct {
	File string
	Line int
}

// SourceMap maps the lines of a compiled template to the .bicep files it came from.
type SourceMap struct {
	lines map[int]Pos
	keys  []int // sorted lines of lines
	root  Pos
}

// At returns where a template line came from: the property or declaration that starts on
// it, else the nearest one above it (a closing bracket belongs to what it closes), else the
// entry file.
func (m *SourceMap) At(line int) Pos {
	if p, ok := m.lines[line]; ok {
		return p
	}
	i := sort.SearchInts(m.keys, line)
	if i > 0 {
		return m.lines[m.keys[i-1]]
	}
	return m.root
}

// jnode is a JSON value with the line it starts on.
type jnode struct {
	line int
	obj  bool
	arr  bool
	keys []string
	vals []*jnode
	str  string
}

func (n *jnode) get(key string) *jnode {
	if n == nil {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// maxJSONDepth bounds the nesting read from compiled JSON.
const maxJSONDepth = 512

// parseLines decodes JSON keeping the line each value (and key) starts on.
func parseLines(data []byte) (*jnode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	lc := lineCounter{data: data, line: 1}
	n, err := decodeNode(dec, &lc, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("compiled template: data after the top-level value")
	}
	return n, nil
}

// lineCounter turns the decoder's offsets (after each token) into lines, counting forward.
type lineCounter struct {
	data []byte
	off  int
	line int
}

func (c *lineCounter) at(off int64) int {
	end := min(int(off), len(c.data))
	// The token ends at end; its line is that of its last byte.
	for ; c.off < end-1; c.off++ {
		if c.data[c.off] == '\n' {
			c.line++
		}
	}
	return c.line
}

func decodeNode(dec *json.Decoder, lc *lineCounter, depth int) (*jnode, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("compiled template nested more than %d deep", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("compiled template: %w", err)
	}
	n := &jnode{line: lc.at(dec.InputOffset())}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.obj = true
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("compiled template: %w", err)
				}
				k, _ := kt.(string)
				v, err := decodeNode(dec, lc, depth+1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.vals = append(n.vals, v)
			}
		case '[':
			n.arr = true
			for dec.More() {
				v, err := decodeNode(dec, lc, depth+1)
				if err != nil {
					return nil, err
				}
				n.vals = append(n.vals, v)
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, fmt.Errorf("compiled template: %w", err)
		}
	case string:
		n.str = t
	}
	return n, nil
}

// ModuleReader reads the .bicep file of a local module, by the path the module declaration
// names relative to the file that declares it; ok false for a registry module or one that
// cannot be read or parsed.
type ModuleReader func(from, path string) (file string, f *File, ok bool)

// Map builds the source map of a template compiled from the .bicep file f (named file).
func Map(compiled []byte, file string, f *File, modules ModuleReader) (*SourceMap, error) {
	t, err := parseLines(compiled)
	if err != nil {
		return nil, err
	}
	m := &SourceMap{lines: map[int]Pos{}, root: Pos{File: file, Line: 1}}
	b := mapper{m: m, modules: modules}
	b.template(t, file, f, 0)
	for l := range m.lines {
		m.keys = append(m.keys, l)
	}
	sort.Ints(m.keys)
	return m, nil
}

type mapper struct {
	m       *SourceMap
	modules ModuleReader
}

// set records where a template line came from; the first (outermost) mapping of a line
// holds, so an inline value does not move its key's line.
func (b *mapper) set(line int, p Pos) {
	if _, ok := b.m.lines[line]; !ok {
		b.m.lines[line] = p
	}
}

// template maps a template (the entry one, or a module's nested template) to its file.
func (b *mapper) template(t *jnode, file string, f *File, depth int) {
	top := Pos{File: file, Line: 1}
	b.set(t.line, top)
	if depth > 16 {
		return
	}
	for i, k := range t.keys {
		v := t.vals[i]
		var decls map[string]int
		switch k {
		case "parameters":
			decls = f.Params
		case "variables":
			decls = f.Vars
		case "outputs":
			decls = f.Outputs
		case "resources":
			b.set(v.line, top)
			b.resources(v, file, f, depth)
			continue
		}
		b.set(v.line, top)
		if v.obj && decls != nil {
			for j, name := range v.keys {
				p := top
				if line, ok := decls[name]; ok {
					p = Pos{File: file, Line: line}
				}
				b.set(v.vals[j].line, p)
			}
		}
	}
}

// resources pairs the template's resources with the declarations. A languageVersion 2.0
// template keys them by symbolic name; otherwise they are paired by type in source order
// (the compiler emits the resources in declaration order, leaving out existing ones, then
// the modules as nested deployments).
func (b *mapper) resources(list *jnode, file string, f *File, depth int) {
	if list.obj {
		for i, sym := range list.keys {
			jr := list.vals[i]
			if r := resourceBySymbol(f, sym); r != nil {
				b.resource(jr, file, r)
				continue
			}
			if mod := moduleBySymbol(f, sym); mod != nil {
				b.module(jr, file, mod, depth)
			}
		}
		return
	}
	queues := map[string][]*Resource{}
	for _, r := range f.Resources {
		if !r.Existing {
			t := strings.ToLower(r.Type)
			queues[t] = append(queues[t], r)
		}
	}
	mods := f.Modules
	for _, jr := range list.vals {
		t := strings.ToLower(jr.get("type").str)
		if q := queues[t]; len(q) > 0 {
			queues[t] = q[1:]
			b.resource(jr, file, q[0])
			continue
		}
		if t == "microsoft.resources/deployments" && len(mods) > 0 {
			b.module(jr, file, mods[0], depth)
			mods = mods[1:]
		}
	}
}

func resourceBySymbol(f *File, sym string) *Resource {
	for _, r := range f.Resources {
		if r.Symbol == sym {
			return r
		}
	}
	return nil
}

func moduleBySymbol(f *File, sym string) *Module {
	for _, m := range f.Modules {
		if m.Symbol == sym {
			return m
		}
	}
	return nil
}

// resource maps a template resource to its declaration: the resource to the declaration
// line, each property to the line of the same key in the body.
func (b *mapper) resource(jr *jnode, file string, r *Resource) {
	decl := Pos{File: file, Line: r.Line}
	b.set(jr.line, decl)
	b.object(jr, r.Body, file, decl)
}

// object maps the properties of a template object to those of a Bicep object literal; a
// property not written in the source (type, apiVersion, dependsOn, a value the compiler
// made) maps to its parent.
func (b *mapper) object(j *jnode, o *Object, file string, parent Pos) {
	for i, k := range j.keys {
		v := j.vals[i]
		prop := o.find(k)
		if prop == nil {
			b.set(v.line, parent)
			b.subtree(v, parent)
			continue
		}
		p := Pos{File: file, Line: prop.Line}
		b.set(v.line, p)
		b.value(v, prop.Value, file, p)
	}
}

// value maps a template value to a Bicep value of the same shape.
func (b *mapper) value(j *jnode, v *Value, file string, at Pos) {
	switch {
	case j.obj && v != nil && v.Obj != nil:
		b.object(j, v.Obj, file, at)
	case j.arr && v != nil && v.Arr != nil:
		for i, e := range j.vals {
			p := at
			var src *Value
			if i < len(v.Arr) {
				src = v.Arr[i]
				p = Pos{File: file, Line: src.Line}
			}
			b.set(e.line, p)
			b.value(e, src, file, p)
		}
	default:
		b.subtree(j, at)
	}
}

// subtree maps every line of a value to one place.
func (b *mapper) subtree(j *jnode, p Pos) {
	b.set(j.line, p)
	for _, v := range j.vals {
		b.subtree(v, p)
	}
}

// module maps a nested deployment to its module declaration: its name and parameters to
// the name and params of the declaration, its template to the module's own file when it is
// a local .bicep file.
func (b *mapper) module(jr *jnode, file string, mod *Module, depth int) {
	decl := Pos{File: file, Line: mod.Line}
	b.set(jr.line, decl)
	for i, k := range jr.keys {
		v := jr.vals[i]
		if k == "name" {
			if p := mod.Body.find("name"); p != nil {
				b.set(v.line, Pos{File: file, Line: p.Line})
				continue
			}
		}
		if k != "properties" || !v.obj {
			b.subtree(v, decl)
			continue
		}
		b.set(v.line, decl)
		var params *Object
		if p := mod.Body.find("params"); p != nil && p.Value != nil {
			params = p.Value.Obj
		}
		for j, pk := range v.keys {
			pv := v.vals[j]
			switch pk {
			case "parameters":
				b.set(pv.line, decl)
				for n, name := range pv.keys {
					p := decl
					if prop := params.find(name); prop != nil {
						p = Pos{File: file, Line: prop.Line}
					}
					b.subtree(pv.vals[n], p)
				}
			case "template":
				if b.modules != nil {
					if mfile, mf, ok := b.modules(file, mod.Path); ok {
						b.template(pv, mfile, mf, depth+1)
						continue
					}
				}
				b.subtree(pv, decl)
			default:
				b.subtree(pv, decl)
			}
		}
	}
}

// LocalModule reports whether a module path names a local file (not a registry or template
// spec reference) and returns it joined to the declaring file's folder.
func LocalModule(from, path string) (string, bool) {
	if strings.HasPrefix(path, "br:") || strings.HasPrefix(path, "br/") || strings.HasPrefix(path, "ts:") || strings.HasPrefix(path, "ts/") || strings.Contains(path, "://") {
		return "", false
	}
	return filepath.Join(filepath.Dir(from), filepath.FromSlash(path)), true
}
