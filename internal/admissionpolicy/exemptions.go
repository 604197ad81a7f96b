package admissionpolicy

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
)

// space is what strings.TrimSpace trims (unicode.IsSpace), as an RE2 class body.
const space = `\t-\r \x{85}\p{Z}`

// annotationExempts is a CEL condition: the object's exemption annotation names c (its ID, a
// former ID or its item) and gives a reason, as the engine's applyAnnotations requires.
func annotationExempts(c *check.Check) string {
	ids := append([]string{c.ID, c.Item}, c.Aliases...)
	for i, id := range ids {
		ids[i] = regexp.QuoteMeta(id)
	}
	listed := `(^|,)[` + space + `]*(` + strings.Join(ids, "|") + `)[` + space + `]*(,|$)`
	annotation := func(key string) string {
		return "object.metadata.?annotations.orValue({})[?" + strconv.Quote(key) + "].orValue('')"
	}
	return annotation(check.ExemptAnnotation) + ".matches(" + strconv.Quote(listed) + ") && " +
		annotation(check.ExemptReasonAnnotation) + ".matches(" + strconv.Quote(`[^`+space+`]`) + ")"
}

// configExempts is a CEL condition: exemption e of the config covers the object. ok is false
// when it cannot be written on one object: it names a container (the policy judges the object
// as a whole), or a glob is malformed (then it never matches, in a scan either).
func configExempts(e engine.Exemption) (cond string, ok bool) {
	if e.Container != "" && e.Container != "*" {
		return "", false
	}
	var terms []string
	for _, f := range []struct{ glob, value string }{
		{e.Kind, "object.kind"},
		{e.Namespace, "request.namespace"},
		{e.Name, "object.metadata.name"},
	} {
		if f.glob == "" {
			continue
		}
		re, err := globRegexp(f.glob)
		if err != nil {
			return "", false
		}
		terms = append(terms, f.value+".matches("+strconv.Quote(re)+")")
	}
	if len(terms) == 0 {
		return "true", true
	}
	return strings.Join(terms, " && "), true
}

// globRegexp translates a path.Match pattern, as exemptions use, into an anchored RE2
// regular expression that matches the same strings.
func globRegexp(glob string) (string, error) {
	if _, err := path.Match(glob, ""); err != nil {
		return "", fmt.Errorf("glob %q: %w", glob, err)
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); {
		switch c := glob[i]; c {
		case '*':
			b.WriteString(`[^/]*`)
			i++
		case '?':
			b.WriteString(`[^/]`)
			i++
		case '\\':
			r, n := utf8.DecodeRuneInString(glob[i+1:])
			b.WriteString(regexp.QuoteMeta(string(r)))
			i += 1 + n
		case '[':
			n := writeClass(&b, glob[i+1:])
			i += 1 + n
		default:
			r, n := utf8.DecodeRuneInString(glob[i:])
			b.WriteString(regexp.QuoteMeta(string(r)))
			i += n
		}
	}
	b.WriteString("$")
	return b.String(), nil
}

// writeClass writes the character class that starts after a '[' of a valid glob, every
// character as \x{...}, and returns how many bytes of glob it took (the closing ']' included).
func writeClass(b *strings.Builder, glob string) int {
	i := 0
	b.WriteString("[")
	if glob[0] == '^' {
		b.WriteString("^")
		i++
	}
	// In a valid glob a ']' always closes the class, and '-' is always a range.
	for glob[i] != ']' {
		if glob[i] == '-' {
			b.WriteString("-")
			i++
			continue
		}
		if glob[i] == '\\' {
			i++
		}
		r, n := utf8.DecodeRuneInString(glob[i:])
		fmt.Fprintf(b, `\x{%x}`, r)
		i += n
	}
	b.WriteString("]")
	return i + 1
}
