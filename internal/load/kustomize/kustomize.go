// Package kustomize builds Kustomize overlays with the Kustomize API (krusty), as
// `kubectl kustomize` does, and loads the objects. Findings name the kustomization folder.
package kustomize

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
)

// fileNames are the names Kustomize recognizes for a kustomization.
var fileNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// IsKustomization reports whether a directory holds a kustomization.
func IsKustomization(dir string) bool {
	for _, n := range fileNames {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return true
		}
	}
	return false
}

// Options tune a kustomization build.
type Options struct {
	// Manifest tunes the loading of the built objects.
	Manifest manifest.Options
	// AllowRemote lets kustomize fetch the http(s) resources and clone the git bases a
	// kustomization names (--allow-remote). Without it such a kustomization is not built.
	AllowRemote bool
}

// Load builds the kustomization in dir and loads the result. A build error is one error entry
// naming the folder; a remote reference (refused without AllowRemote) or a cycle of
// kustomizations is one error entry naming the kustomization file and line.
func Load(dir string, opts Options) *subject.Scan {
	scan := &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	in := subject.Input{Kind: subject.InputKustomize, Source: dir}
	defer func() {
		in.Objects = len(scan.Objects)
		scan.Inputs = append(scan.Inputs, in)
		scan.Evidence[catalog.Manifest] = true
	}()
	c := &checker{allowRemote: opts.AllowRemote, done: map[string]bool{}}
	if err := c.check(dir); err != nil {
		var r *refusal
		if errors.As(err, &r) {
			scan.Errors = append(scan.Errors, subject.LoadError{Source: r.file, Line: r.line, Message: r.message})
		} else {
			scan.Errors = append(scan.Errors, subject.LoadError{Source: dir, Message: err.Error()})
		}
		return scan
	}
	// An absolute path: kustomize reads a root such as github.com/org/repo as a git address
	// before it looks on the disk.
	root, err := filepath.Abs(dir)
	if err != nil {
		scan.Errors = append(scan.Errors, subject.LoadError{Source: dir, Message: err.Error()})
		return scan
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), root)
	if err == nil {
		var out []byte
		if out, err = resources.AsYaml(); err == nil {
			mopts := opts.Manifest
			mopts.Input = subject.InputKustomize
			// Lines count in the built output: kustomize keeps no origin by default.
			s := manifest.LoadBytes(dir, out, mopts)
			scan.Objects, scan.Errors, scan.Skipped = s.Objects, s.Errors, s.Skipped
		}
	}
	if err != nil {
		scan.Errors = append(scan.Errors, subject.LoadError{Source: dir, Message: fmt.Sprintf("building kustomization: %v", err)})
	}
	return scan
}

// Roots returns the kustomizations of dirs that no other kustomization of dirs uses as a
// resource, base or component. Scanning a repository with base/ and overlays/ then builds the
// overlays only, instead of reporting the base's objects once more on their own.
// Kustomizations that use each other (a cycle) are all roots: building them reports the
// cycle, instead of dropping them silently.
func Roots(dirs []string) []string {
	refs := map[string][]string{}
	refsOf := func(d string) []string {
		d = filepath.Clean(d)
		r, ok := refs[d]
		if !ok {
			for _, x := range localReferences(d) {
				r = append(r, filepath.Clean(x))
			}
			refs[d] = r
		}
		return r
	}
	// reaches tells whether from uses to, directly or through other kustomizations.
	reaches := func(from, to string) bool {
		seen := map[string]bool{}
		stack := []string{from}
		for len(stack) > 0 {
			d := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if d == to {
				return true
			}
			if seen[d] {
				continue
			}
			seen[d] = true
			stack = append(stack, refsOf(d)...)
		}
		return false
	}
	used := map[string]bool{}
	for _, d := range dirs {
		for _, ref := range refsOf(d) {
			if !reaches(ref, filepath.Clean(d)) {
				used[ref] = true
			}
		}
	}
	var out []string
	for _, d := range dirs {
		if !used[filepath.Clean(d)] {
			out = append(out, d)
		}
	}
	return out
}

// localReferences lists the folders a kustomization refers to.
func localReferences(dir string) []string {
	var k struct {
		Resources  []string `json:"resources"`
		Bases      []string `json:"bases"`
		Components []string `json:"components"`
	}
	for _, n := range fileNames {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			continue
		}
		if yaml.Unmarshal(data, &k) != nil {
			return nil
		}
		break
	}
	var out []string
	for _, r := range append(append(k.Resources, k.Bases...), k.Components...) {
		p := filepath.Join(dir, r)
		if info, err := os.Stat(p); err == nil && info.IsDir() {
			out = append(out, p)
		}
	}
	return out
}
