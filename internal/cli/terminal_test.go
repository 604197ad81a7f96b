package cli

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/akscheck/akscheck/internal/scan"
)

// TestTableOnATerminal renders the examples' table through a real pseudo-terminal of 100
// columns, as a person's terminal would show it: it is coloured, every line fits, and the
// columns line up under their headers.
func TestTableOnATerminal(t *testing.T) {
	t.Parallel()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	var screen bytes.Buffer
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = io.Copy(&screen, ptmx) }) // drained as it is written, or the tty blocks
	var errOut bytes.Buffer
	code := execute(t.Context(), []string{"scan", "../../examples"}, IO{In: strings.NewReader(""), Out: tty, ErrOut: &errOut}, testNow)
	time.Sleep(100 * time.Millisecond) // let the last bytes through the terminal
	tty.Close()
	wg.Wait()
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	out := strings.ReplaceAll(screen.String(), "\r\n", "\n")
	if !strings.Contains(out, "\x1b[") {
		t.Error("no colour on a terminal")
	}
	plain := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(out, "")
	var header string
	rows := 0
	for _, line := range strings.Split(plain, "\n") {
		switch {
		case strings.HasPrefix(line, "  SEVERITY  "):
			header = line
		case header != "" && strings.HasPrefix(line, "  ") && line != "":
			rows++
			if n := len([]rune(line)); n > 100 {
				t.Errorf("%d columns on a 100-column terminal: %q", n, line)
			}
			before, _, _ := strings.Cut(header, "OBJECT")
			at := len([]rune(before))
			if r := []rune(line); at >= len(r) || r[at-1] != ' ' || r[at] == ' ' {
				t.Errorf("OBJECT is not under its header: %q", line)
			}
		default:
			header = ""
		}
	}
	if rows == 0 {
		t.Fatalf("no findings rows on the terminal:\n%s", plain)
	}
}

// TestListsOnATerminal: checks and items fit a 100-column terminal too.
func TestListsOnATerminal(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"checks", "items"} {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminal here: %v", err)
		}
		if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: 100}); err != nil {
			t.Fatal(err)
		}
		var screen bytes.Buffer
		var wg sync.WaitGroup
		wg.Go(func() { _, _ = io.Copy(&screen, ptmx) })
		code := execute(t.Context(), []string{cmd}, IO{In: strings.NewReader(""), Out: tty, ErrOut: io.Discard}, testNow)
		time.Sleep(100 * time.Millisecond)
		tty.Close()
		wg.Wait()
		ptmx.Close()
		if code != ExitOK {
			t.Fatalf("%s: exit %d", cmd, code)
		}
		lines := strings.Split(strings.ReplaceAll(screen.String(), "\r\n", "\n"), "\n")
		if len(lines) < 100 {
			t.Fatalf("%s printed %d lines", cmd, len(lines))
		}
		for _, line := range lines {
			if n := len([]rune(line)); n > 100 {
				t.Errorf("%s: %d columns on a 100-column terminal: %q", cmd, n, line)
			}
		}
	}
}

// TestFleetProgressBarOnATerminal: with -v on a terminal, a fleet's progress is one bar
// redrawn in place, ending with a new line when every cluster is done.
func TestFleetProgressBarOnATerminal(t *testing.T) {
	t.Parallel()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	var screen bytes.Buffer
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = io.Copy(&screen, ptmx) })
	report := verbosity{verbose: 1}.progress(tty)
	report(scan.Event{Stage: "file", Source: "a.yaml", Inputs: 1, Subjects: 3, Elapsed: time.Second})
	for i := 1; i <= 4; i++ {
		report(scan.Event{Stage: "cluster", Cluster: "c", Done: i, Total: 4, Elapsed: time.Second})
	}
	time.Sleep(100 * time.Millisecond)
	tty.Close()
	wg.Wait()
	out := strings.ReplaceAll(screen.String(), "\r\n", "\n")
	// The reading line is drawn in place too, and ended before the bar.
	if !strings.HasPrefix(out, "\r\033[Kakscheck: reading: 1 inputs, 3 subjects (1 inputs/s, 3 subjects/s)\n") {
		t.Errorf("reading progress: %q", out)
	}
	if strings.Count(out, "\r[") != 4 || !strings.Contains(out, "[##############################] 4/4 clusters") || !strings.HasSuffix(out, "\n") {
		t.Errorf("progress bar: %q", out)
	}
}
