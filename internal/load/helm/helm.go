// Package helm renders Helm charts with the Helm SDK, as `helm template` does, and loads the
// rendered objects. Each object names the template it came from (Helm's "# Source:" path,
// mapped to the chart's folder) and its line within the rendered document. Only charts already
// vendored in charts/ are used: no repository is contacted.
package helm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/strvals"
	"sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
)

// Options are the values of a render, as helm template takes them.
type Options struct {
	// ValueFiles are merged in order (--values).
	ValueFiles []string
	// Set are key=value overrides applied last (--set).
	Set []string
	// ReleaseName is the release's name; "release-name" like helm template when empty.
	ReleaseName string
	// Namespace is the release namespace; "default" when empty.
	Namespace string
	// Timeout bounds the rendering of one chart (DefaultTimeout when 0): a template loop
	// (range until 100000000) would otherwise hold the scan for as long as it likes.
	Timeout time.Duration
	// MaxOutput bounds the rendered size of one chart, in bytes (DefaultMaxOutput when 0).
	MaxOutput int64
}

// Render budgets of one chart.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultMaxOutput = 64 << 20
)

// runaway counts the renders still running past their deadline. Helm's template engine
// cannot be stopped, so such a render goes on in the background until it ends; while one
// does, no other chart is rendered, which keeps to one the renders nobody waits for.
var runaway atomic.Int32

// IsChart reports whether a directory is a chart (it holds Chart.yaml).
func IsChart(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "Chart.yaml"))
	return err == nil
}

// IsPackagedChart reports whether a file is a packaged chart (.tgz).
func IsPackagedChart(path string) bool {
	return strings.HasSuffix(path, ".tgz") || strings.HasSuffix(path, ".tar.gz")
}

// Load renders the chart at path (a folder or a .tgz) and loads its objects with the manifest
// loader. A chart that cannot be loaded or rendered is one error entry naming it.
func Load(path string, opts Options, mopts manifest.Options) *subject.Scan {
	scan := &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	in := subject.Input{Kind: subject.InputHelm, Source: path}
	rendered, err := Render(path, opts)
	if err != nil {
		scan.Errors = append(scan.Errors, subject.LoadError{Source: path, Message: fmt.Sprintf("rendering helm chart: %v", err)})
		scan.Inputs = append(scan.Inputs, in)
		return scan
	}
	mopts.Input = subject.InputHelm
	if mopts.Namespace == "" {
		mopts.Namespace = releaseNamespace(opts)
	}
	names := make([]string, 0, len(rendered))
	for name := range rendered {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !IsManifest(name) {
			continue
		}
		s := manifest.LoadBytes(sourcePath(path, name), []byte(rendered[name]), mopts)
		scan.Objects = append(scan.Objects, s.Objects...)
		scan.Errors = append(scan.Errors, s.Errors...)
		scan.Skipped += s.Skipped
	}
	in.Objects = len(scan.Objects)
	scan.Inputs = append(scan.Inputs, in)
	scan.Evidence[catalog.Manifest] = true
	return scan
}

func releaseNamespace(opts Options) string {
	if opts.Namespace == "" {
		return "default"
	}
	return opts.Namespace
}

// IsManifest tells rendered templates from partials and notes.
func IsManifest(name string) bool {
	base := filepath.Base(name)
	if strings.HasPrefix(base, "_") || strings.EqualFold(base, "NOTES.txt") {
		return false
	}
	switch strings.ToLower(filepath.Ext(base)) {
	case ".yaml", ".yml", ".json", ".tpl":
		return true
	}
	return false
}

// sourcePath maps Helm's template name ("shop/charts/redis/templates/x.yaml") to the file in
// the chart's folder ("charts/shop/charts/redis/templates/x.yaml").
func sourcePath(chartPath, name string) string {
	_, rest, found := strings.Cut(name, "/")
	if !found || IsPackagedChart(chartPath) {
		return chartPath + ":" + name
	}
	return filepath.Join(chartPath, rest)
}

// Render renders the chart at path (a folder or a .tgz) as helm template does, without
// contacting a cluster or a repository: template name ("chart/templates/x.yaml") to rendered
// text, partials and NOTES.txt included (IsManifest tells them apart).
func Render(path string, opts Options) (map[string]string, error) {
	ch, err := loader.Load(path)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	if err := checkDependencies(ch); err != nil {
		return nil, err
	}
	vals, err := values(opts)
	if err != nil {
		return nil, err
	}
	if err := chartutil.ProcessDependenciesWithMerge(ch, vals); err != nil {
		return nil, fmt.Errorf("processing dependencies: %w", err)
	}
	name := opts.ReleaseName
	if name == "" {
		name = "release-name"
	}
	top, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{
		Name: name, Namespace: releaseNamespace(opts), Revision: 1, IsInstall: true,
	}, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, fmt.Errorf("preparing values: %w", err)
	}
	return renderBounded(ch, top, opts)
}

// renderBounded renders a chart within the time and output budgets of opts.
func renderBounded(ch *chart.Chart, top chartutil.Values, opts Options) (map[string]string, error) {
	timeout, maxOutput := opts.Timeout, opts.MaxOutput
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if maxOutput <= 0 {
		maxOutput = DefaultMaxOutput
	}
	if runaway.Load() > 0 {
		return nil, errors.New("not rendered: the templates of a previous chart are still rendering past their time limit")
	}
	type result struct {
		out map[string]string
		err error
	}
	done := make(chan result, 1)
	const running, finished, abandoned = 0, 1, 2
	var state atomic.Int32
	go func() {
		out, err := engine.Render(ch, top)
		done <- result{out, err}
		if !state.CompareAndSwap(running, finished) {
			runaway.Add(-1) // abandoned: nobody waits for it any more
		}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var res result
	select {
	case res = <-done:
	case <-timer.C:
		runaway.Add(1)
		if state.CompareAndSwap(running, abandoned) {
			return nil, fmt.Errorf("templates took longer than %v to render (a loop over a large range?); not rendered", timeout)
		}
		runaway.Add(-1)
		res = <-done // it ended just now
	}
	if res.err != nil {
		return nil, res.err
	}
	var size int64
	for _, text := range res.out {
		size += int64(len(text))
	}
	if size > maxOutput {
		return nil, fmt.Errorf("templates rendered %d bytes, more than the %d-byte limit; not loaded", size, maxOutput)
	}
	return res.out, nil
}

// checkDependencies fails when a dependency of Chart.yaml is not vendored in charts/.
func checkDependencies(ch *chart.Chart) error {
	if ch.Metadata == nil {
		return nil
	}
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	var missing []string
	for _, d := range ch.Metadata.Dependencies {
		if !have[d.Name] {
			missing = append(missing, d.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("dependencies %s are not in charts/ (run helm dependency build; akscheck does not download charts)", strings.Join(missing, ", "))
	}
	return nil
}

// values merges value files and --set overrides, as helm does.
func values(opts Options) (map[string]any, error) {
	base := map[string]any{}
	for _, f := range opts.ValueFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading values %s: %w", f, err)
		}
		current := map[string]any{}
		if err := yaml.Unmarshal(data, &current); err != nil {
			return nil, fmt.Errorf("parsing values %s: %w", f, err)
		}
		base = mergeMaps(base, current)
	}
	for _, s := range opts.Set {
		if err := strvals.ParseInto(s, base); err != nil {
			return nil, fmt.Errorf("--set %s: %w", s, err)
		}
	}
	return base, nil
}

// mergeMaps merges b into a, recursively, b winning (Helm's rule for value files).
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bv, ok := v.(map[string]any); ok {
			if av, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(av, bv)
				continue
			}
		}
		out[k] = v
	}
	return out
}
