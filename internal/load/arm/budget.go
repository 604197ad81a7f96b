package arm

import (
	"fmt"
	"strings"

	"github.com/akscheck/akscheck/internal/subject"
)

// Limits of the evaluation of one template file. A template is data that anyone can hand
// to a scan: a variable that refers to itself twice, or a chain of variables that each
// double the one before, must end in an error entry, not in a scan that never ends.
const (
	// maxSteps bounds the work of one template file: expressions, function calls and
	// the values they walk. Real templates use a few thousand.
	maxSteps = 1 << 20
	// maxLen bounds the bytes of a string and the elements of an array that an
	// expression builds (Azure's own limit on a template is 4 MB).
	maxLen = 1 << 20
	// maxValueNodes bounds the size of an evaluated object or array written back into
	// a resource: variables reused inside objects can describe exponentially large trees.
	maxValueNodes = 1 << 16
	// maxNesting bounds how deep expressions call variables and parameters that call
	// others, and how deep function calls nest inside one expression.
	maxNesting = 128
)

// evalState is shared by every scope of one template file: the step budget and the
// errors found while evaluating.
type evalState struct {
	file     string
	steps    int
	exceeded bool
	// line is the line of the resource being resolved: where an error outside any
	// variable is reported.
	line     int
	errs     []subject.LoadError
	reported map[string]bool
}

func newEvalState(file string) *evalState {
	return &evalState{file: file, reported: map[string]bool{}}
}

// report records an error once.
func (st *evalState) report(line int, format string, args ...any) {
	if st == nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	key := fmt.Sprint(line, msg)
	if st.reported[key] {
		return
	}
	st.reported[key] = true
	st.errs = append(st.errs, subject.LoadError{Source: st.file, Line: line, Message: msg})
}

// step charges n units of work; it reports false once the budget is spent.
func (st *evalState) step(n int) bool {
	if st == nil {
		return true
	}
	if st.exceeded {
		return false
	}
	st.steps += n
	if st.steps > maxSteps {
		st.exceeded = true
		st.report(0, "evaluating the template's expressions takes more than %d steps: the values still to compute are unknown", maxSteps)
		return false
	}
	return true
}

// symKey names a variable or parameter of one scope (by normalized name), as evaluated
// with or without symbolic placeholders.
type symKey struct {
	param    bool
	name     string
	symbolic bool
}

// symbols memoises the variables and parameters of one template (a nested deployment with
// its own scope has its own): each is evaluated once, and a reference back to one still
// being evaluated is a cycle.
type symbols struct {
	cache map[symKey]any
	stack []symKey
	names []string // the names of stack as the template writes them
	lines []int    // and the lines of their definitions
}

func newSymbols() *symbols { return &symbols{cache: map[symKey]any{}} }

// lookup evaluates a variable or parameter through the memo; name is as the expression
// writes it and line is where it is defined.
func (s *scope) lookup(k symKey, name string, line int, eval func() any) any {
	if s.syms == nil {
		return eval() // a scope made without a memo (tests): no sharing to keep
	}
	if v, ok := s.syms.cache[k]; ok {
		return v
	}
	for i, a := range s.syms.stack {
		if a != k {
			continue
		}
		names := append(append([]string{}, s.syms.names[i:]...), name)
		kind := "variable"
		if k.param {
			kind = "parameter"
		}
		if len(names) == 2 {
			s.st.report(line, "%s '%s' refers to itself (Azure rejects circular references)", kind, name)
		} else {
			s.st.report(line, "%s '%s' refers to itself through %s (Azure rejects circular references)", kind, name, strings.Join(names, " → "))
		}
		return unknownVal{}
	}
	s.syms.stack = append(s.syms.stack, k)
	s.syms.names = append(s.syms.names, name)
	s.syms.lines = append(s.syms.lines, line)
	v := eval()
	s.syms.lines = s.syms.lines[:len(s.syms.lines)-1]
	s.syms.stack = s.syms.stack[:len(s.syms.stack)-1]
	s.syms.names = s.syms.names[:len(s.syms.names)-1]
	s.syms.cache[k] = v
	return v
}

// where is the line an evaluation error belongs to: the variable or parameter being
// evaluated, else the resource.
func (s *scope) where() int {
	if s.syms == nil {
		return 0
	}
	if n := len(s.syms.lines); n > 0 && s.syms.lines[n-1] > 0 {
		return s.syms.lines[n-1]
	}
	if s.st != nil {
		return s.st.line
	}
	return 0
}

// valueNodes counts the nodes of an evaluated value, stopping past limit: values can share
// parts (a variable used twice), so a walk could be far longer than the template.
func valueNodes(v any, limit int) int {
	n := 0
	var walk func(v any)
	walk = func(v any) {
		if n > limit {
			return
		}
		n++
		switch t := v.(type) {
		case map[string]any:
			for _, x := range t {
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(v)
	return n
}
