// Command fakebicep stands in for the Bicep CLI in tests, where the real one cannot be
// installed: it replays recorded compiler output instead of compiling. For
// "bicep build --stdout FILE" (or, named az, "az bicep build --file FILE --stdout") it
// writes RECORDED/NAME.json to standard output, or RECORDED/NAME.stderr to standard error
// with {file} replaced by the file's absolute path and exits 1, as the compiler does on an
// error; for RECORDED/NAME.hang it never finishes (a compiler that hangs, for the timeout);
// NAME is the file's base name without .bicep. RECORDED is set at build time
// (-ldflags "-X main.recorded=DIR"). It reads nothing of the .bicep file.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// recorded is the folder of recordings, set by the build.
var recorded string

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 && args[0] == "bicep" { // az bicep build ...
		args = args[1:]
	}
	if len(args) == 0 || args[0] != "build" {
		fmt.Fprintln(os.Stderr, "fakebicep: only build is replayed")
		return 2
	}
	var file string
	stdout := false
	for i := 1; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--stdout":
			stdout = true
		case a == "--file" || a == "-f":
			if i+1 < len(args) {
				file = args[i+1]
				i++
			}
		case !strings.HasPrefix(a, "-"):
			file = a
		}
	}
	if file == "" || !stdout {
		fmt.Fprintln(os.Stderr, "fakebicep: want build --stdout FILE")
		return 2
	}
	name := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	if _, err := os.Stat(filepath.Join(recorded, name+".hang")); err == nil {
		time.Sleep(time.Hour)
	}
	if out, err := os.ReadFile(filepath.Join(recorded, name+".json")); err == nil {
		_, _ = os.Stdout.Write(out)
		return 0
	}
	if diag, err := os.ReadFile(filepath.Join(recorded, name+".stderr")); err == nil {
		abs, _ := filepath.Abs(file)
		_, _ = os.Stderr.WriteString(strings.ReplaceAll(string(diag), "{file}", abs))
		return 1
	}
	fmt.Fprintf(os.Stderr, "fakebicep: no recording for %s in %s\n", name, recorded)
	return 2
}
