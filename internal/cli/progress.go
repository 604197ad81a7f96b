package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/scan"
)

// verbosity is -q (quiet: no warnings) and -v (progress on stderr; -vv adds each cluster
// of a fleet as its own line even on a terminal).
type verbosity struct {
	quiet   bool
	verbose int
}

// progress returns what reports a scan's progress on stderr: nothing by default; with -v a
// line per stage, and for a fleet a bar redrawn in place when stderr is a terminal.
func (v verbosity) progress(stderr io.Writer) func(scan.Event) {
	if v.verbose == 0 || v.quiet {
		return nil
	}
	bar := isTTY(stderr) && v.verbose == 1
	// Files are reported at most every half second (or each one with -vv), in place on a
	// terminal; open says a line drawn in place awaits its newline.
	var lastFile time.Time
	open := false
	return func(e scan.Event) {
		if e.Stage == "file" {
			switch {
			case v.verbose > 1:
				fmt.Fprintf(stderr, "akscheck: read %s (%d inputs, %d subjects so far)\n", sanitize.Text(e.Source), e.Inputs, e.Subjects)
			case time.Since(lastFile) >= 500*time.Millisecond:
				lastFile = time.Now()
				line := fmt.Sprintf("akscheck: reading: %d inputs, %d subjects%s", e.Inputs, e.Subjects, rates(e))
				if bar {
					fmt.Fprintf(stderr, "\r\033[K%s", line)
					open = true
				} else {
					fmt.Fprintln(stderr, line)
				}
			}
			return
		}
		if open {
			fmt.Fprintln(stderr)
			open = false
		}
		rate := ""
		if secs := e.Elapsed.Seconds(); secs > 0 && e.Subjects > 0 {
			rate = fmt.Sprintf(", %.0f subjects/s", float64(e.Subjects)/secs)
		}
		switch e.Stage {
		case "cluster":
			if bar {
				width := 30
				filled := width * e.Done / max(1, e.Total)
				fmt.Fprintf(stderr, "\r[%s%s] %d/%d clusters (%s)", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
					e.Done, e.Total, e.Elapsed.Round(time.Millisecond))
				if e.Done == e.Total {
					fmt.Fprintln(stderr)
				}
				return
			}
			fmt.Fprintf(stderr, "akscheck: cluster %d/%d %s: %d subjects read and checked (%s)\n", e.Done, e.Total, sanitize.Text(e.Cluster), e.Subjects,
				e.Elapsed.Round(time.Millisecond))
		case "read":
			fmt.Fprintf(stderr, "akscheck: read %d input(s), %d subjects in %s%s\n", e.Inputs, e.Subjects, e.Elapsed.Round(time.Millisecond), rate)
		case "evaluated":
			fmt.Fprintf(stderr, "akscheck: checked %d subjects in %s%s\n", e.Subjects, e.Elapsed.Round(time.Millisecond), rate)
		}
	}
}

// warn writes a warning on stderr unless -q.
func (v verbosity) warn(stderr io.Writer, format string, args ...any) {
	if v.quiet {
		return
	}
	// Warnings quote inputs (a file, an error): escaped for the terminal.
	fmt.Fprintf(stderr, "akscheck: warning: %s\n", sanitize.Text(fmt.Sprintf(format, args...)))
}

// rates says how fast inputs and subjects are read.
func rates(e scan.Event) string {
	secs := e.Elapsed.Seconds()
	if secs <= 0 {
		return ""
	}
	return fmt.Sprintf(" (%.0f inputs/s, %.0f subjects/s)", float64(e.Inputs)/secs, float64(e.Subjects)/secs)
}
