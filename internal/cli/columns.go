package cli

import (
	"io"
	"strings"
)

// writeColumns writes a table padded by visible width. With width > 0 (a terminal's), the
// columns named in shrink, in that order, are shortened with an ellipsis, down to 12
// characters, until every line fits; off a terminal nothing is shortened.
func writeColumns(w io.Writer, header []string, rows [][]string, width int, shrink ...int) error {
	widths := make([]int, len(header))
	for c, h := range header {
		widths[c] = runeLen(h)
	}
	for _, r := range rows {
		for c, v := range r {
			widths[c] = max(widths[c], runeLen(v))
		}
	}
	if width > 0 {
		total := 2 * (len(widths) - 1)
		for _, x := range widths {
			total += x
		}
		for _, c := range shrink {
			if over := total - width; over > 0 && widths[c] > 12 {
				cut := min(over, widths[c]-12)
				widths[c] -= cut
				total -= cut
			}
		}
	}
	var b strings.Builder
	line := func(vals []string) {
		for c, v := range vals {
			if r := []rune(v); len(r) > widths[c] {
				v = string(r[:widths[c]-1]) + "…"
			}
			b.WriteString(v)
			if c < len(vals)-1 {
				b.WriteString(strings.Repeat(" ", widths[c]-runeLen(v)+2))
			}
		}
		b.WriteString("\n")
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func runeLen(s string) int { return len([]rune(s)) }
