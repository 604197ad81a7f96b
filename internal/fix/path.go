package fix

import (
	"fmt"
	"strconv"
	"strings"
)

// segment is one step of a field path: a map key or a list index.
type segment struct {
	key   string
	index int
	isIdx bool
}

func (s segment) String() string {
	if s.isIdx {
		return "[" + strconv.Itoa(s.index) + "]"
	}
	return s.key
}

// parsePath reads a field path as checks write Location.Path:
// spec.template.spec.containers[0].securityContext.runAsNonRoot, with a key that a dotted
// path cannot hold in brackets as a quoted string: metadata.labels["app.kubernetes.io/name"].
func parsePath(p string) ([]segment, error) {
	if p == "" {
		return nil, fmt.Errorf("empty path")
	}
	var segs []segment
	i := 0
	expectKey := true
	for i < len(p) {
		switch c := p[i]; {
		case c == '[':
			end := strings.IndexByte(p[i:], ']')
			if i+1 < len(p) && p[i+1] == '"' {
				// A quoted key: find the closing quote, then the bracket.
				q, err := strconv.QuotedPrefix(p[i+1:])
				if err != nil || i+1+len(q) >= len(p) || p[i+1+len(q)] != ']' {
					return nil, fmt.Errorf("path %q: malformed quoted key at %d", p, i)
				}
				k, err := strconv.Unquote(q)
				if err != nil {
					return nil, fmt.Errorf("path %q: malformed quoted key at %d", p, i)
				}
				segs = append(segs, segment{key: k})
				i += 1 + len(q) + 1
				expectKey = false
				continue
			}
			if end < 0 {
				return nil, fmt.Errorf("path %q: unclosed [ at %d", p, i)
			}
			n, err := strconv.Atoi(p[i+1 : i+end])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("path %q: %q is not a list index", p, p[i+1:i+end])
			}
			segs = append(segs, segment{index: n, isIdx: true})
			i += end + 1
			expectKey = false
		case c == '.':
			if expectKey {
				return nil, fmt.Errorf("path %q: empty key at %d", p, i)
			}
			i++
			expectKey = true
		default:
			if !expectKey {
				return nil, fmt.Errorf("path %q: want . or [ at %d", p, i)
			}
			end := strings.IndexAny(p[i:], ".[")
			if end < 0 {
				end = len(p) - i
			}
			segs = append(segs, segment{key: p[i : i+end]})
			i += end
			expectKey = false
		}
	}
	if expectKey {
		return nil, fmt.Errorf("path %q ends with a dot", p)
	}
	return segs, nil
}

func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func quote(s string) string { return strconv.Quote(s) }

func itoa(i int) string { return strconv.Itoa(i) }
