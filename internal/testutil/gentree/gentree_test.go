package gentree

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteIsSeeded checks that a tree is what its seed makes it: the same bytes twice, other
// bytes with another seed, and the object and file counts that Write returns.
func TestWriteIsSeeded(t *testing.T) {
	t.Parallel()
	for _, shape := range []Shape{Dense, Sparse, OneFile} {
		t.Run(string(shape), func(t *testing.T) {
			t.Parallel()
			a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
			ta, err := Write(a, shape, 500, 7)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Write(b, shape, 500, 7); err != nil {
				t.Fatal(err)
			}
			if _, err := Write(c, shape, 500, 8); err != nil {
				t.Fatal(err)
			}
			if ta.Objects < 500 || ta.Objects > 510 {
				t.Errorf("%d objects for 500", ta.Objects)
			}
			ca, docs, files := read(t, a)
			cb, _, _ := read(t, b)
			cc, _, _ := read(t, c)
			if ca != cb {
				t.Error("the same seed wrote different trees")
			}
			if ca == cc {
				t.Error("another seed wrote the same tree")
			}
			if docs != ta.Objects || files != ta.Files {
				t.Errorf("read %d documents in %d files, Write said %d in %d", docs, files, ta.Objects, ta.Files)
			}
		})
	}
}

// TestOneFileHoldsTheDenseTree checks that the one-file tree is the dense tree's documents.
func TestOneFileHoldsTheDenseTree(t *testing.T) {
	t.Parallel()
	dense, one := t.TempDir(), t.TempDir()
	td, err := Write(dense, Dense, 300, 3)
	if err != nil {
		t.Fatal(err)
	}
	to, err := Write(one, OneFile, 300, 3)
	if err != nil {
		t.Fatal(err)
	}
	if to.Files != 1 || to.Objects != td.Objects {
		t.Fatalf("one file: %d objects in %d files; the dense tree has %d objects", to.Objects, to.Files, td.Objects)
	}
	a, _, _ := read(t, dense)
	b, _, _ := read(t, one)
	if docs := func(s string) int { return strings.Count(s, "\nkind: ") }; docs(a) != docs(b) {
		t.Errorf("the one file holds %d kinds, the dense tree %d", docs(b), docs(a))
	}
}

func TestWriteRefusesUnknownShape(t *testing.T) {
	t.Parallel()
	if _, err := Write(t.TempDir(), "round", 10, 1); err == nil {
		t.Error("no error for an unknown shape")
	}
}

func read(t *testing.T, dir string) (all string, docs, files int) {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		b.WriteString(rel + "\n" + string(data))
		docs += strings.Count(string(data), "\n---\n") + 1
		files++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String(), docs, files
}
