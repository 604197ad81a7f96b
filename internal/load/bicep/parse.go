package bicep

import (
	"fmt"
	"strings"
)

// File is what akscheck reads of a .bicep file: where its declarations and their properties
// are written, enough to map a compiled template's lines back to it. Expressions are not
// evaluated: the compiler did that.
type File struct {
	// Params, Vars and Outputs are the lines of the declarations, by name.
	Params, Vars, Outputs map[string]int
	// Resources are the resource declarations in source order, a nested resource right after
	// the ones before it in its parent's body (the order the compiler emits them in).
	Resources []*Resource
	// Modules are the module declarations in source order.
	Modules []*Module
}

// Resource is one resource declaration.
type Resource struct {
	// Symbol is the symbolic name; a nested resource's is qualified by its parents'
	// ("aks::pool"), as in languageVersion 2.0 templates.
	Symbol string
	// Type is the full resource type without the API version (a nested resource's relative
	// type is joined to its parent's).
	Type     string
	Line     int
	Existing bool
	// Body is the resource's object (inside any loop or condition); nil when the body is
	// not an object literal.
	Body *Object
}

// Module is one module declaration.
type Module struct {
	Symbol string
	// Path is the module's source as written: a relative .bicep/.json path, or a registry
	// reference (br:, br/, ts:).
	Path string
	Line int
	Body *Object
}

// Object is an object literal: its properties in order.
type Object struct {
	Line  int
	Props []Prop
}

// Prop is one property of an object.
type Prop struct {
	Key   string
	Line  int
	Value *Value
}

// Value is a property value or array element: an object, an array or another expression.
type Value struct {
	Line int
	Obj  *Object
	Arr  []*Value
}

// find returns the property of a key: exact, else ignoring case (ARM keys are
// case-insensitive, and the compiler writes them as the source does).
func (o *Object) find(key string) *Prop {
	if o == nil {
		return nil
	}
	for i := range o.Props {
		if o.Props[i].Key == key {
			return &o.Props[i]
		}
	}
	for i := range o.Props {
		if strings.EqualFold(o.Props[i].Key, key) {
			return &o.Props[i]
		}
	}
	return nil
}

// maxNesting bounds the nesting of objects, arrays and parentheses the parser follows.
const maxNesting = 256

// parser reads declarations from tokens. It is lenient past what it needs: an expression is
// skipped to its end (a newline, comma or closing bracket at its own depth), whatever its
// operators.
type parser struct {
	toks  []token
	pos   int
	f     *File
	depth int
}

// Parse reads a .bicep file's declarations. An error names the line.
func Parse(src []byte) (*File, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, f: &File{Params: map[string]int{}, Vars: map[string]int{}, Outputs: map[string]int{}}}
	if err := p.file(); err != nil {
		return nil, err
	}
	return p.f, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) advance() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tPunct && t.text == s
}

func (p *parser) skipNewlines() {
	for p.peek().kind == tNewline {
		p.pos++
	}
}

func (p *parser) errorf(t token, format string, a ...any) error {
	return fmt.Errorf("line %d: %s", t.line, fmt.Sprintf(format, a...))
}

// file reads the top-level statements.
func (p *parser) file() error {
	for {
		p.skipNewlines()
		t := p.peek()
		if t.kind == tEOF {
			return nil
		}
		if t.kind == tPunct && t.text == "@" {
			if err := p.decorator(); err != nil {
				return err
			}
			continue
		}
		if t.kind != tIdent {
			return p.errorf(t, "expected a declaration, found %q", t.text)
		}
		var err error
		switch t.text {
		case "resource":
			p.advance()
			err = p.resource(nil)
		case "module":
			p.advance()
			err = p.module()
		case "param", "var", "output":
			p.advance()
			name := p.peek()
			if name.kind == tIdent {
				switch t.text {
				case "param":
					p.f.Params[name.text] = t.line
				case "var":
					p.f.Vars[name.text] = t.line
				default:
					p.f.Outputs[name.text] = t.line
				}
			}
			err = p.skipExpr()
		default:
			// targetScope, metadata, import, type, func, extension, using, assert...: not
			// read; skipped to the end of the statement.
			err = p.skipExpr()
		}
		if err != nil {
			return err
		}
	}
}

// decorator skips "@name(args)" or "@ns.name(args)".
func (p *parser) decorator() error {
	p.advance() // @
	for p.peek().kind == tIdent || p.isPunct(".") {
		p.advance()
	}
	if p.isPunct("(") {
		return p.skipBalanced()
	}
	return nil
}

// resource reads "resource sym 'type@version' [existing] = body" (the keyword read).
func (p *parser) resource(parent *Resource) error {
	kw := p.toks[p.pos-1]
	sym := p.advance()
	if sym.kind != tIdent {
		return p.errorf(sym, "expected the resource's symbolic name")
	}
	typ := p.advance()
	if typ.kind != tString || typ.interp {
		return p.errorf(typ, "expected the resource type as a string")
	}
	r := &Resource{Symbol: sym.text, Line: kw.line}
	t := typ.text
	if i := strings.IndexByte(t, '@'); i >= 0 {
		t = t[:i]
	}
	if parent != nil {
		r.Symbol = parent.Symbol + "::" + sym.text
		if !strings.Contains(t, "/") || !strings.Contains(t, ".") {
			t = parent.Type + "/" + t
		}
	}
	r.Type = t
	if p.peek().kind == tIdent && p.peek().text == "existing" {
		p.advance()
		r.Existing = true
	}
	if !p.isPunct("=") {
		return p.errorf(p.peek(), "expected = after the resource type")
	}
	p.advance()
	// Appended before its body: nested resources come after their parent.
	p.f.Resources = append(p.f.Resources, r)
	v, err := p.value(r)
	if err != nil {
		return err
	}
	r.Body = v.Obj
	return nil
}

// module reads "module sym 'path' = body" (the keyword read).
func (p *parser) module() error {
	kw := p.toks[p.pos-1]
	sym := p.advance()
	if sym.kind != tIdent {
		return p.errorf(sym, "expected the module's symbolic name")
	}
	path := p.advance()
	if path.kind != tString || path.interp {
		return p.errorf(path, "expected the module path as a string")
	}
	if !p.isPunct("=") {
		return p.errorf(p.peek(), "expected = after the module path")
	}
	p.advance()
	m := &Module{Symbol: sym.text, Path: path.text, Line: kw.line}
	p.f.Modules = append(p.f.Modules, m)
	v, err := p.value(nil)
	if err != nil {
		return err
	}
	m.Body = v.Obj
	return nil
}

// value reads an expression. An object or array literal is read property by property; a
// loop "[for x in xs: body]" or a condition "if (c) body" is read as its body. owner is the
// resource whose body this may be (its nested resource declarations are read), or nil.
func (p *parser) value(owner *Resource) (*Value, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, p.errorf(p.peek(), "nested more than %d deep", maxNesting)
	}
	t := p.peek()
	switch {
	case t.kind == tIdent && t.text == "if":
		p.advance()
		if !p.isPunct("(") {
			return nil, p.errorf(p.peek(), "expected ( after if")
		}
		if err := p.skipBalanced(); err != nil {
			return nil, err
		}
		p.skipNewlines()
		return p.value(owner)
	case t.kind == tPunct && t.text == "{":
		o, err := p.object(owner)
		if err != nil {
			return nil, err
		}
		return &Value{Line: t.line, Obj: o}, p.skipTail()
	case t.kind == tPunct && t.text == "[":
		save := p.pos
		p.advance()
		p.skipNewlines()
		if p.peek().kind == tIdent && p.peek().text == "for" {
			// [for ... in ...: body]: the header runs to the colon at its own depth.
			if err := p.skipUntilColon(); err != nil {
				return nil, err
			}
			p.skipNewlines()
			v, err := p.value(owner)
			if err != nil {
				return nil, err
			}
			p.skipNewlines()
			if !p.isPunct("]") {
				return nil, p.errorf(p.peek(), "expected ] to close the for expression")
			}
			p.advance()
			v.Line = t.line
			return v, p.skipTail()
		}
		p.pos = save
		arr, err := p.array()
		if err != nil {
			return nil, err
		}
		return &Value{Line: t.line, Arr: arr}, p.skipTail()
	}
	return &Value{Line: t.line}, p.skipExpr()
}

// object reads an object literal's properties; nested resource declarations in a resource
// body are read as resources.
func (p *parser) object(owner *Resource) (*Object, error) {
	open := p.advance() // {
	o := &Object{Line: open.line}
	for {
		p.skipNewlines()
		for p.isPunct(",") {
			p.advance()
			p.skipNewlines()
		}
		t := p.peek()
		switch {
		case t.kind == tEOF:
			return nil, p.errorf(open, "unclosed {")
		case t.kind == tPunct && t.text == "}":
			p.advance()
			return o, nil
		case t.kind == tPunct && t.text == "@":
			if err := p.decorator(); err != nil {
				return nil, err
			}
			continue
		case t.kind == tIdent && t.text == "resource" && owner != nil && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == tIdent:
			p.advance()
			if err := p.resource(owner); err != nil {
				return nil, err
			}
			continue
		case (t.kind == tIdent || t.kind == tString && !t.interp) && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == tPunct && p.toks[p.pos+1].text == ":":
			p.advance()
			p.advance() // :
			p.skipNewlines()
			v, err := p.value(nil)
			if err != nil {
				return nil, err
			}
			o.Props = append(o.Props, Prop{Key: t.text, Line: t.line, Value: v})
		default:
			// A spread (...x) or anything else that is not a key: skipped.
			at := p.pos
			if err := p.skipExpr(); err != nil {
				return nil, err
			}
			if p.pos == at {
				p.advance() // never stall
			}
		}
	}
}

// array reads an array literal's elements (separated by newlines or commas).
func (p *parser) array() ([]*Value, error) {
	open := p.advance() // [
	var out []*Value
	for {
		p.skipNewlines()
		for p.isPunct(",") {
			p.advance()
			p.skipNewlines()
		}
		t := p.peek()
		switch {
		case t.kind == tEOF:
			return nil, p.errorf(open, "unclosed [")
		case t.kind == tPunct && t.text == "]":
			p.advance()
			return out, nil
		}
		at := p.pos
		v, err := p.value(nil)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if p.pos == at {
			p.advance() // never stall
		}
	}
}

// skipTail skips what follows a literal in the same expression (".prop", "[0]", "!").
func (p *parser) skipTail() error { return p.skipExpr() }

// skipExpr skips to the end of an expression: a newline, comma, or closing bracket at its
// own depth (not consumed), or the end of the file.
func (p *parser) skipExpr() error {
	depth := 0
	for {
		t := p.peek()
		switch {
		case t.kind == tEOF:
			if depth > 0 {
				return p.errorf(t, "unclosed bracket at the end of the file")
			}
			return nil
		case depth == 0 && (t.kind == tNewline || t.kind == tPunct && (t.text == "," || t.text == "}" || t.text == "]" || t.text == ")")):
			return nil
		case t.kind == tPunct && (t.text == "{" || t.text == "[" || t.text == "("):
			depth++
			if depth > maxNesting {
				return p.errorf(t, "nested more than %d deep", maxNesting)
			}
		case t.kind == tPunct && (t.text == "}" || t.text == "]" || t.text == ")"):
			depth--
		}
		p.advance()
	}
}

// skipBalanced skips a bracketed group starting at the current ( [ or {.
func (p *parser) skipBalanced() error {
	open := p.advance()
	depth := 1
	for depth > 0 {
		t := p.advance()
		switch {
		case t.kind == tEOF:
			return p.errorf(open, "unclosed %s", open.text)
		case t.kind == tPunct && (t.text == "{" || t.text == "[" || t.text == "("):
			depth++
			if depth > maxNesting {
				return p.errorf(t, "nested more than %d deep", maxNesting)
			}
		case t.kind == tPunct && (t.text == "}" || t.text == "]" || t.text == ")"):
			depth--
		}
	}
	return nil
}

// skipUntilColon skips a for header up to and including its colon.
func (p *parser) skipUntilColon() error {
	depth := 0
	for {
		t := p.advance()
		switch {
		case t.kind == tEOF:
			return p.errorf(t, "expected : in the for expression")
		case t.kind == tPunct && (t.text == "{" || t.text == "[" || t.text == "("):
			depth++
		case t.kind == tPunct && (t.text == "}" || t.text == "]" || t.text == ")"):
			depth--
		case depth == 0 && t.kind == tPunct && t.text == ":":
			return nil
		}
	}
}
