//go:build unix

package load

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestWalkFollowsSymlinks: links to files and folders are followed; a loop ends; a file met
// through two paths is read once, by its own path; a broken link and a FIFO are errors.
func TestWalkFollowsSymlinks(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	write(t, outside, "shared/b.yaml", cm("b"))
	write(t, outside, "chart/Chart.yaml", "apiVersion: v2\nname: linked\nversion: 0.1.0\n")
	write(t, outside, "chart/templates/cm.yaml", cm("from-chart"))
	dir := t.TempDir()
	write(t, dir, "real/a.yaml", cm("a"))
	symlink(t, filepath.Join(dir, "real", "a.yaml"), filepath.Join(dir, "a-link.yaml")) // before real/ in the walk
	symlink(t, filepath.Join(outside, "shared"), filepath.Join(dir, "shared"))
	symlink(t, filepath.Join(outside, "chart"), filepath.Join(dir, "chart"))
	symlink(t, dir, filepath.Join(dir, "real", "loop"))
	symlink(t, "..", filepath.Join(dir, "real", "up"))
	symlink(t, filepath.Join(dir, "nowhere.yaml"), filepath.Join(dir, "broken.yaml"))
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}

	s := Load(t.Context(), []string{dir}, Options{})
	var names []string
	for _, o := range s.Objects {
		names = append(names, o.Name()+"@"+o.Source.File)
	}
	slices.Sort(names)
	want := []string{
		"a@" + filepath.Join(dir, "real", "a.yaml"),
		"b@" + filepath.Join(dir, "shared", "b.yaml"),
		"from-chart@" + filepath.Join(dir, "chart", "templates", "cm.yaml"),
	}
	if !slices.Equal(names, want) {
		t.Errorf("objects = %v, want %v", names, want)
	}
	var sources []string
	for _, e := range s.Errors {
		sources = append(sources, e.Source)
	}
	slices.Sort(sources)
	if !slices.Equal(sources, []string{filepath.Join(dir, "broken.yaml"), filepath.Join(dir, "pipe.yaml")}) {
		t.Errorf("errors = %+v", s.Errors)
	}

	// A linked folder named on the command line is walked.
	s = Load(t.Context(), []string{filepath.Join(dir, "shared")}, Options{})
	if len(s.Objects) != 1 || len(s.Errors) != 0 {
		t.Errorf("linked root: objects = %d, errors = %+v", len(s.Objects), s.Errors)
	}
}
