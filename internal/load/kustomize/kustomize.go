// Package kustomize builds Kustomize overlays with the Kustomize API (krusty), as
// `kubectl kustomize` does, and loads the objects. Findings name the kustomization folder.
package kustomize

import (
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

// Load builds the kustomization in dir and loads the result. A build error is one error entry
// naming the folder.
func Load(dir string, mopts manifest.Options) *subject.Scan {
	scan := &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	in := subject.Input{Kind: subject.InputKustomize, Source: dir}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err == nil {
		var out []byte
		if out, err = resources.AsYaml(); err == nil {
			mopts.Input = subject.InputKustomize
			// Lines count in the built output: kustomize keeps no origin by default.
			s := manifest.LoadBytes(dir, out, mopts)
			scan.Objects, scan.Errors, scan.Skipped = s.Objects, s.Errors, s.Skipped
		}
	}
	if err != nil {
		scan.Errors = append(scan.Errors, subject.LoadError{Source: dir, Message: fmt.Sprintf("building kustomization: %v", err)})
	}
	in.Objects = len(scan.Objects)
	scan.Inputs = append(scan.Inputs, in)
	scan.Evidence[catalog.Manifest] = true
	return scan
}

// Roots returns the kustomizations of dirs that no other kustomization of dirs uses as a
// resource, base or component. Scanning a repository with base/ and overlays/ then builds the
// overlays only, instead of reporting the base's objects once more on their own.
func Roots(dirs []string) []string {
	used := map[string]bool{}
	for _, d := range dirs {
		for _, ref := range localReferences(d) {
			used[filepath.Clean(ref)] = true
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
