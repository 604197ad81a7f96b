package kustomize

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// A kustomization can name files and bases on the network: an http(s) URL is fetched with an
// HTTP GET, and a git reference (https://host/org/repo, github.com/org/repo, git@host:repo,
// ssh://, file://, git::) is cloned with git. krusty lets no caller replace its HTTP client or
// its git cloner, so akscheck reads the kustomizations first and refuses to build one that
// names the network, unless remote references are allowed (--allow-remote). A scanner of
// untrusted repositories must not send requests on their behalf (to internal addresses, to the
// cloud metadata endpoint).

// ErrRemote is wrapped by the error of a kustomization that names a remote resource.
var ErrRemote = errors.New("akscheck does not fetch from the network (--allow-remote fetches it)")

// scpAddress is an SCP-style git address (git@github.com:org/repo), as kustomize reads it: a
// user, a host, then a path after a colon or a slash.
var scpAddress = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@[^/:]+[:/].`)

// scheme is the scheme of a URL (https://, ssh://, file://).
var scheme = regexp.MustCompile(`^[a-z][a-z0-9+.-]*://`)

// IsRemote reports whether kustomize would fetch ref over the network or with git rather than
// read it from the disk. It errs on the side of remote: it is the necessary condition of
// kustomize's own URL and git address parsing. Inline content (a patch, a generator written
// in the kustomization) spans lines, and is no reference.
func IsRemote(ref string) bool {
	r := strings.ToLower(strings.TrimSpace(ref))
	if strings.Contains(r, "\n") {
		return false
	}
	if strings.HasPrefix(r, "git::") || scheme.MatchString(r) {
		return true
	}
	return scpAddress.MatchString(r) || strings.HasPrefix(r, "github.com/") || strings.HasPrefix(r, "github.com:")
}

// reference is a path a kustomization names, with the field that names it.
type reference struct {
	field, path string
}

// kustomizationFile is a kustomization as written, with the deprecated fields kustomize still
// reads (named here so that they shadow the deprecated ones of types.Kustomization).
type kustomizationFile struct {
	types.Kustomization
	Bases                 []string      `json:"bases,omitempty"`
	PatchesStrategicMerge []string      `json:"patchesStrategicMerge,omitempty"`
	PatchesJSON6902       []types.Patch `json:"patchesJson6902,omitempty"`
}

// references lists every path or address a kustomization names.
func references(k *kustomizationFile) []reference {
	var out []reference
	add := func(field string, paths ...string) {
		for _, p := range paths {
			if p != "" {
				out = append(out, reference{field, p})
			}
		}
	}
	add("resource", k.Resources...)
	add("base", k.Bases...)
	add("component", k.Components...)
	add("CRD file", k.Crds...)
	add("configuration", k.Configurations...)
	add("generator", k.Generators...)
	add("transformer", k.Transformers...)
	add("validator", k.Validators...)
	add("OpenAPI schema", k.OpenAPI["path"])
	for _, p := range k.PatchesStrategicMerge {
		add("patch", p)
	}
	for _, p := range k.Patches {
		add("patch", p.Path)
	}
	for _, p := range k.PatchesJSON6902 {
		add("patch", p.Path)
	}
	for _, r := range k.Replacements {
		add("replacement", r.Path)
	}
	sources := func(field string, s types.KvPairSources) {
		for _, f := range s.FileSources {
			// key=path or path
			if _, p, ok := strings.Cut(f, "="); ok {
				f = p
			}
			add(field, f)
		}
		add(field, s.EnvSources...)
		add(field, s.EnvSource)
	}
	for _, g := range k.ConfigMapGenerator {
		sources("configMapGenerator source", g.KvPairSources)
	}
	for _, g := range k.SecretGenerator {
		sources("secretGenerator source", g.KvPairSources)
	}
	for _, h := range k.HelmCharts {
		add("Helm chart repository", h.Repo)
	}
	for _, h := range k.HelmChartInflationGenerator {
		add("Helm chart repository", h.ChartRepoURL)
	}
	return out
}

// readKustomization reads the kustomization file of dir: its path, its text and its content.
func readKustomization(dir string) (string, []byte, *kustomizationFile, error) {
	for _, n := range fileNames {
		p := filepath.Join(dir, n)
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var k kustomizationFile
		if err := yaml.Unmarshal(data, &k); err != nil {
			return p, data, nil, err
		}
		return p, data, &k, nil
	}
	return "", nil, nil, os.ErrNotExist
}

// lineOf returns the first line of data that names ref, or 0.
func lineOf(data []byte, ref string) int {
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, ref) {
			return i + 1
		}
	}
	return 0
}

// refusal is a remote reference or a cycle found in a kustomization, at its file and line.
type refusal struct {
	file    string
	line    int
	message string
}

func (r *refusal) Error() string {
	if r.line > 0 {
		return fmt.Sprintf("%s:%d: %s", r.file, r.line, r.message)
	}
	return fmt.Sprintf("%s: %s", r.file, r.message)
}

// checker reads a kustomization and those of its local bases and components, recursively,
// for remote references (unless allowRemote) and cycles.
type checker struct {
	allowRemote bool
	stack       []string        // folders being checked, outermost first
	done        map[string]bool // folders found clean: a base shared by several overlays is read once
}

// check returns the first remote reference or cycle of the kustomization in dir.
func (c *checker) check(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil || c.done[abs] {
		return nil
	}
	file, data, k, err := readKustomization(dir)
	if err != nil || k == nil {
		return nil // krusty reports what it cannot read
	}
	c.stack = append(c.stack, abs)
	defer func() { c.stack = c.stack[:len(c.stack)-1] }()
	for _, r := range references(k) {
		if IsRemote(r.path) {
			if c.allowRemote {
				continue
			}
			return &refusal{file: file, line: lineOf(data, r.path),
				message: fmt.Sprintf("remote %s %s refused: %v", r.field, r.path, ErrRemote)}
		}
		p := filepath.Join(dir, r.path)
		info, err := os.Stat(p)
		if err != nil || !info.IsDir() {
			continue
		}
		pabs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		for i, s := range c.stack {
			if s == pabs {
				chain := append(append([]string{}, c.stack[i:]...), pabs)
				return &refusal{file: file, line: lineOf(data, r.path),
					message: fmt.Sprintf("kustomizations %s and %s use each other (%s): neither can be built", abs, pabs, strings.Join(chain, " -> "))}
			}
		}
		if err := c.check(p); err != nil {
			return err
		}
	}
	c.done[abs] = true
	return nil
}
