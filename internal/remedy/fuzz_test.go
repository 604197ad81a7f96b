package remedy

import (
	"strings"
	"testing"
)

// FuzzRemedy feeds the parameter list's parser and the pieces of a command line with
// arbitrary text: no panic, a parsed list validates without one, and a quoted argument
// reads back (as a POSIX shell reads single quotes) as itself.
func FuzzRemedy(f *testing.F) {
	f.Add(azParamsText, clusterID+"/agentPools/apps", "properties.agentPoolProfiles[system].nodeTaints", "owner=platform team")
	f.Add("[aks update]\n--tier -t # comment\n", "/subscriptions//resourceGroups/", "a[b[c]].d]", "it's")
	f.Add("--x", "", "[", "")
	f.Fuzz(func(t *testing.T, params, id, path, arg string) {
		if p, err := ParseParams(params); err == nil {
			_ = p.Validate(strings.Fields(path + " " + arg))
		}
		_ = segment(id, "resourceGroups")
		_ = stripIndexes(path)
		if got := unquote(shellQuote(arg)); got != arg {
			t.Errorf("%q quoted as %q reads back as %q", arg, shellQuote(arg), got)
		}
	})
}

// unquote reads one word as a POSIX shell does, for the quoting shellQuote writes: plain
// characters, and single-quoted runs joined by \'.
func unquote(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return "<unterminated>"
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
