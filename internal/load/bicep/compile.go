package bicep

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds one compilation when Options.Timeout is 0.
const DefaultTimeout = 2 * time.Minute

// maxOutput bounds what is read of the compiler's standard output (the template) and error.
const maxOutput = 256 << 20

// Compiler runs the Bicep compiler: the bicep CLI (bicep build --stdout FILE) or the Azure
// CLI's copy of it (az bicep build --file FILE --stdout).
type Compiler struct {
	// Path is the executable.
	Path string
	// Az is set when Path is the Azure CLI.
	Az bool
	// Timeout bounds one compilation.
	Timeout time.Duration
}

// FindCompiler returns the compiler to use: name (a path or a command name, from --bicep or
// AKSCHECK_BICEP) when given, else bicep on PATH. An executable named az (az, az.cmd) is
// run as "az bicep build". nil, nil when none was named and bicep is not on PATH; an error
// when the named one cannot be found.
func FindCompiler(name string, timeout time.Duration) (*Compiler, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if name == "" {
		p, err := exec.LookPath("bicep")
		if err != nil {
			return nil, nil //nolint:nilnil // no compiler is not an error: .bicep files say how to compile them
		}
		return &Compiler{Path: p, Timeout: timeout}, nil
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("bicep compiler %q: %w", name, err)
	}
	base := strings.ToLower(strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)))
	return &Compiler{Path: p, Az: base == "az", Timeout: timeout}, nil
}

// args are the compiler's arguments for a file. A file whose name starts with "-" is given
// as ./-name, so that it is never read as an option.
func (c *Compiler) args(file string) []string {
	if strings.HasPrefix(file, "-") {
		file = "." + string(filepath.Separator) + file
	}
	if c.Az {
		return []string{"bicep", "build", "--file", file, "--stdout"}
	}
	return []string{"build", "--stdout", file}
}

// Command is the command line Build runs, for messages.
func (c *Compiler) Command(file string) string {
	return strings.Join(append([]string{filepath.Base(c.Path)}, c.args(file)...), " ")
}

// CompileError is a compilation that failed: the compiler's first error diagnostics.
type CompileError struct {
	// Line is the line of the first error in the compiled file, 0 when unknown.
	Line    int
	Message string
}

func (e *CompileError) Error() string { return e.Message }

// Build compiles a .bicep file and returns the ARM template JSON.
func (c *Compiler) Build(ctx context.Context, file string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Path, c.args(file)...) //nolint:gosec // the compiler the user named, on the file being scanned
	var stdout, stderr limitedBuffer
	stdout.limit, stderr.limit = maxOutput, 1<<20
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, &CompileError{Message: fmt.Sprintf("%s did not finish within %s", c.Command(file), c.Timeout)}
	case ctx.Err() != nil:
		return nil, &CompileError{Message: fmt.Sprintf("%s: %v", c.Command(file), ctx.Err())}
	case err != nil:
		return nil, diagnose(c.Command(file), file, stderr.Bytes(), err)
	case stdout.over:
		return nil, &CompileError{Message: fmt.Sprintf("%s wrote more than %d bytes", c.Command(file), maxOutput)}
	}
	return stdout.Bytes(), nil
}

// diagRe is one compiler diagnostic: "FILE(LINE,COL) : Error BCP018: message".
var diagRe = regexp.MustCompile(`^(.*)\((\d+),(\d+)\) : (Error|Warning|Info) ([A-Za-z0-9-]+): (.*)$`)

// maxDiagnostics is how many error diagnostics a compile error quotes.
const maxDiagnostics = 3

// diagnose makes the error of a failed compilation from the compiler's diagnostics: the
// first errors, the file name shortened to its base (the full path is the entry's source).
func diagnose(command, file string, stderr []byte, runErr error) *CompileError {
	var quoted []string
	line := 0
	for _, l := range strings.Split(string(stderr), "\n") {
		l = strings.TrimRight(l, "\r")
		m := diagRe.FindStringSubmatch(l)
		if m == nil || m[4] != "Error" {
			continue
		}
		if line == 0 && sameFile(m[1], file) {
			line, _ = strconv.Atoi(m[2])
		}
		if len(quoted) < maxDiagnostics {
			quoted = append(quoted, fmt.Sprintf("%s(%s,%s) : Error %s: %s", filepath.Base(m[1]), m[2], m[3], m[5], m[6]))
		}
	}
	if len(quoted) == 0 {
		// No diagnostic in the compiler's format: its first lines, or how it ended.
		for _, l := range strings.Split(strings.TrimSpace(string(stderr)), "\n") {
			if l = strings.TrimSpace(l); l != "" && len(quoted) < maxDiagnostics {
				quoted = append(quoted, l)
			}
		}
		if len(quoted) == 0 {
			quoted = append(quoted, runErr.Error())
		}
	}
	return &CompileError{Line: line, Message: command + " failed: " + strings.Join(quoted, "; ")}
}

func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// limitedBuffer keeps at most limit bytes and notes whether more came.
type limitedBuffer struct {
	bytes.Buffer
	limit int
	over  bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); len(p) > room {
		b.over = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
