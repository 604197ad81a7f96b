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
	// What the load does not read: a hidden folder (a repository's .git), a name of no
	// input kind, an excluded file, a link.
	write(".git/big.yaml", 10000)
	write("docs/diagram.png", 10000)
	write("generated/huge.yaml", 10000)
	if err := os.Symlink(one, filepath.Join(dir, "sub", "link.yaml")); err != nil {
		t.Fatal(err)
	}
	excluding := Options{Exclude: []string{"generated/"}}
	tests := []struct {
		name  string
		paths []string
		opts  Options
		n     int64
		want  bool
	}{
		{"a folder under n", []string{dir}, excluding, 600, false},
		{"a folder over n", []string{dir}, excluding, 599, true},
		{"an excluded file counts when not excluded", []string{dir}, Options{}, 600, true},
		{"a file", []string{one}, Options{}, 99, true},
		{"a file at n", []string{one}, Options{}, 100, false},
		{"paths add up", []string{one, filepath.Join(dir, "sub")}, Options{}, 599, true},
		{"standard input and missing paths count nothing", []string{"-", filepath.Join(dir, "none")}, Options{}, 0, false},
	}
	for _, tt := range tests {
		if got := InputsLargerThan(tt.paths, tt.opts, tt.n); got != tt.want {
			t.Errorf("%s: InputsLargerThan(%d) = %v, want %v", tt.name, tt.n, got, tt.want)
		}
	}
}
