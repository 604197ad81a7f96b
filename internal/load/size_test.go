package load

import (
	"os"
	"path/filepath"
	"testing"
)

func TestInputsLargerThan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, size int) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, size), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	one := write("a.yaml", 100)
	write("sub/b.yaml", 200)
	write("sub/deeper/c.json", 300)
	if err := os.Symlink(one, filepath.Join(dir, "sub", "link.yaml")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		paths []string
		n     int64
		want  bool
	}{
		{"a folder under n", []string{dir}, 600, false},
		{"a folder over n", []string{dir}, 599, true},
		{"a file", []string{one}, 99, true},
		{"a file at n", []string{one}, 100, false},
		{"paths add up", []string{one, filepath.Join(dir, "sub")}, 599, true},
		{"standard input and missing paths count nothing", []string{"-", filepath.Join(dir, "none")}, 0, false},
	}
	for _, tt := range tests {
		if got := InputsLargerThan(tt.paths, tt.n); got != tt.want {
			t.Errorf("%s: InputsLargerThan(%d) = %v, want %v", tt.name, tt.n, got, tt.want)
		}
	}
}
