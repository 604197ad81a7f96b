package arm

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/akscheck/akscheck/internal/load/jsonvalue"
)

// unknownVal is a value that a template expression gives but akscheck cannot compute
// (reference(), a parameter without a value, resourceGroup().location…).
type unknownVal struct{ expr string }

func isUnknown(v any) bool { _, ok := v.(unknownVal); return ok }

// isExpression reports whether a template string is an expression ("[...]", not "[[...").
func isExpression(s string) bool {
	return len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' && !strings.HasPrefix(s, "[[")
}

// scope resolves parameters() and variables() of one template.
type scope struct {
	// params are the values given for parameters (parameters file or nested deployment),
	// by normalized name.
	params map[string]any
	// defs are the template's parameter definitions (for defaultValue).
	defs *node
	vars *node
	// symbolic makes unresolved parameters evaluate to "{name}" placeholders: used for
	// resource names and scopes, so that resources can be tied together even when their
	// names come from parameters without values.
	symbolic bool
	depth    int
	// st is the template file's budget and errors; syms the memo of defs and vars.
	st   *evalState
	syms *symbols
}

func (s *scope) withSymbolic() *scope {
	c := *s
	c.symbolic = true
	return &c
}

// evalString evaluates a template string: an expression, or a literal (with "[[" escaping).
func (s *scope) evalString(str string) any {
	if strings.HasPrefix(str, "[[") {
		return str[1:]
	}
	if !isExpression(str) {
		return str
	}
	if s.depth > maxNesting {
		s.st.report(s.where(), "template expressions nest variables and parameters deeper than %d levels: the deeper values are unknown", maxNesting)
		return unknownVal{expr: str}
	}
	if !s.st.step(1) {
		return unknownVal{expr: str}
	}
	p := &exprParser{src: str[1 : len(str)-1], sc: s}
	v, err := p.expr()
	if err == nil {
		p.skipSpace()
		if p.pos != len(p.src) {
			err = fmt.Errorf("unexpected %q", p.src[p.pos:])
		}
	}
	if err != nil {
		return unknownVal{expr: str}
	}
	if u, ok := v.(unknownVal); ok && u.expr == "" {
		return unknownVal{expr: str}
	}
	return v
}

// resolve evaluates every expression inside a value (objects and arrays too).
func (s *scope) resolve(v any, depth int) any {
	if depth > maxDepth || !s.st.step(1) {
		return unknownVal{}
	}
	switch t := v.(type) {
	case string:
		// What an expression returns is resolved already: walking it again would
		// evaluate "[[" escapes twice, and take exponential time on objects that share
		// parts (a variable used twice in an object).
		return s.evalString(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = s.resolve(x, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = s.resolve(x, depth+1)
		}
		return out
	}
	return v
}

// resolveNode evaluates the expressions of a template node, keeping lines.
func (s *scope) resolveNode(n *node, depth int) *node {
	if n == nil {
		return nil
	}
	if depth > maxDepth {
		return &node{kind: kUnknown, line: n.line}
	}
	switch n.kind {
	case kStr:
		if !isExpression(n.s) && !strings.HasPrefix(n.s, "[[") {
			return n
		}
		v := s.resolve(n.s, 0)
		switch v.(type) {
		case map[string]any, []any:
			if k := valueNodes(v, maxValueNodes); k > maxValueNodes || !s.st.step(k) {
				if k > maxValueNodes {
					s.st.report(n.line, "the value of %.80q has more than %d elements: it is unknown", n.s, maxValueNodes)
				}
				return &node{kind: kUnknown, line: n.line, s: n.s}
			}
		}
		return fromAny(v, n.line, 0)
	case kObj:
		out := &node{kind: kObj, line: n.line, keys: n.keys, vals: make([]*node, len(n.vals))}
		for i, v := range n.vals {
			out.vals[i] = s.resolveNode(v, depth+1)
		}
		return out
	case kArr:
		out := &node{kind: kArr, line: n.line, arr: make([]*node, len(n.arr))}
		for i, v := range n.arr {
			out.arr[i] = s.resolveNode(v, depth+1)
		}
		return out
	}
	return n
}

func (s *scope) parameter(name string) any {
	def := s.defs.get(name)
	line := 0
	if def != nil {
		line = def.line
	}
	return s.lookup(symKey{param: true, name: normKey(name), symbolic: s.symbolic}, name, line, func() any {
		if v, ok := s.params[normKey(name)]; ok {
			return s.nested().resolve(v, 0)
		}
		if def != nil {
			if dv := def.get("defaultValue"); dv != nil {
				return s.nested().resolve(dv.toAny(), 0)
			}
		}
		if s.symbolic {
			return "{" + name + "}"
		}
		return unknownVal{}
	})
}

func (s *scope) variable(name string) any {
	v := s.vars.get(name)
	if v == nil {
		return unknownVal{}
	}
	return s.lookup(symKey{name: normKey(name), symbolic: s.symbolic}, name, v.line, func() any {
		return s.nested().resolve(v.toAny(), 0)
	})
}

func (s *scope) nested() *scope {
	c := *s
	c.depth++
	return &c
}

type exprParser struct {
	src   string
	pos   int
	sc    *scope
	depth int // nesting of calls and indexes, bounded so that "[a(a(a(…" cannot exhaust the stack
}

func (p *exprParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func (p *exprParser) peek() byte {
	p.skipSpace()
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *exprParser) expr() (any, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, fmt.Errorf("expression nested deeper than %d levels", maxNesting)
	}
	v, err := p.primary()
	if err != nil {
		return nil, err
	}
	for {
		switch p.peek() {
		case '.':
			p.pos++
			name := p.ident()
			if name == "" {
				return nil, fmt.Errorf("property name expected at %d", p.pos)
			}
			v = member(v, name)
		case '[':
			p.pos++
			idx, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.peek() != ']' {
				return nil, fmt.Errorf("] expected at %d", p.pos)
			}
			p.pos++
			v = index(v, idx)
		default:
			return v, nil
		}
	}
}

func (p *exprParser) ident() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9' && p.pos > start) {
			p.pos++
			continue
		}
		break
	}
	return p.src[start:p.pos]
}

func (p *exprParser) primary() (any, error) {
	c := p.peek()
	switch {
	case c == '\'':
		p.pos++
		var b strings.Builder
		for p.pos < len(p.src) {
			ch := p.src[p.pos]
			p.pos++
			if ch == '\'' {
				if p.pos < len(p.src) && p.src[p.pos] == '\'' {
					b.WriteByte('\'')
					p.pos++
					continue
				}
				return b.String(), nil
			}
			b.WriteByte(ch)
		}
		return nil, fmt.Errorf("unterminated string")
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && ((p.src[p.pos] >= '0' && p.src[p.pos] <= '9') || p.src[p.pos] == '.') {
			p.pos++
		}
		f, err := strconv.ParseFloat(p.src[start:p.pos], 64)
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	name := p.ident()
	if name == "" {
		return nil, fmt.Errorf("unexpected character at %d", p.pos)
	}
	if p.peek() != '(' {
		return nil, fmt.Errorf("( expected after %s", name)
	}
	p.pos++
	var args []any
	if p.peek() == ')' {
		p.pos++
	} else {
		for {
			a, err := p.expr()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			switch p.peek() {
			case ',':
				p.pos++
				continue
			case ')':
				p.pos++
			default:
				return nil, fmt.Errorf(", or ) expected at %d", p.pos)
			}
			break
		}
	}
	return p.sc.call(strings.ToLower(name), args), nil
}

func member(v any, name string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return unknownVal{}
	}
	nk := normKey(name)
	for k, x := range m {
		if normKey(k) == nk {
			return x
		}
	}
	return unknownVal{}
}

func index(v, idx any) any {
	switch t := v.(type) {
	case []any:
		f, ok := idx.(float64)
		if !ok || f < 0 || int(f) >= len(t) {
			return unknownVal{}
		}
		return t[int(f)]
	case map[string]any:
		if s, ok := idx.(string); ok {
			return member(t, s)
		}
	}
	return unknownVal{}
}

// call evaluates the template functions that akscheck can compute offline; every other
// function (reference, listKeys, uniqueString, resourceGroup…) is unknown.
func (s *scope) call(fn string, args []any) any {
	for _, a := range args {
		if isUnknown(a) && fn != "if" && fn != "coalesce" {
			return unknownVal{}
		}
	}
	// Every function read here takes its string as the first argument.
	firstString := func() (string, bool) {
		if len(args) == 0 {
			return "", false
		}
		x, ok := args[0].(string)
		return x, ok
	}
	switch fn {
	case "parameters":
		if n, ok := firstString(); ok {
			return s.parameter(n)
		}
	case "variables":
		if n, ok := firstString(); ok {
			return s.variable(n)
		}
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	case "concat":
		if len(args) > 0 {
			if _, ok := args[0].([]any); ok {
				var out []any
				for _, a := range args {
					arr, ok := a.([]any)
					if !ok {
						return unknownVal{}
					}
					if len(out)+len(arr) > maxLen {
						return s.tooLong("an array")
					}
					out = append(out, arr...)
				}
				return out
			}
		}
		var b strings.Builder
		for _, a := range args {
			x, ok := jsonvalue.Scalar(a)
			if !ok {
				return unknownVal{}
			}
			if b.Len()+len(x) > maxLen {
				return s.tooLong("a string")
			}
			b.WriteString(x)
		}
		return b.String()
	case "format":
		f, ok := firstString()
		if !ok {
			break
		}
		v := formatNet(f, args[1:])
		if _, ok := v.(errTooLong); ok {
			return s.tooLong("a string")
		}
		return v
	case "tolower":
		if x, ok := firstString(); ok {
			return strings.ToLower(x)
		}
	case "toupper":
		if x, ok := firstString(); ok {
			return strings.ToUpper(x)
		}
	case "string":
		if len(args) == 1 {
			if x, ok := jsonvalue.Scalar(args[0]); ok {
				return x
			}
		}
	case "bool":
		if len(args) == 1 {
			switch t := args[0].(type) {
			case bool:
				return t
			case string:
				if b, err := strconv.ParseBool(t); err == nil {
					return b
				}
			case float64:
				return t != 0
			}
		}
	case "int":
		if len(args) == 1 {
			switch t := args[0].(type) {
			case float64:
				return math.Trunc(t)
			case string:
				if f, err := strconv.ParseFloat(t, 64); err == nil {
					return math.Trunc(f)
				}
			}
		}
	case "if":
		if len(args) == 3 {
			b, ok := args[0].(bool)
			if !ok {
				return unknownVal{}
			}
			if b {
				return args[1]
			}
			return args[2]
		}
	case "equals":
		if len(args) == 2 {
			for _, a := range args {
				if k := valueNodes(a, maxValueNodes); k > maxValueNodes || !s.st.step(k) {
					return unknownVal{}
				}
			}
			return fmt.Sprint(args[0]) == fmt.Sprint(args[1])
		}
	case "not":
		if b, ok := boolArg(args, 0); ok && len(args) == 1 {
			return !b
		}
	case "and", "or":
		if len(args) == 0 {
			break
		}
		acc := fn == "and"
		for i := range args {
			b, ok := boolArg(args, i)
			if !ok {
				return unknownVal{}
			}
			if fn == "and" {
				acc = acc && b
			} else {
				acc = acc || b
			}
		}
		return acc
	case "empty":
		if len(args) == 1 {
			switch t := args[0].(type) {
			case nil:
				return true
			case string:
				return t == ""
			case []any:
				return len(t) == 0
			case map[string]any:
				return len(t) == 0
			}
		}
	case "coalesce":
		for _, a := range args {
			if isUnknown(a) {
				return unknownVal{}
			}
			if a != nil {
				return a
			}
		}
		return nil
	case "createarray", "array":
		return append([]any{}, args...)
	case "createobject":
		if len(args)%2 != 0 {
			break
		}
		m := map[string]any{}
		for i := 0; i < len(args); i += 2 {
			k, ok := args[i].(string)
			if !ok {
				return unknownVal{}
			}
			m[k] = args[i+1]
		}
		return m
	case "union":
		m := map[string]any{}
		for _, a := range args {
			o, ok := a.(map[string]any)
			if !ok {
				return unknownVal{}
			}
			for k, v := range o {
				m[k] = v
			}
		}
		return m
	case "resourceid", "subscriptionresourceid", "extensionresourceid", "tenantresourceid":
		return resourceIDOf(fn, args)
	}
	return unknownVal{}
}

// errTooLong is what formatNet returns when its result would pass maxLen.
type errTooLong struct{}

// tooLong reports a value past maxLen; the value is unknown.
func (s *scope) tooLong(what string) any {
	s.st.report(s.where(), "an expression builds %s longer than %d: the value is unknown", what, maxLen)
	return unknownVal{}
}

func boolArg(args []any, i int) (bool, bool) {
	if i >= len(args) {
		return false, false
	}
	b, ok := args[i].(bool)
	return b, ok
}

// formatNet implements the .NET composite formatting of format(): {0}, {1:…}, {{ and }}.
func formatNet(f string, args []any) any {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '{' && i+1 < len(f) && f[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(f) && f[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(f[i:], '}')
			if end < 0 {
				return unknownVal{}
			}
			spec := f[i+1 : i+end]
			if k := strings.IndexAny(spec, ":,"); k >= 0 {
				spec = spec[:k]
			}
			n, err := strconv.Atoi(strings.TrimSpace(spec))
			if err != nil || n < 0 || n >= len(args) {
				return unknownVal{}
			}
			x, ok := jsonvalue.Scalar(args[n])
			if !ok {
				return unknownVal{}
			}
			if b.Len()+len(x) > maxLen {
				return errTooLong{}
			}
			b.WriteString(x)
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// resourceIDOf builds a scope-less resource ID ("/providers/<type>/<names>") from the
// arguments of resourceId() and its relatives: the subscription and resource group of a
// deployment are not known offline, and the type and names are enough to tie resources
// of one template together.
func resourceIDOf(fn string, args []any) any {
	var strs []string
	for _, a := range args {
		x, ok := jsonvalue.Scalar(a)
		if !ok {
			return unknownVal{}
		}
		strs = append(strs, x)
	}
	if fn == "extensionresourceid" && len(strs) > 0 {
		strs = strs[1:]
	}
	// Leading subscription and resource-group arguments come before the type, which is
	// the first argument holding a '/'.
	for i, x := range strs {
		if strings.Contains(x, "/") && strings.Contains(x, ".") {
			strs = strs[i:]
			break
		}
	}
	if len(strs) < 2 {
		return unknownVal{}
	}
	typ := strings.Split(strs[0], "/")
	names := strs[1:]
	if len(typ) < 2 || len(names) != len(typ)-1 {
		return unknownVal{}
	}
	var b strings.Builder
	b.WriteString("/providers/" + typ[0])
	for i, seg := range typ[1:] {
		b.WriteString("/" + seg + "/" + names[i])
	}
	return b.String()
}
