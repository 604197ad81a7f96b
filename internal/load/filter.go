package load

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// IgnoreFile lists, in a scanned directory, the paths akscheck leaves out of it.
const IgnoreFile = ".akscheckignore"

// filter selects the files read while walking a directory. Patterns are globs in the manner
// of .gitignore: one without a slash matches a file or folder name at any depth ("*.md",
// "vendor"), one with a slash matches the path from the scanned directory ("deploy/dev/*",
// "/charts/legacy"), a trailing slash matches folders only, and "dir/**" everything below
// dir. An excluded folder is not entered. With include patterns, only the files that match
// one are read (folders are always entered).
type filter struct {
	exclude, include []pattern
}

type pattern struct {
	glob    string
	rooted  bool // holds a slash: matched against the path from the scanned directory
	dirOnly bool
}

func parsePattern(p string) (pattern, error) {
	p = strings.TrimSpace(p)
	out := pattern{}
	if strings.HasSuffix(p, "/") {
		out.dirOnly = true
		p = strings.TrimSuffix(p, "/")
	}
	if strings.Contains(p, "/") {
		out.rooted = true
		p = strings.TrimPrefix(p, "/")
	}
	if _, err := path.Match(p, ""); err != nil {
		return out, fmt.Errorf("bad pattern %q: %w", p, err)
	}
	out.glob = p
	return out, nil
}

// newFilter builds the filter of a scanned directory: the command line's patterns, and its
// .akscheckignore (a missing file is no error; a bad pattern in it is, naming its line).
func newFilter(root string, exclude, include []string) (*filter, error) {
	f := &filter{}
	var errs []string
	for _, p := range exclude {
		pt, err := parsePattern(p)
		if err != nil {
			errs = append(errs, "--exclude: "+err.Error())
			continue
		}
		f.exclude = append(f.exclude, pt)
	}
	for _, p := range include {
		pt, err := parsePattern(p)
		if err != nil {
			errs = append(errs, "--include: "+err.Error())
			continue
		}
		f.include = append(f.include, pt)
	}
	if data, err := os.ReadFile(filepath.Join(root, IgnoreFile)); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for line := 1; sc.Scan(); line++ {
			text := strings.TrimSpace(sc.Text())
			if text == "" || strings.HasPrefix(text, "#") {
				continue
			}
			pt, err := parsePattern(text)
			if err != nil {
				errs = append(errs, fmt.Sprintf("line %d: %v", line, err))
				continue
			}
			f.exclude = append(f.exclude, pt)
		}
	}
	if len(errs) > 0 {
		return f, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return f, nil
}

func (p pattern) matches(rel string, isDir bool) bool {
	if p.dirOnly && !isDir {
		return false
	}
	if !p.rooted {
		ok, _ := path.Match(p.glob, path.Base(rel))
		return ok
	}
	if prefix, ok := strings.CutSuffix(p.glob, "/**"); ok {
		if m, _ := path.Match(prefix, rel); m {
			return true
		}
		for dir := path.Dir(rel); dir != "."; dir = path.Dir(dir) {
			if m, _ := path.Match(prefix, dir); m {
				return true
			}
		}
		return false
	}
	ok, _ := path.Match(p.glob, rel)
	return ok
}

// excluded reports whether the walk leaves out a path under root.
func (f *filter) excluded(root, p string, isDir bool) bool {
	if f == nil {
		return false
	}
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	rel = filepath.ToSlash(rel)
	for _, pt := range f.exclude {
		if pt.matches(rel, isDir) {
			return true
		}
	}
	if isDir || len(f.include) == 0 {
		return false
	}
	for _, pt := range f.include {
		if pt.matches(rel, false) {
			return false
		}
	}
	return true
}
