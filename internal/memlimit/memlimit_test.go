package memlimit

import (
	"math"
	"runtime/debug"
	"testing"
	"testing/fstest"
)

func TestFromCgroup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files fstest.MapFS
		want  int64
		ok    bool
	}{
		{"cgroup v2 limit", fstest.MapFS{"memory.max": {Data: []byte("536870912\n")}}, 536870912, true},
		{"cgroup v2 without limit", fstest.MapFS{"memory.max": {Data: []byte("max\n")}}, 0, false},
		{"cgroup v1 limit", fstest.MapFS{"memory/memory.limit_in_bytes": {Data: []byte("1073741824\n")}}, 1073741824, true},
		{"cgroup v1 without limit", fstest.MapFS{"memory/memory.limit_in_bytes": {Data: []byte("9223372036854771712\n")}}, 0, false},
		{"v2 wins over v1", fstest.MapFS{"memory.max": {Data: []byte("1000")}, "memory/memory.limit_in_bytes": {Data: []byte("2000")}}, 1000, true},
		{"garbage", fstest.MapFS{"memory.max": {Data: []byte("lots")}}, 0, false},
		{"zero", fstest.MapFS{"memory.max": {Data: []byte("0")}}, 0, false},
		{"no cgroup", fstest.MapFS{}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := FromCgroup(tt.files)
			if got != tt.want || ok != tt.ok {
				t.Errorf("FromCgroup = %d, %v; want %d, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestApply sets the runtime's limit (not in parallel: it is the process's).
func TestApply(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	limited := fstest.MapFS{"memory.max": {Data: []byte("1000000000")}}
	debug.SetMemoryLimit(math.MaxInt64)
	if got := apply(limited, "1GiB"); got != 0 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set: apply = %d, limit %d; want the user's choice left alone", got, debug.SetMemoryLimit(-1))
	}
	if got := apply(fstest.MapFS{"memory.max": {Data: []byte("max")}}, ""); got != 0 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Errorf("no cgroup limit: apply = %d; want none", got)
	}
	if got := apply(limited, ""); got != 900000000 || debug.SetMemoryLimit(-1) != 900000000 {
		t.Errorf("apply = %d, runtime limit %d; want 900000000 (90%% of the cgroup's)", got, debug.SetMemoryLimit(-1))
	}
}
