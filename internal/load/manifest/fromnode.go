package manifest

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/akscheck/akscheck/internal/subject"
)

// This file decodes a YAML node tree straight into a typed Go value, with the result
// json.Unmarshal(toJSON(n)) gives, without writing the JSON of the whole object (issue 18:
// the JSON round trip cost a fifth of a scan's CPU and much of its garbage). It follows
// encoding/json's decoder (decode.go) step by step: the same field matching (json tags,
// embedded structs, case-insensitive names), the same reuse of existing values, the same
// handling of null; types with their own JSON form (json.Unmarshaler: Quantity,
// IntOrString, Time, RawExtension...) get the JSON of their subtree only.
//
// It only ever succeeds where the JSON path succeeds with the same value. Everything else
// (aliases and merge keys, which the JSON path expands within a budget; a duplicate key, a
// too deep tree, a field that does not take the value, a type it does not handle) makes it
// give up, and the caller runs the JSON path, which then produces the exact error and line.

// errNeedsJSON is the direct decoder giving up: the JSON path decides.
var errNeedsJSON = errors.New("needs the JSON path")

// directDecodable reports whether toJSON converts n without an error and without aliases or
// merge keys. Without aliases the JSON stays within toJSON's budget: it is at most about 7
// times the document (a one-byte "<" is written "\u003c" with its quotes), far below the 16
// times the budget allows, so only the depth, the keys and the duplicates can fail, checked
// here as toJSON checks them.
func directDecodable(n *yaml.Node, depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return true
	case yaml.SequenceNode:
		for _, e := range n.Content {
			if !directDecodable(e, depth+1) {
				return false
			}
		}
		return true
	case yaml.MappingNode:
		if len(n.Content)%2 != 0 {
			return false
		}
		for i := 0; i < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				return false
			}
		}
		if hasDuplicateKey(n) {
			return false
		}
		for i := 1; i < len(n.Content); i += 2 {
			if !directDecodable(n.Content[i], depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// hasDuplicateKey reports a key written twice in a mapping, without allocating for the
// small mappings that objects are made of.
func hasDuplicateKey(n *yaml.Node) bool {
	pairs := len(n.Content) / 2
	if pairs <= 16 {
		for i := 2; i < len(n.Content); i += 2 {
			for j := 0; j < i; j += 2 {
				if n.Content[i].Value == n.Content[j].Value {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, pairs)
	for i := 0; i < len(n.Content); i += 2 {
		if _, dup := seen[n.Content[i].Value]; dup {
			return true
		}
		seen[n.Content[i].Value] = struct{}{}
	}
	return false
}

// decodeNode decodes the mapping n into typed (a pointer), as json.Unmarshal of toJSON(n)
// would. Any error means: use the JSON path (see the top of this file).
func decodeNode(n *yaml.Node, typed any) (err error) {
	if !directDecodable(n, 0) {
		return errNeedsJSON
	}
	defer func() {
		// A panic (in an UnmarshalJSON, say) is the JSON path's to report.
		if r := recover(); r != nil {
			err = errNeedsJSON
		}
	}()
	rv := reflect.ValueOf(typed)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errNeedsJSON
	}
	return nodeValue(n, rv, 0)
}

func nodeValue(n *yaml.Node, v reflect.Value, depth int) error {
	if !v.IsValid() {
		return nil // a value no field takes: skipped
	}
	switch n.Kind {
	case yaml.SequenceNode:
		return nodeArray(n, v, depth)
	case yaml.MappingNode:
		return nodeObject(n, v, depth)
	case yaml.ScalarNode:
		return nodeLiteral(n, v)
	}
	return errNeedsJSON
}

// subtreeJSON is the JSON an Unmarshaler would have been given: the subtree's part of
// toJSON's output.
func subtreeJSON(n *yaml.Node, depth int) ([]byte, error) {
	c := &converter{budget: math.MaxInt}
	if err := c.node(n, depth); err != nil {
		return nil, errNeedsJSON
	}
	return c.buf.Bytes(), nil
}

// container resolves the value a mapping or sequence node decodes into, as encoding/json's
// array and object do: a json.Unmarshaler takes the subtree's JSON (done is true), a
// TextUnmarshaler cannot take a container (the JSON path names the error), anything else is
// decoded into pv.
func container(n *yaml.Node, v reflect.Value, depth int) (pv reflect.Value, done bool, err error) {
	u, ut, pv := indirect(v, false)
	if u != nil {
		data, err := subtreeJSON(n, depth)
		if err != nil {
			return pv, true, err
		}
		return pv, true, u.UnmarshalJSON(data)
	}
	if ut != nil {
		return pv, true, errNeedsJSON
	}
	return pv, false, nil
}

func nodeArray(n *yaml.Node, v reflect.Value, depth int) error {
	v, done, err := container(n, v, depth)
	if done {
		return err
	}
	switch v.Kind() {
	case reflect.Array, reflect.Slice:
	case reflect.Interface:
		if v.NumMethod() != 0 {
			return errNeedsJSON
		}
		ai, err := arrayInterface(n)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(ai))
		return nil
	default:
		return errNeedsJSON
	}
	if v.Kind() == reflect.Slice && v.Cap() < len(n.Content) {
		// One allocation where encoding/json grows element by element; the length and
		// the elements are the same.
		v.Grow(len(n.Content) - v.Len())
	}
	i := 0
	for _, e := range n.Content {
		if v.Kind() == reflect.Slice && i >= v.Len() {
			v.SetLen(i + 1)
		}
		if i < v.Len() {
			if err := nodeValue(e, v.Index(i), depth+1); err != nil {
				return err
			}
		}
		i++
	}
	if i < v.Len() {
		if v.Kind() == reflect.Array {
			for ; i < v.Len(); i++ {
				v.Index(i).SetZero()
			}
		} else {
			v.SetLen(i)
		}
	}
	if i == 0 && v.Kind() == reflect.Slice {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	}
	return nil
}

func nodeObject(n *yaml.Node, v reflect.Value, depth int) error {
	v, done, err := container(n, v, depth)
	if done {
		return err
	}
	t := v.Type()
	if v.Kind() == reflect.Interface && v.NumMethod() == 0 {
		oi, err := objectInterface(n)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(oi))
		return nil
	}
	var fields *structFields
	switch v.Kind() {
	case reflect.Map:
		// Only string keys: the integer and TextUnmarshaler keys encoding/json also takes
		// are left to it.
		if t.Key().Kind() != reflect.String || reflect.PointerTo(t.Key()).Implements(textUnmarshalerType) {
			return errNeedsJSON
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(t, len(n.Content)/2))
		}
	case reflect.Struct:
		if fields = knownStructs()[t]; fields == nil {
			return errNeedsJSON
		}
	default:
		return errNeedsJSON
	}
	var mapElem reflect.Value
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := jsonString(n.Content[i].Value)
		var subv reflect.Value
		if v.Kind() == reflect.Map {
			if !mapElem.IsValid() {
				mapElem = reflect.New(t.Elem()).Elem()
			} else {
				mapElem.SetZero()
			}
			subv = mapElem
		} else {
			f := fields.byExactName[key]
			if f == nil {
				f = fields.byFoldedName[string(foldName([]byte(key)))]
			}
			if f != nil {
				if f.quoted {
					return errNeedsJSON
				}
				subv = v
				for _, ind := range f.index {
					if subv.Kind() == reflect.Pointer {
						if subv.IsNil() {
							if !subv.CanSet() {
								return errNeedsJSON
							}
							subv.Set(reflect.New(subv.Type().Elem()))
						}
						subv = subv.Elem()
					}
					subv = subv.Field(ind)
				}
			}
		}
		if err := nodeValue(n.Content[i+1], subv, depth+1); err != nil {
			return err
		}
		if v.Kind() == reflect.Map {
			kv := reflect.New(t.Key()).Elem()
			kv.SetString(key)
			v.SetMapIndex(kv, subv)
		}
	}
	return nil
}

// scalarKind is the JSON kind toJSON writes a YAML scalar as.
type scalarKind uint8

const (
	jsonNull scalarKind = iota
	jsonBool
	jsonNumber
	jsonStr
)

// scalarJSON returns what toJSON writes for a scalar (it is toJSON's conversion): its kind
// and, for a null, a bool or a number, its JSON text; for a string, the string as JSON
// decodes it back.
func scalarJSON(n *yaml.Node) (scalarKind, string) {
	switch n.ShortTag() {
	case "!!null":
		return jsonNull, "null"
	case "!!bool":
		if b, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
			return jsonBool, strconv.FormatBool(b)
		}
	case "!!int":
		if s, ok := intJSON(n.Value); ok {
			return jsonNumber, s
		}
	case "!!float":
		if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil &&
			!math.IsInf(f, 0) && !math.IsNaN(f) {
			return jsonNumber, strconv.FormatFloat(f, 'g', -1, 64)
		}
	}
	return jsonStr, jsonString(n.Value)
}

// jsonString is s as it reads back from writeString's JSON: each invalid UTF-8 byte becomes
// U+FFFD.
func jsonString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r) // RuneError for an invalid byte
		i += size
	}
	return b.String()
}

func nodeLiteral(n *yaml.Node, v reflect.Value) error {
	kind, text := scalarJSON(n)
	u, ut, pv := indirect(v, kind == jsonNull)
	if u != nil {
		if _, ok := u.(*resource.Quantity); ok {
			written := text
			if kind == jsonStr {
				written = n.Value
			}
			if subject.CheckQuantityText(written) != nil {
				return errNeedsJSON // which names the field (subject.QuantityError)
			}
		}
		if kind == jsonStr {
			var b bytes.Buffer
			writeString(&b, n.Value) // the bytes toJSON writes
			return u.UnmarshalJSON(b.Bytes())
		}
		return u.UnmarshalJSON([]byte(text))
	}
	if ut != nil {
		if kind != jsonStr {
			return errNeedsJSON
		}
		return ut.UnmarshalText([]byte(text))
	}
	v = pv
	switch kind {
	case jsonNull:
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice:
			v.SetZero()
		}
	case jsonBool:
		value := text == "true"
		switch v.Kind() {
		default:
			return errNeedsJSON
		case reflect.Bool:
			v.SetBool(value)
		case reflect.Interface:
			if v.NumMethod() != 0 {
				return errNeedsJSON
			}
			v.Set(reflect.ValueOf(value))
		}
	case jsonStr:
		switch v.Kind() {
		default:
			return errNeedsJSON
		case reflect.Slice:
			if v.Type().Elem().Kind() != reflect.Uint8 {
				return errNeedsJSON
			}
			b := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
			n, err := base64.StdEncoding.Decode(b, []byte(text))
			if err != nil {
				return errNeedsJSON
			}
			v.SetBytes(b[:n])
		case reflect.String:
			if v.Type() == numberType {
				return errNeedsJSON
			}
			v.SetString(text)
		case reflect.Interface:
			if v.NumMethod() != 0 {
				return errNeedsJSON
			}
			v.Set(reflect.ValueOf(text))
		}
	case jsonNumber:
		switch v.Kind() {
		default:
			if v.Kind() == reflect.String && v.Type() == numberType {
				v.SetString(text)
				break
			}
			return errNeedsJSON
		case reflect.Interface:
			f, err := strconv.ParseFloat(text, 64)
			if err != nil || v.NumMethod() != 0 {
				return errNeedsJSON
			}
			v.Set(reflect.ValueOf(f))
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			i, err := strconv.ParseInt(text, 10, 64)
			if err != nil || v.OverflowInt(i) {
				return errNeedsJSON
			}
			v.SetInt(i)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			i, err := strconv.ParseUint(text, 10, 64)
			if err != nil || v.OverflowUint(i) {
				return errNeedsJSON
			}
			v.SetUint(i)
		case reflect.Float32, reflect.Float64:
			f, err := strconv.ParseFloat(text, v.Type().Bits())
			if err != nil || v.OverflowFloat(f) {
				return errNeedsJSON
			}
			v.SetFloat(f)
		}
	}
	return nil
}

// valueInterface, arrayInterface and objectInterface build what encoding/json stores in an
// empty interface: map[string]any, []any, float64, string, bool or nil.
func valueInterface(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.SequenceNode:
		return arrayInterface(n)
	case yaml.MappingNode:
		return objectInterface(n)
	case yaml.ScalarNode:
		kind, text := scalarJSON(n)
		switch kind {
		case jsonNull:
			return nil, nil
		case jsonBool:
			return text == "true", nil
		case jsonNumber:
			f, err := strconv.ParseFloat(text, 64)
			if err != nil {
				return nil, errNeedsJSON
			}
			return f, nil
		default:
			return text, nil
		}
	}
	return nil, errNeedsJSON
}

func arrayInterface(n *yaml.Node) ([]any, error) {
	v := make([]any, 0)
	for _, e := range n.Content {
		x, err := valueInterface(e)
		if err != nil {
			return nil, err
		}
		v = append(v, x)
	}
	return v, nil
}

func objectInterface(n *yaml.Node) (map[string]any, error) {
	m := make(map[string]any)
	for i := 0; i+1 < len(n.Content); i += 2 {
		x, err := valueInterface(n.Content[i+1])
		if err != nil {
			return nil, err
		}
		m[jsonString(n.Content[i].Value)] = x
	}
	return m, nil
}

var (
	numberType          = reflect.TypeFor[json.Number]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// indirect is encoding/json's: it walks down v allocating pointers as needed, until it gets
// to a non-pointer, and stops at an Unmarshaler or a TextUnmarshaler. With decodingNull it
// stops at the first settable pointer so that it can be set to nil.
func indirect(v reflect.Value, decodingNull bool) (json.Unmarshaler, encoding.TextUnmarshaler, reflect.Value) {
	v0 := v
	haveAddr := false
	if v.Kind() != reflect.Pointer && v.Type().Name() != "" && v.CanAddr() {
		haveAddr = true
		v = v.Addr()
	}
	for {
		if v.Kind() == reflect.Interface && !v.IsNil() {
			e := v.Elem()
			if e.Kind() == reflect.Pointer && !e.IsNil() && (!decodingNull || e.Elem().Kind() == reflect.Pointer) {
				haveAddr = false
				v = e
				continue
			}
		}
		if v.Kind() != reflect.Pointer {
			break
		}
		if decodingNull && v.CanSet() {
			break
		}
		if v.Elem().Kind() == reflect.Interface && v.Elem().Elem().Equal(v) {
			v = v.Elem()
			break
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		if v.Type().NumMethod() > 0 && v.CanInterface() {
			if u, ok := reflect.TypeAssert[json.Unmarshaler](v); ok {
				return u, nil, reflect.Value{}
			}
			if !decodingNull {
				if u, ok := reflect.TypeAssert[encoding.TextUnmarshaler](v); ok {
					return nil, u, reflect.Value{}
				}
			}
		}
		if haveAddr {
			v = v0
			haveAddr = false
		} else {
			v = v.Elem()
		}
	}
	return nil, nil, v
}

// jsonField is a struct field as encoding/json sees it.
type jsonField struct {
	name   string
	tag    bool
	index  []int
	typ    reflect.Type
	quoted bool
}

type structFields struct {
	list         []jsonField
	byExactName  map[string]*jsonField
	byFoldedName map[string]*jsonField
}

// knownStructs holds the fields of every struct type reachable from the typed kinds, built on
// first use and only read after. A struct type outside it (behind a non-empty interface,
// say) sends the object down the JSON path.
var knownStructs = sync.OnceValue(func() map[reflect.Type]*structFields {
	known := map[reflect.Type]*structFields{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(t.Elem())
		case reflect.Map:
			walk(t.Key())
			walk(t.Elem())
		case reflect.Struct:
			if _, seen := known[t]; seen {
				return
			}
			known[t] = typeFields(t)
			for i := 0; i < t.NumField(); i++ {
				walk(t.Field(i).Type)
			}
		}
	}
	for _, k := range subject.TypedKinds() {
		walk(reflect.TypeOf(subject.NewTyped(k[0], k[1])))
	}
	return known
})

// typeFields is encoding/json's (encode.go): the fields JSON names, with Go's rules for
// embedded structs, except that fields with JSON tags are promoted.
func typeFields(t reflect.Type) *structFields {
	current := []jsonField{}
	next := []jsonField{{typ: t}}
	var count, nextCount map[reflect.Type]int
	visited := map[reflect.Type]bool{}
	var fields []jsonField
	for len(next) > 0 {
		current, next = next, current[:0]
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, f := range current {
			if visited[f.typ] {
				continue
			}
			visited[f.typ] = true
			for i := 0; i < f.typ.NumField(); i++ {
				sf := f.typ.Field(i)
				if sf.Anonymous {
					t := sf.Type
					if t.Kind() == reflect.Pointer {
						t = t.Elem()
					}
					if !sf.IsExported() && t.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !isValidTag(name) {
					name = ""
				}
				index := make([]int, len(f.index)+1)
				copy(index, f.index)
				index[len(f.index)] = i
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				quoted := false
				if tagContains(opts, "string") {
					switch ft.Kind() {
					case reflect.Bool,
						reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
						reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
						reflect.Float32, reflect.Float64,
						reflect.String:
						quoted = true
					}
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					tagged := name != ""
					if name == "" {
						name = sf.Name
					}
					fields = append(fields, jsonField{name: name, tag: tagged, index: index, typ: ft, quoted: quoted})
					if count[f.typ] > 1 {
						fields = append(fields, fields[len(fields)-1])
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, jsonField{name: ft.Name(), index: index, typ: ft})
				}
			}
		}
	}
	slices.SortFunc(fields, func(a, b jsonField) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := len(a.index) - len(b.index); c != 0 {
			return c
		}
		if a.tag != b.tag {
			if a.tag {
				return -1
			}
			return +1
		}
		return slices.Compare(a.index, b.index)
	})
	out := fields[:0]
	for advance, i := 0, 0; i < len(fields); i += advance {
		fi := fields[i]
		for advance = 1; i+advance < len(fields); advance++ {
			if fields[i+advance].name != fi.name {
				break
			}
		}
		if advance == 1 {
			out = append(out, fi)
			continue
		}
		// Two fields at the same depth, both tagged or neither: neither is decoded.
		dup := fields[i : i+advance]
		if len(dup[0].index) == len(dup[1].index) && dup[0].tag == dup[1].tag {
			continue
		}
		out = append(out, dup[0])
	}
	fields = out
	slices.SortFunc(fields, func(a, b jsonField) int { return slices.Compare(a.index, b.index) })
	sf := &structFields{list: fields, byExactName: make(map[string]*jsonField, len(fields)),
		byFoldedName: make(map[string]*jsonField, len(fields))}
	for i := range fields {
		sf.byExactName[fields[i].name] = &fields[i]
		// As in encoding/json, the first folded match takes precedence.
		folded := string(foldName([]byte(fields[i].name)))
		if _, ok := sf.byFoldedName[folded]; !ok {
			sf.byFoldedName[folded] = &fields[i]
		}
	}
	return sf
}

func tagContains(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

func isValidTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// foldName is encoding/json's: foldName(x) == foldName(y) exactly when bytes.EqualFold(x, y).
func foldName(in []byte) []byte {
	var arr [32]byte
	out := arr[:0]
	for i := 0; i < len(in); {
		if c := in[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(in[i:])
		out = utf8.AppendRune(out, foldRune(r))
		i += size
	}
	return out
}

func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}
