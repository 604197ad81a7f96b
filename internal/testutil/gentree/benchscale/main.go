//go:build unix

// Command benchscale is make bench-scale: it generates dense and sparse trees of manifests
// (package gentree) into a temporary folder, runs the akscheck binary's scan on each as a
// user would (-o json to a discarded stdout), and prints for each tree its objects, the wall
// time, objects per second, the CPU time and CPU time over wall time, the peak RSS of the
// scan and that peak less the binary's alone (`akscheck version`), and how much longer each
// tree took than the one before relative to its input (1.00 is linear: twice the input,
// twice the time), in wall time and in CPU time (steadier on a shared machine). The figures
// are the child's own (wait4's rusage), so nothing but Go is needed.
//
//	go run ./internal/testutil/gentree/benchscale -bin bin/akscheck -sizes 21000,42000,105000
//
// -gen DIR only writes the trees (DIR/dense-21000, ...), for profiling or for another tool.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/akscheck/akscheck/internal/testutil/gentree"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchscale:", err)
		os.Exit(1)
	}
}

func run() error {
	bin := flag.String("bin", "bin/akscheck", "the akscheck binary to run")
	sizes := flag.String("sizes", "21000,42000,105000", "tree sizes in objects, comma-separated, ascending")
	shapes := flag.String("shapes", "dense,sparse", "tree shapes, comma-separated (dense, sparse, onefile: the dense tree in one file)")
	seed := flag.Uint64("seed", 1, "generator seed")
	runs := flag.Int("runs", 1, "scans of each tree; the fastest is printed")
	genOnly := flag.String("gen", "", "only write the trees into this folder, and print what was written")
	flag.Parse()

	var ns []int
	for f := range strings.SplitSeq(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return fmt.Errorf("-sizes: %q is not a positive number", f)
		}
		ns = append(ns, n)
	}
	dir := *genOnly
	if dir == "" {
		tmp, err := os.MkdirTemp("", "akscheck-bench-scale-")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(tmp) }()
		dir = tmp
	}
	// Rows print as each scan ends (the large trees take minutes), so columns are fixed.
	const row = "%-6s %8s %6s %6s %8s %9s %7s %8s %9s %9s %11s %10s\n"
	var binaryKiB int64
	if *genOnly == "" {
		// The binary's own pages count in every peak RSS, and how many of them a process maps
		// depends on how the file entered the page cache (docs/performance.md): a byte-identical
		// copy of a binary can peak 10 MiB lower than the file the linker wrote. What a scan
		// holds is its peak less this.
		v, err := measure(*bin, "version")
		if err != nil {
			return err
		}
		binaryKiB = v.maxRSSKiB
		fmt.Printf("%s version alone: peak RSS %.0f MiB\n", *bin, float64(binaryKiB)/1024)
		fmt.Printf(row, "shape", "objects", "files", "MB", "wall s", "objects/s", "CPU s", "CPU/wall", "peak RSS", "less bin", "wall ratio*", "CPU ratio*")
	}
	for shape := range strings.SplitSeq(*shapes, ",") {
		shape = strings.TrimSpace(shape)
		var prev *result
		for _, n := range ns {
			tree := filepath.Join(dir, fmt.Sprintf("%s-%d", shape, n))
			t, err := gentree.Write(tree, gentree.Shape(shape), n, *seed)
			if err != nil {
				return err
			}
			mb := float64(t.Bytes) / (1 << 20)
			if *genOnly != "" {
				fmt.Printf("%s: %d objects in %d files, %.1f MB\n", tree, t.Objects, t.Files, mb)
				continue
			}
			var best *result
			for range max(1, *runs) {
				r, err := scan(*bin, tree)
				if err != nil {
					return fmt.Errorf("%s tree of %d objects: %w", shape, t.Objects, err)
				}
				if best == nil || r.wall < best.wall {
					best = &r
				}
			}
			best.objects = t.Objects
			wallRatio, cpuRatio := "-", "-"
			if prev != nil {
				growth := float64(best.objects) / float64(prev.objects)
				wallRatio = fmt.Sprintf("%.2f", best.wall.Seconds()/prev.wall.Seconds()/growth)
				cpuRatio = fmt.Sprintf("%.2f", best.cpu.Seconds()/prev.cpu.Seconds()/growth)
			}
			fmt.Printf(row, shape, strconv.Itoa(t.Objects), strconv.Itoa(t.Files), fmt.Sprintf("%.1f", mb),
				fmt.Sprintf("%.2f", best.wall.Seconds()), fmt.Sprintf("%.0f", float64(best.objects)/best.wall.Seconds()),
				fmt.Sprintf("%.2f", best.cpu.Seconds()), fmt.Sprintf("%.2f", best.cpu.Seconds()/best.wall.Seconds()),
				fmt.Sprintf("%.0f MiB", float64(best.maxRSSKiB)/1024), fmt.Sprintf("%.0f MiB", float64(best.maxRSSKiB-binaryKiB)/1024),
				wallRatio, cpuRatio)
			prev = best
			// The next tree needs the disk more than this one.
			if err := os.RemoveAll(tree); err != nil {
				return err
			}
		}
	}
	if *genOnly == "" {
		fmt.Println("* time over the previous tree's, divided by the input's growth: 1.00 is linear (2x input, 2x time)")
	}
	return nil
}

type result struct {
	objects   int
	wall, cpu time.Duration
	maxRSSKiB int64
}

// scan runs akscheck scan -o json on tree, with its report discarded.
func scan(bin, tree string) (result, error) {
	// A tree of one huge file is read whole: the file size limit is lifted (--max-file-size,
	// as its user would), the total size limit too.
	return measure(bin, "scan", "-o", "json", "--max-file-size", "4294967296", "--max-total-size", "17179869184", tree)
}

// measure runs the binary with its output discarded and returns its wall time, CPU time and
// peak RSS. Exit code 1 (a scan's findings) is an expected outcome; any other but 0 is an
// error.
func measure(bin string, args ...string) (result, error) {
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && (!errors.As(err, &exit) || exit.ExitCode() != 1) {
		return result{}, fmt.Errorf("%s %s: %w: %s", bin, args[0], err, tail(stderr.String()))
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return result{}, errors.New("no resource usage for the run on this system")
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	// Linux reports ru_maxrss in KiB.
	return result{wall: wall, cpu: cpu, maxRSSKiB: ru.Maxrss}, nil
}

func tail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}
