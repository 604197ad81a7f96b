package terraform

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/akscheck/akscheck/internal/load/jsonvalue"
	"github.com/akscheck/akscheck/internal/subject"
)

// tval is one attribute: its value as plain Go (string, bool, float64, []any,
// map[string]any), its state, where it is written, and the resources it refers to.
type tval struct {
	v     any
	state subject.State
	loc   subject.Location
	refs  []string
}

// tblock is a resource or a nested block, from HCL or from a plan's JSON values alike.
type tblock struct {
	typ    string
	labels []string
	attrs  map[string]*tval
	blocks map[string][]*tblock
	// dynamic are block types written with dynamic blocks: their content is unknown.
	dynamic map[string]bool
	loc     subject.Location
	// path is the block's path inside its resource as the input spells it
	// (default_node_pool.upgrade_settings; in a plan's values default_node_pool[0]), "" for
	// the resource itself. setPaths fills it and the paths of the attributes.
	path string
	// plan is true for a plan's values, whose nested blocks are lists.
	plan bool
	// v3 is true when the module is written for azurerm v3: an absent setting is then named
	// by its v3 attribute.
	v3 bool
	// absent is true for a block that is not written (see nested).
	absent bool
}

// setPaths names the block and everything in it, from the path of the block.
func (b *tblock) setPaths(path string, plan, v3 bool, depth int) {
	b.path, b.plan, b.v3 = path, plan, v3
	for name, a := range b.attrs {
		a.loc.Path = b.child(name)
	}
	if depth > 16 {
		return
	}
	for name, bs := range b.blocks {
		for i, nb := range bs {
			p := b.child(name)
			if plan || len(bs) > 1 {
				p += "[" + strconv.Itoa(i) + "]"
			}
			nb.setPaths(p, plan, v3, depth+1)
		}
	}
}

// child is the path of an attribute or block of the block.
func (b *tblock) child(name string) string {
	if b.path == "" {
		return name
	}
	return b.path + "." + name
}

// at is where the block is written, with its path.
func (b *tblock) at() subject.Location {
	loc := b.loc
	loc.Path = b.path
	return loc
}

func newBlock(typ string, loc subject.Location) *tblock {
	return &tblock{typ: typ, attrs: map[string]*tval{}, blocks: map[string][]*tblock{}, dynamic: map[string]bool{}, loc: loc}
}

// attr returns the first attribute of the names given (the azurerm v4 name first, then
// the v3 one); an absent one points at the block, with the path it would have (its v3 name
// in a v3 module).
func (b *tblock) attr(names ...string) *tval {
	if b == nil {
		return &tval{state: subject.Absent}
	}
	for _, n := range names {
		if a, ok := b.attrs[n]; ok {
			return a
		}
	}
	name := names[0]
	if b.v3 && len(names) > 1 {
		name = names[1]
	}
	loc := b.loc
	loc.Path = b.child(name)
	return &tval{state: subject.Absent, loc: loc}
}

// block returns the first nested block of a type, or nil.
func (b *tblock) block(name string) *tblock {
	if b == nil || b.absent {
		return nil
	}
	if bs := b.blocks[name]; len(bs) > 0 {
		return bs[0]
	}
	return nil
}

// nested returns the first nested block of a type or, when there is none, an empty absent
// block at b with the path the block would have.
func (b *tblock) nested(name string) *tblock {
	if nb := b.block(name); nb != nil {
		return nb
	}
	nb := newBlock(name, b.loc)
	nb.path, nb.plan, nb.v3, nb.absent = b.child(name), b.plan, b.v3, true
	if b.plan {
		nb.path += "[0]"
	}
	return nb
}

func (a *tval) base() subject.Attr {
	return subject.Attr{State: a.state, Loc: a.loc}
}

func (a *tval) str() subject.String {
	out := subject.String{Attr: a.base()}
	if a.state != subject.Known {
		return out
	}
	if a.v == nil {
		out.State = subject.Absent
		return out
	}
	v, ok := jsonvalue.Scalar(a.v)
	if !ok {
		out.State = subject.Unknown
	}
	out.V = v
	return out
}

func (a *tval) boolean() subject.Bool {
	out := subject.Bool{Attr: a.base()}
	if a.state != subject.Known {
		return out
	}
	switch t := a.v.(type) {
	case nil:
		out.State = subject.Absent
	case bool:
		out.V = t
	case string:
		b, err := strconv.ParseBool(t)
		if err != nil {
			out.State = subject.Unknown
		}
		out.V = b
	default:
		out.State = subject.Unknown
	}
	return out
}

func (a *tval) integer() subject.Int {
	out := subject.Int{Attr: a.base()}
	if a.state != subject.Known {
		return out
	}
	switch t := a.v.(type) {
	case nil:
		out.State = subject.Absent
	case float64:
		out.V = int64(t)
	case string:
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			out.State = subject.Unknown
		}
		out.V = int64(f)
	default:
		out.State = subject.Unknown
	}
	return out
}

func (a *tval) list() subject.List {
	out := subject.List{Attr: a.base()}
	if a.state != subject.Known {
		return out
	}
	switch t := a.v.(type) {
	case nil:
		out.State = subject.Absent
	case []any:
		out.V = []string{}
		for _, x := range t {
			s, ok := jsonvalue.Scalar(x)
			if !ok {
				out.State = subject.Unknown
				continue
			}
			out.V = append(out.V, s)
		}
	default:
		out.State = subject.Unknown
	}
	return out
}

func (a *tval) tags() subject.Tags {
	out := subject.Tags{Attr: a.base()}
	if a.state != subject.Known {
		return out
	}
	switch t := a.v.(type) {
	case nil:
		out.State = subject.Absent
	case map[string]any:
		out.V = map[string]subject.String{}
		for k, x := range t {
			s := subject.String{Attr: a.base()}
			switch xv := x.(type) {
			case unknownValue:
				s.State = subject.Unknown
			case nil:
				s.State = subject.Absent
			default:
				s.V, _ = jsonvalue.Scalar(xv)
			}
			out.V[k] = s
		}
	default:
		out.State = subject.Unknown
	}
	return out
}

// unknownValue marks an unknown element inside a partly known collection.
type unknownValue struct{}

// fromCty converts an evaluated value. The second result is false when any part of it is
// unknown at the top level.
func fromCty(v cty.Value, depth int) (any, bool) {
	if depth > 64 {
		return nil, false
	}
	if !v.IsKnown() {
		return unknownValue{}, false
	}
	if v.IsNull() {
		return nil, true
	}
	v, _ = v.Unmark()
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString(), true
	case t == cty.Bool:
		return v.True(), true
	case t == cty.Number:
		f, _ := v.AsBigFloat().Float64()
		return f, true
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		out := []any{}
		known := true
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			x, ok := fromCty(ev, depth+1)
			known = known && ok
			out = append(out, x)
		}
		return out, known
	case t.IsMapType() || t.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			// Unknown map values are kept as unknownValue: the other keys stay usable.
			x, _ := fromCty(ev, depth+1)
			out[k.AsString()] = x
		}
		return out, true
	}
	return nil, false
}

// fromPlanValues builds a block from a plan's JSON values: lists of objects are nested
// blocks, everything else attributes. unknown is the matching after_unknown tree.
func fromPlanValues(typ string, values map[string]any, unknown any, loc subject.Location, depth int) *tblock {
	b := newBlock(typ, loc)
	um, _ := unknown.(map[string]any)
	keys := make([]string, 0, len(values)+len(um))
	for k := range values {
		keys = append(keys, k)
	}
	for k := range um {
		if _, ok := values[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, has := values[k]
		u := um[k]
		if ub, ok := u.(bool); ok && ub {
			b.attrs[k] = &tval{state: subject.Unknown, loc: loc}
			continue
		}
		if !has {
			continue
		}
		if list, ok := v.([]any); ok && len(list) > 0 && depth < 16 {
			if _, isObj := list[0].(map[string]any); isObj {
				ul, _ := u.([]any)
				for i, x := range list {
					m, _ := x.(map[string]any)
					var ux any
					if i < len(ul) {
						ux = ul[i]
					}
					b.blocks[k] = append(b.blocks[k], fromPlanValues(k, m, ux, loc, depth+1))
				}
				continue
			}
		}
		b.attrs[k] = &tval{v: v, state: subject.Known, loc: loc}
		if v == nil {
			b.attrs[k].state = subject.Absent
		}
	}
	return b
}

// address is the Terraform address of a resource block.
func (b *tblock) address() string {
	if len(b.labels) >= 2 {
		return b.labels[0] + "." + b.labels[1]
	}
	return strings.Join(b.labels, ".")
}

func (b *tblock) String() string { return fmt.Sprintf("%s %v", b.typ, b.labels) }
