// Package memlimit gives the Go runtime a soft memory limit from the container's: in a pod or
// a CI job whose memory is limited by its cgroup, the garbage collector works harder as the
// heap nears the limit instead of letting the kernel kill the process at it.
package memlimit

import (
	"bytes"
	"io/fs"
	"os"
	"runtime/debug"
	"strconv"
)

// Share is the part of the cgroup's limit given to the Go heap: the rest is for what the
// runtime does not count (stacks of cgo, the binary, page cache charged to the cgroup).
const Share = 0.9

// cgroup files that hold the memory limit, under /sys/fs/cgroup: v2 first, then v1.
var limitFiles = []string{"memory.max", "memory/memory.limit_in_bytes"}

// unlimitedV1 is what cgroup v1 reports for no limit (a page-aligned maximum int64); any
// value from it up means none.
const unlimitedV1 = 1 << 62

// FromCgroup returns the memory limit of the cgroup mounted at root (the fs of
// /sys/fs/cgroup), false when it sets none or cannot be read.
func FromCgroup(root fs.FS) (int64, bool) {
	for _, name := range limitFiles {
		b, err := fs.ReadFile(root, name)
		if err != nil {
			continue
		}
		v := string(bytes.TrimSpace(b))
		if v == "max" {
			return 0, false
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 || n >= unlimitedV1 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

// Apply sets the runtime's soft memory limit to Share of the cgroup's limit, unless
// GOMEMLIMIT is set (the user's choice wins) or the process has no limit. It returns the
// limit set, 0 when none.
func Apply() int64 {
	return apply(os.DirFS("/sys/fs/cgroup"), os.Getenv("GOMEMLIMIT"))
}

func apply(cgroup fs.FS, gomemlimit string) int64 {
	if gomemlimit != "" {
		return 0
	}
	limit, ok := FromCgroup(cgroup)
	if !ok {
		return 0
	}
	soft := int64(float64(limit) * Share)
	debug.SetMemoryLimit(soft)
	return soft
}
