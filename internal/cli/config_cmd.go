package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/config"
)

// resolveConfig reads the config file (the given one, else .akscheck.yaml of the working
// directory when present) and resolves it against the catalog and the checks. A broken config
// stops the run before any scanning: exit code 2, every problem with its file and line.
func (a *app) resolveConfig(path string) (*config.Resolved, error) {
	cfg := config.Default()
	if path == "" {
		path = config.Find()
	}
	if path != "" {
		var err error
		settings, err := check.SettingsOf(a.checks)
		if err != nil {
			return nil, err
		}
		if cfg, err = config.LoadFile(path, settings); err != nil {
			return nil, &exitError{code: ExitUsage, err: fmt.Errorf("invalid config:\n%w", err)}
		}
	}
	resolved, err := cfg.Resolve(a.catalog, a.checks)
	if err != nil {
		return nil, &exitError{code: ExitUsage, err: fmt.Errorf("invalid config:\n%w", err)}
	}
	return resolved, nil
}

func (a *app) configCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Write or check the config file (" + config.FileName + ")",
	}
	var force bool
	initCmd := &cobra.Command{
		Use:   "init [FILE]",
		Short: "Write a commented starter config listing every check with its default severity",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := config.FileName
			if len(args) == 1 {
				path = args[0]
			}
			if path == "-" {
				return config.WriteStarter(cmd.OutOrStdout(), a.checks)
			}
			flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(path, flags, 0o644)
			if errors.Is(err, os.ErrExist) {
				return usageErr("%s exists; use --force to overwrite it", path)
			}
			if err != nil {
				return usageErr("%v", err)
			}
			if err := config.WriteStarter(f, a.checks); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", path)
			return err
		},
	}
	initCmd.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	validate := &cobra.Command{
		Use:   "validate [FILE]",
		Short: "Check a config file: keys, check and item IDs, reasons, custom CEL checks",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			} else if path = config.Find(); path == "" {
				return usageErr("no %s in the working directory or its parents up to the repository root", config.FileName)
			}
			if _, err := a.resolveConfig(path); err != nil {
				return err
			}
			return writeLine(cmd.OutOrStdout(), path+": valid")
		},
	}
	cmd.AddCommand(initCmd, validate)
	return cmd
}

func writeLine(w io.Writer, s string) error {
	_, err := io.WriteString(w, strings.TrimRight(s, "\n")+"\n")
	return err
}
