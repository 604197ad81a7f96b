// Package cli is akscheck's command line: commands, flags and exit codes. It wires loaders,
// the engine and renderers together and holds no check logic.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/akscheck/akscheck/internal/aksversion"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/config"
	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/render/sanitize"
)

// Exit codes.
const (
	ExitOK       = 0 // no finding at or above --fail-on
	ExitFindings = 1 // findings at or above --fail-on (or a score below --fail-below-score)
	ExitUsage    = 2 // usage error, or nothing could be read
	ExitPartial  = 3 // some inputs could not be read, or a check could not run; the report covers the rest (wins over 1)
)

// version is set at build time with -ldflags "-X github.com/akscheck/akscheck/internal/cli.version=v1.2.3".
var version = ""

// buildCommit is the commit the binary was built from, set at build time with
// -ldflags "-X github.com/akscheck/akscheck/internal/cli.buildCommit=$(git rev-parse HEAD)"
// where the Go toolchain does not stamp it (-buildvcs=false).
var buildCommit = ""

// Version returns the program version.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// IO is where a command reads and writes.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// Azure says how --azure reaches Azure; nil means DefaultAzureCredential and the public
	// cloud. Tests point it at a server that replays Azure Resource Manager.
	Azure *azure.Options
}

// app is the state shared by the commands of one invocation.
type app struct {
	io      IO
	catalog *catalog.Catalog
	checks  []*check.Check
	// now is the clock; tests pin it so that reports do not change with the date.
	now func() time.Time
	// configFile is --config; resolved is the config the commands run with (built-in
	// checks plus custom checks, the catalog plus custom items).
	configFile string
	resolved   *config.Resolved
	profiles   profiles
}

// Execute runs akscheck with args (without the program name) and returns the exit code.
func Execute(ctx context.Context, args []string, streams IO) int {
	return execute(ctx, args, streams, time.Now)
}

func execute(ctx context.Context, args []string, streams IO, now func() time.Time) int {
	cat, err := catalog.Load()
	if err != nil {
		fmt.Fprintf(streams.ErrOut, "akscheck: %v\n", err)
		return ExitUsage
	}
	a := &app{io: streams, catalog: cat, checks: checks.All(), now: now}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	err = root.ExecuteContext(ctx)
	a.profiles.stop(streams.ErrOut)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(streams.ErrOut, "akscheck: %s\n", sanitize.Lines(ee.err.Error()))
		}
		return ee.code
	}
	// cobra's own errors are flag and argument errors. Errors quote inputs (file names,
	// values): their control and bidi characters are escaped for the terminal.
	fmt.Fprintf(streams.ErrOut, "akscheck: %s\nRun 'akscheck --help' for usage.\n", sanitize.Lines(err.Error()))
	return ExitUsage
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "akscheck",
		Short: "Check AKS clusters and Kubernetes workloads against The AKS Checklist",
		Long: `akscheck checks AKS estates against The AKS Checklist, the Azure Kubernetes Service
best practices, and reports every checklist item as pass, fail, not applicable, not
evaluated, manual or attested.

` + inputKindsHelp + `

Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on (or a score below --fail-below-score)
  2  usage error, or nothing could be read (no input, empty input, every input failed)
  3  some inputs could not be read, or a check could not run: the report covers
     the rest (3 wins over 1; --allow-errors makes it a warning)
Every non-zero exit says why in one line on standard error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version(),
	}
	root.SetVersionTemplate(versionText())
	// --version without -v: -v means verbosity to kubectl users.
	root.Flags().Bool("version", false, "print the version, the commit, the Go version and the date of the shipped AKS version calendar")
	root.PersistentFlags().StringVar(&a.configFile, "config", "", "config file (default: "+config.FileName+" in the working directory or a parent folder up to the repository root, when present)")
	a.profiles.register(root)
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := a.profiles.start(); err != nil {
			return err
		}
		// Every command that lists or runs checks sees the config's custom checks and items.
		if cmd.Name() == "version" || (cmd.Parent() != nil && cmd.Parent().Name() == "config") {
			return nil
		}
		resolved, err := a.resolveConfig(a.configFile)
		if err != nil {
			return err
		}
		a.resolved, a.checks, a.catalog = resolved, resolved.Checks, resolved.Catalog
		return nil
	}
	root.AddCommand(a.scanCommand(), a.fixCommand(), a.upgradePlanCommand(), a.generateCommand(), a.serveCommand(), a.historyCommand(), a.admissionPolicyCommand(), a.checksCommand(), a.itemsCommand(), a.configCommand(), a.versionCommand())
	return root
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the akscheck version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := io.WriteString(cmd.OutOrStdout(), versionText())
			return err
		},
	}
}

// terminalWidth is the width of the terminal w is, or 0 when it is none (a file, a pipe).
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

// versionText says which akscheck this is: its version, the commit and Go version it was
// built from, and the date of the AKS version calendar it judges clusters by.
func versionText() string {
	commit, modified, goVersion := buildCommit, false, runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok && commit == "" {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if commit == "" {
		commit = "unknown (build with -buildvcs=true or -ldflags -X ...cli.buildCommit=...)"
	}
	if modified {
		commit += " (modified)"
	}
	calendar := "unknown"
	if d := aksversion.Shipped(); d != nil && d.AsOf != "" {
		calendar = d.AsOf
	}
	return fmt.Sprintf("akscheck %s\ncommit: %s\ngo: %s\nAKS version calendar: %s\n", Version(), commit, goVersion, calendar)
}

// isTTY reports whether w is a terminal, whatever NO_COLOR says.
func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// isTerminal reports whether w is a terminal that should get colours.
func isTerminal(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
