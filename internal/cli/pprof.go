package cli

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// profiles are the hidden --cpuprofile and --memprofile flags: pprof files of one command,
// for whoever measures the scan (docs/performance.md), not a user's everyday option.
type profiles struct {
	cpu, mem string
	cpuFile  *os.File
}

func (p *profiles) register(root *cobra.Command) {
	fl := root.PersistentFlags()
	fl.StringVar(&p.cpu, "cpuprofile", "", "write a pprof CPU profile of the command to this file")
	fl.StringVar(&p.mem, "memprofile", "", "write a pprof heap profile (allocations since the start, and what is live at the end) to this file")
	_ = fl.MarkHidden("cpuprofile") // fails only for an unknown flag
	_ = fl.MarkHidden("memprofile")
}

func (p *profiles) start() error {
	if p.mem != "" {
		// A sample every 4 KiB allocated, not every 512 KiB: the many small allocations of
		// decoding are what the profile is for.
		runtime.MemProfileRate = 4 << 10
	}
	if p.cpu == "" {
		return nil
	}
	f, err := os.Create(p.cpu)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	p.cpuFile = f
	return nil
}

// stop ends the CPU profile and writes the heap profile; errors go to errOut, since the
// command's own outcome is what the exit code reports.
func (p *profiles) stop(errOut io.Writer) {
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		if err := p.cpuFile.Close(); err != nil {
			fmt.Fprintf(errOut, "akscheck: --cpuprofile: %v\n", err)
		}
		p.cpuFile = nil
	}
	if p.mem == "" {
		return
	}
	f, err := os.Create(p.mem)
	if err == nil {
		// A profile holds what was allocated up to the last collection: collect now, or
		// what the command did since (its checks, say) is missing.
		runtime.GC()
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(errOut, "akscheck: --memprofile: %v\n", err)
	}
}
