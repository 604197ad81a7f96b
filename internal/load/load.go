// Package load reads the inputs of a scan: it walks the given paths, tells each file's kind by
// its name and content (never by its folder), and hands it to the loader of that kind. Every
// loader returns a subject.Scan; this package merges them into one.
package load

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/load/arm"
	"github.com/akscheck/akscheck/internal/load/dockerfile"
	"github.com/akscheck/akscheck/internal/load/helm"
	"github.com/akscheck/akscheck/internal/load/kustomize"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/load/scanreport"
	"github.com/akscheck/akscheck/internal/load/terraform"
	"github.com/akscheck/akscheck/internal/subject"
)

// Options tune every loader.
type Options struct {
	// Manifest tunes the Kubernetes manifest loader; its Stdin is read for "-".
	Manifest manifest.Options
	// ARM tunes the Azure resource JSON and ARM template loader.
	ARM arm.Options
	// Terraform tunes the Terraform loader.
	Terraform terraform.Options
	// Bicep names the Bicep compiler (--bicep, AKSCHECK_BICEP); bicep on PATH by default.
	Bicep BicepOptions
	// Dockerfile tunes the Dockerfile loader (--target).
	Dockerfile dockerfile.Options
	// Helm are the values of chart renders (--values, --set, --release-name).
	Helm helm.Options
	// ScanReports are the files and directories of image scan reports (--scan-reports).
	// Reports are read from there only: one met among the scanned paths is left alone.
	ScanReports []string
	// Exclude and Include are globs that select the files read while walking a directory
	// (--exclude, --include; a directory's .akscheckignore adds to Exclude): see Filter.
	// Paths named on the command line are always read.
	Exclude, Include []string
	// MaxTotalSize bounds the bytes read from the files of a run, DefaultMaxTotalSize when 0
	// (--max-total-size). The file that reaches it is an error entry, and nothing more is
	// read. Charts and kustomizations read their own files: those are not counted.
	MaxTotalSize int64
	// AllowRemote lets kustomizations fetch their http(s) resources and git bases
	// (--allow-remote); without it a kustomization that names one is refused, not built.
	AllowRemote bool
	// Progress, when set, hears each input as it is read (a file, a chart, a kustomization,
	// a Terraform module, standard input) with how many subjects it held.
	Progress func(source string, subjects int)
	// StreamFileSize is the size from which a YAML manifest file is read a batch of
	// documents at a time instead of whole (manifest.LoadReader), DefaultStreamFileSize
	// when 0. The result is the same; only the memory the file takes while it loads differs.
	StreamFileSize int64

	// budget is what is left of MaxTotalSize, shared by the loaders of one Load.
	budget *budget
}

// DefaultMaxTotalSize is the default of Options.MaxTotalSize: 1 GiB.
const DefaultMaxTotalSize = 1 << 30

// DefaultStreamFileSize is the default of Options.StreamFileSize: 8 MiB. Below it a file is
// read whole and parsed with one parser, which is faster for the small files of a tree.
const DefaultStreamFileSize = 8 << 20

// budget counts the bytes a run still may read.
type budget struct {
	limit, used int64
	reached     bool
}

// take counts n bytes read; past the limit it fails, and every later take fails too.
func (b *budget) take(n int64) error {
	if b == nil {
		return nil
	}
	if !b.reached && b.used+n <= b.limit {
		b.used += n
		return nil
	}
	b.reached = true
	return fmt.Errorf("not scanned: with it the inputs pass the %d-byte total limit (--max-total-size); nothing more is read", b.limit)
}

// exhausted reports whether the budget was reached: nothing more is read.
func (b *budget) exhausted() bool {
	return b != nil && b.reached
}

// readInput reads a file within the per-file limit and the run's budget.
func (o Options) readInput(ctx context.Context, path string) ([]byte, error) {
	data, err := readFile(ctx, path, maxSize(o))
	if err != nil {
		return nil, err
	}
	if err := o.budget.take(int64(len(data))); err != nil {
		return nil, err
	}
	return data, nil
}

func (o Options) kustomize() kustomize.Options {
	return kustomize.Options{Manifest: o.Manifest, AllowRemote: o.AllowRemote}
}

// read merges what one input held into scan and tells Progress.
func (o Options) read(scan, s *subject.Scan, source string) {
	scan.Merge(s)
	if o.Progress != nil {
		o.Progress(source, len(s.Objects)+len(s.Others))
	}
}

// FileKind is the kind of input a file holds.
type FileKind int

// File kinds.
const (
	// KindManifest is Kubernetes YAML or JSON (and any YAML/JSON that is nothing else: its
	// documents are skipped and counted).
	KindManifest FileKind = iota
	// KindIgnored files are not read (no known extension or name).
	KindIgnored
	// KindARM is Azure resource JSON (az CLI or REST output) or an ARM template.
	KindARM
	// KindTerraform is a .tf file (or a .tfvars file); a directory's are read as one module.
	KindTerraform
	// KindTerraformPlan is terraform show -json output.
	KindTerraformPlan
	// KindDockerfile is a Dockerfile or Containerfile (told by its name).
	KindDockerfile
	// KindBicep is a .bicep file: compiled with the Bicep compiler when one is found
	// (package bicep), else an error entry says how to compile it.
	KindBicep
)

// BicepOptions name the Bicep compiler.
type BicepOptions struct {
	// Compiler is a path or command name; empty means bicep on PATH.
	Compiler string
	// Timeout bounds one compilation; bicep.DefaultTimeout when 0.
	Timeout time.Duration
}

// Load reads every path: files, directories (recursively) and "-" for standard input.
func Load(ctx context.Context, paths []string, opts Options) *subject.Scan {
	scan := &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	if opts.budget == nil {
		limit := opts.MaxTotalSize
		if limit <= 0 {
			limit = DefaultMaxTotalSize
		}
		opts.budget = &budget{limit: limit}
	}
	if opts.Manifest.Shared == nil {
		opts.Manifest.Shared = subject.NewSharedStrings()
	}
	modules := map[string]bool{} // folders of the Terraform modules named file by file
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			scan.Errors = append(scan.Errors, subject.LoadError{Source: p, Message: err.Error()})
			break
		}
		if opts.budget.exhausted() {
			break
		}
		switch info, err := os.Stat(p); {
		case p == manifest.Stdin:
			opts.read(scan, loadStdin(ctx, opts), "<stdin>")
		case err != nil:
			scan.Errors = append(scan.Errors, subject.LoadError{Source: p, Message: describeFSError(err)})
		case info.IsDir() && helm.IsChart(p):
			opts.read(scan, helm.Load(p, opts.Helm, opts.Manifest), p)
		case info.IsDir() && kustomize.IsKustomization(p):
			opts.read(scan, kustomize.Load(p, opts.kustomize()), p)
		case info.IsDir():
			scan.Merge(loadDir(ctx, p, opts))
		case helm.IsPackagedChart(p):
			opts.read(scan, helm.Load(p, opts.Helm, opts.Manifest), p)
		default:
			if kindByName(p) == KindTerraform && !terraform.IsVarFile(p) {
				// Every .tf file named of one folder is the same module: read it once.
				if modules[filepath.Dir(p)] {
					continue
				}
				modules[filepath.Dir(p)] = true
			}
			scan.Merge(loadFiles(ctx, []string{p}, opts, true))
		}
	}
	// Azure resource JSON of several files (a cluster, its node pools, its diagnostic
	// settings) is tied together by ARM IDs once everything is read; a Terraform plan wins
	// over the .tf files of its directory.
	scan.Others = terraform.PreferPlans(arm.Link(scan.Others))
	scan.Merge(loadScanReports(ctx, opts))
	return scan
}

// loadStdin reads standard input. YAML is read a batch of documents at a time, as a large
// file is (`helm template | akscheck scan -` can be as large as any file); anything else
// (JSON that the sniffing tells apart, a binary stream) is read whole.
func loadStdin(ctx context.Context, opts Options) *subject.Scan {
	const source = "<stdin>"
	fail := func(err error) *subject.Scan {
		return &subject.Scan{Errors: []subject.LoadError{{Source: source, Message: err.Error()}}}
	}
	if opts.Manifest.Stdin == nil {
		return fail(errors.New("no standard input"))
	}
	in := bufio.NewReaderSize(&cancellableReader{ctx: ctx, r: opts.Manifest.Stdin}, 64<<10)
	scan, size, err := manifest.LoadBuffered(ctx, source, in, maxSize(opts), opts.Manifest)
	switch {
	case errors.Is(err, manifest.ErrNotStreamed):
		data, err := readLimited(ctx, in, maxSize(opts))
		if err == nil {
			err = opts.budget.take(int64(len(data)))
		}
		if err != nil {
			return fail(err)
		}
		return loadContent(source, data, KindManifest, opts)
	case ctx.Err() != nil:
		return fail(errCancelled)
	case err != nil:
		return fail(err)
	}
	if err := opts.budget.take(size); err != nil {
		return fail(err)
	}
	scan.Evidence = map[catalog.Evidence]bool{catalog.Manifest: true}
	return scan
}

// cancellableReader ends a read that blocks (a pipe nobody writes to) when ctx is done, as
// readLimited does: the read itself goes on in the background, into a buffer nothing reads
// again, since every later Read returns at once.
type cancellableReader struct {
	ctx context.Context
	r   io.Reader
	buf []byte
}

func (c *cancellableReader) Read(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, errCancelled
	}
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	buf := c.buf[:len(p)]
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := c.r.Read(buf)
		done <- result{n, err}
	}()
	select {
	case res := <-done:
		return copy(p, buf[:res.n]), res.err
	case <-c.ctx.Done():
		return 0, errCancelled
	}
}

// loadDir walks a directory. Folders whose name starts with "." (.git, .github) are skipped.
// Symbolic links are followed, to files and to folders; a folder already walked (through
// another link, or an ancestor: a loop) is not walked again, and a file read through two paths
// is read once. Every file the walk meets is read or, when it is of a kind akscheck knows but
// cannot read (a broken link, a FIFO, a .bicep file), an error entry says why.
func loadDir(ctx context.Context, root string, opts Options) *subject.Scan {
	scan := &subject.Scan{}
	filter, err := newFilter(root, opts.Exclude, opts.Include)
	if err != nil {
		scan.Errors = append(scan.Errors, subject.LoadError{Source: filepath.Join(root, IgnoreFile), Message: err.Error()})
	}
	var files, kustomizations []string
	walked := map[string]bool{} // real paths of the folders walked
	linked := false             // a link was followed: a file may be met twice
	var walk func(start string)
	visit := func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			scan.Errors = append(scan.Errors, subject.LoadError{Source: path, Message: describeFSError(err)})
			return nil
		}
		if ctx.Err() != nil || opts.budget.exhausted() {
			return filepath.SkipAll
		}
		isLink := d.Type()&fs.ModeSymlink != 0
		isDir := d.IsDir()
		var info fs.FileInfo
		if isLink {
			if info, err = os.Stat(path); err != nil {
				scan.Errors = append(scan.Errors, subject.LoadError{Source: path, Message: "symbolic link not followed: " + describeFSError(err)})
				return nil
			}
			isDir = info.IsDir()
		}
		if path != root && filter.excluded(root, filepath.Clean(path), isDir) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if isDir {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			resolved, err := filepath.EvalSymlinks(path)
			if err == nil {
				resolved, err = filepath.Abs(resolved)
			}
			if err != nil {
				scan.Errors = append(scan.Errors, subject.LoadError{Source: path, Message: describeFSError(err)})
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if walked[resolved] {
				// Walked already, through another path: its files are read there.
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if path == root {
				if isLink { // akscheck scan link-to-a-folder
					walk(path + string(filepath.Separator))
					return nil
				}
				walked[resolved] = true
				return nil
			}
			// A chart or a kustomization is rendered as a whole; its files are not
			// manifests on their own.
			switch {
			case helm.IsChart(path):
				walked[resolved] = true
				opts.read(scan, helm.Load(path, opts.Helm, opts.Manifest), path)
			case kustomize.IsKustomization(path):
				walked[resolved] = true
				kustomizations = append(kustomizations, path)
			case isLink:
				linked = true
				walk(path + string(filepath.Separator)) // the separator makes the walk follow the link
				return nil
			default:
				walked[resolved] = true
				return nil
			}
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case isLink && info.Mode().IsRegular():
			linked = true
			files = append(files, path)
		case d.Name() == configFileName:
			// akscheck's own config, beside what it checks: not an input of the scan (a YAML
			// document without a kind, it would count as a skipped document).
		case d.Type().IsRegular():
			files = append(files, path)
		case kindByName(path) != KindIgnored:
			mode := d.Type()
			if info != nil {
				mode = info.Mode().Type()
			}
			scan.Errors = append(scan.Errors, subject.LoadError{Source: path, Message: fmt.Sprintf("not a regular file (%v): not read", mode)})
		}
		return nil
	}
	walk = func(start string) {
		if err := filepath.WalkDir(start, visit); err != nil {
			scan.Errors = append(scan.Errors, subject.LoadError{Source: start, Message: err.Error()})
		}
	}
	walk(root)
	for _, k := range kustomize.Roots(kustomizations) {
		opts.read(scan, kustomize.Load(k, opts.kustomize()), k)
	}
	sort.Strings(files)
	if linked {
		files = readOnce(files)
	}
	scan.Merge(loadFiles(ctx, files, opts, false))
	return scan
}

// readOnce keeps one path of each file met through several (a link and its target), the one
// with the fewest links: the file's own path when the walk met it.
func readOnce(files []string) []string {
	type choice struct {
		path  string
		links int
	}
	best := map[string]choice{}
	reals := make([]string, len(files))
	for i, f := range files {
		resolved, err := filepath.EvalSymlinks(f)
		if err == nil {
			resolved, err = filepath.Abs(resolved)
		}
		if err != nil {
			resolved = f
		}
		reals[i] = resolved
		n := linksIn(f)
		if c, seen := best[resolved]; !seen || n < c.links {
			best[resolved] = choice{f, n}
		}
	}
	var out []string
	for i, f := range files {
		if best[reals[i]].path == f {
			out = append(out, f)
		}
	}
	return out
}

// linksIn counts the symbolic links among a path's elements.
func linksIn(p string) int {
	n := 0
	for ; p != "." && p != string(filepath.Separator) && p != ""; p = filepath.Dir(p) {
		if info, err := os.Lstat(p); err == nil && info.Mode()&fs.ModeSymlink != 0 {
			n++
		}
		if filepath.Dir(p) == p {
			break
		}
	}
	return n
}

// loadFiles loads files by kind. explicit files (named on the command line) are read even
// without a known extension, as manifests.
func loadFiles(ctx context.Context, files []string, opts Options, explicit bool) *subject.Scan {
	scan := &subject.Scan{}
	modules := map[string][]string{}
	b := newBicepFiles(files, opts)
	// A file is classified here, in order; only reading and decoding run ahead on the
	// workers (inOrder), so the budget, the error entries and Progress see the files in the
	// order they were named or walked, as a one-at-a-time read would.
	kinds := make([]FileKind, len(files))
	for i, f := range files {
		kinds[i] = kindByName(f)
		if kinds[i] == KindIgnored && explicit {
			kinds[i] = KindManifest
		}
	}
	decoded := func(ctx context.Context, i int) decodedFile {
		kind := kinds[i]
		if kind == KindTerraform || kind == KindBicep || kind == KindIgnored {
			return decodedFile{}
		}
		f := files[i]
		if kind == KindManifest {
			if d, ok := streamManifest(ctx, f, opts); ok {
				return d
			}
		}
		data, err := readFile(ctx, f, maxSize(opts))
		if err != nil {
			return decodedFile{err: err}
		}
		d := decodedFile{size: int64(len(data))}
		switch {
		case kind == KindDockerfile && !explicit && !dockerfile.IsExactName(f) && !dockerfile.LooksLike(data):
			// dockerfile.go, notes.dockerfile.md: named like one, not one
		case b.compiledBeside(f, data):
			// the same template as the .bicep file beside it, which is compiled
		default:
			d.scan = loadContent(f, data, kind, opts)
		}
		return d
	}
	inOrder(ctx, len(files), decodeWindow(), decoded, func(i int, d decodedFile) bool {
		f := files[i]
		if ctx.Err() != nil {
			// The file being read when the run was cancelled says so ("reading cancelled").
			if d.err != nil {
				scan.Errors = append(scan.Errors, subject.LoadError{Source: f, Message: d.err.Error()})
			}
			return false
		}
		if opts.budget.exhausted() {
			return false
		}
		switch kinds[i] {
		case KindTerraform:
			dir := filepath.Dir(f)
			if explicit && !terraform.IsVarFile(f) {
				// A module is its folder: main.tf named alone keeps the variables, locals
				// and tfvars of the files beside it, as terraform plan would.
				modules[dir] = append(modules[dir], moduleFiles(dir, f)...)
				return true
			}
			modules[dir] = append(modules[dir], f)
			return true
		case KindBicep:
			b.add(scan, f)
			return true
		case KindIgnored:
			return true
		}
		err := d.err
		if err == nil {
			err = opts.budget.take(d.size)
		}
		if err != nil {
			scan.Errors = append(scan.Errors, subject.LoadError{Source: f, Message: err.Error()})
			return true
		}
		if d.scan != nil {
			opts.read(scan, d.scan, f)
		}
		return true
	})
	scan.Merge(loadModules(ctx, modules, opts))
	scan.Merge(b.load(ctx, opts))
	return scan
}

// decodedFile is one file read and decoded ahead: its size (counted against the budget when
// it is merged) and what it held (nil: read, but not an input of its kind).
type decodedFile struct {
	size int64
	scan *subject.Scan
	err  error
}

// loadModules reads each directory's .tf files as one Terraform module, with the .tfvars
// files of the directory.
// moduleFiles returns the files of the Terraform module in dir: its .tf files and its
// variable files (named among them), with named first.
func moduleFiles(dir, named string) []string {
	out := []string{named}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return out
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.Type().IsRegular() && p != named && kindByName(p) == KindTerraform {
			out = append(out, p)
		}
	}
	return out
}

func loadModules(ctx context.Context, modules map[string][]string, opts Options) *subject.Scan {
	scan := &subject.Scan{}
	dirs := make([]string, 0, len(modules))
	for d := range modules {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		if ctx.Err() != nil || opts.budget.exhausted() {
			break
		}
		var files []terraform.File
		hasTF := false
		seen := map[string]bool{}
		for _, f := range modules[dir] {
			if opts.budget.exhausted() {
				break
			}
			if seen[f] {
				continue // named, and beside another named file
			}
			seen[f] = true
			data, err := opts.readInput(ctx, f)
			if err != nil {
				scan.Errors = append(scan.Errors, subject.LoadError{Source: f, Message: err.Error()})
				continue
			}
			hasTF = hasTF || !terraform.IsVarFile(f)
			files = append(files, terraform.File{Path: f, Data: data})
		}
		if hasTF && !opts.budget.exhausted() {
			opts.read(scan, terraform.LoadModule(files, opts.Terraform), dir)
		}
	}
	return scan
}

// kindByName tells a file's kind from its name alone.
// configFileName is the name of akscheck's config file (config.FileName), which a folder
// walk leaves out.
const configFileName = ".akscheck.yaml"

func kindByName(path string) FileKind {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return KindManifest
	case ".tf", ".tfvars":
		return KindTerraform
	case ".bicep":
		return KindBicep
	}
	if terraform.IsVarFile(path) {
		return KindTerraform
	}
	if dockerfile.IsDockerfile(path) {
		return KindDockerfile
	}
	return KindIgnored
}

// loadContent hands a file's content to the loader of its kind, looking at the content of
// JSON to tell the kinds that share the extension apart.
func loadContent(source string, data []byte, kind FileKind, opts Options) *subject.Scan {
	if kind == KindManifest && looksLikeJSON(data) {
		kind = sniffJSON(data)
	}
	switch kind {
	case KindManifest:
		s := manifest.LoadBytes(source, data, opts.Manifest)
		s.Evidence = map[catalog.Evidence]bool{catalog.Manifest: true}
		return s
	case KindARM:
		return arm.LoadBytes(source, data, opts.ARM)
	case KindTerraformPlan:
		return terraform.LoadPlan(source, data)
	case KindDockerfile:
		return dockerfile.LoadBytes(source, data, opts.Dockerfile)
	}
	return &subject.Scan{}
}

func looksLikeJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// jsonShape is the top level of a JSON document: its keys, or those of its first element when
// it is an array or a {"value": [...]} list.
type jsonShape map[string]json.RawMessage

func (s jsonShape) has(keys ...string) bool {
	for _, k := range keys {
		if _, ok := s[k]; !ok {
			return false
		}
	}
	return true
}

func shapeOf(data []byte) jsonShape {
	var top jsonShape
	if json.Unmarshal(data, &top) == nil {
		if v, ok := top["value"]; ok && len(top) <= 2 {
			var list []jsonShape
			if json.Unmarshal(v, &list) == nil && len(list) > 0 {
				return list[0]
			}
		}
		return top
	}
	var list []jsonShape
	if json.Unmarshal(data, &list) == nil && len(list) > 0 {
		return list[0]
	}
	return nil
}

// sniffJSON tells the kind of a JSON document by its keys. Kubernetes objects, and JSON that
// is nothing akscheck knows, are manifests.
func sniffJSON(data []byte) FileKind {
	shape := shapeOf(data)
	if shape == nil || shape.has("apiVersion", "kind") {
		return KindManifest
	}
	if terraform.IsPlan(data) {
		return KindTerraformPlan
	}
	if scanreport.DetectKeys(shape) != "" {
		// Image scan reports are read through --scan-reports only.
		return KindIgnored
	}
	switch arm.Sniff(data) {
	case arm.Resources, arm.Template:
		return KindARM
	case arm.Parameters:
		// Parameters files are read through --arm-parameters only.
		return KindIgnored
	}
	return KindManifest
}

func maxSize(opts Options) int64 {
	if opts.Manifest.MaxFileSize > 0 {
		return opts.Manifest.MaxFileSize
	}
	return manifest.DefaultMaxFileSize
}

// streamManifest loads a large YAML manifest file a batch of documents at a time: while a
// 51 MB file of 105,000 documents loaded whole, its bytes were a quarter of the heap. ok is
// false for a file that is read whole instead: smaller than StreamFileSize, over the size
// limit, not a regular file, not opened (readFile says why), or not a YAML stream (JSON, a
// binary file), which LoadBytes and the JSON sniffing read whole.
func streamManifest(ctx context.Context, path string, opts Options) (d decodedFile, ok bool) {
	from := opts.StreamFileSize
	if from <= 0 {
		from = DefaultStreamFileSize
	}
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() || info.Size() < from || info.Size() > maxSize(opts) {
		return decodedFile{}, false
	}
	file, err := os.Open(path)
	if err != nil {
		return decodedFile{}, false
	}
	defer file.Close()
	scan, size, err := manifest.LoadReader(ctx, path, file, maxSize(opts), opts.Manifest)
	switch {
	case errors.Is(err, manifest.ErrNotStreamed):
		return decodedFile{}, false
	case ctx.Err() != nil:
		return decodedFile{err: errCancelled}, true
	case err != nil:
		return decodedFile{err: err}, true
	}
	scan.Evidence = map[catalog.Evidence]bool{catalog.Manifest: true}
	return decodedFile{size: size, scan: scan}, true
}

// errCancelled is the error of a read that the context ended (Ctrl-C) before it finished.
var errCancelled = errors.New("reading cancelled")

// readFile reads a file of at most limit bytes. Opening and reading honour ctx: a FIFO with no
// writer blocks in open and in read, which ctx ends (an open still blocked then finishes in
// the background, and the file is closed at once).
func readFile(ctx context.Context, path string, limit int64) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, errors.New(describeFSError(err))
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("file is %d bytes, larger than the %d-byte limit (--max-file-size); not read", info.Size(), limit)
	}
	if info.Mode().IsRegular() {
		// A regular file never blocks: read it here.
		f, err := os.Open(path)
		if err != nil {
			return nil, errors.New(describeFSError(err))
		}
		defer f.Close()
		return readLimited(ctx, f, limit)
	}
	opened := make(chan *os.File, 1)
	failed := make(chan error, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			failed <- err
			return
		}
		opened <- f
	}()
	var f *os.File
	select {
	case f = <-opened:
	case err := <-failed:
		return nil, errors.New(describeFSError(err))
	case <-ctx.Done():
		go func() {
			// The open may still succeed (a writer comes): close what it opens.
			select {
			case f := <-opened:
				f.Close()
			case <-failed:
			}
		}()
		return nil, errCancelled
	}
	// Closing the file ends a read blocked on a pipe or a FIFO.
	defer f.Close()
	return readLimited(ctx, f, limit)
}

// readLimited reads r up to limit bytes. A read that blocks (a pipe, a FIFO, a terminal) is
// ended by ctx: readLimited then returns at once with errCancelled. The read itself goes on in
// the background until r yields or is closed (readFile closes its files; standard input ends
// with the process).
func readLimited(ctx context.Context, r io.Reader, limit int64) ([]byte, error) {
	if r == nil {
		return nil, errors.New("no standard input")
	}
	if err := ctx.Err(); err != nil {
		return nil, errCancelled
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(io.LimitReader(r, limit+1))
		done <- result{data, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		return nil, errCancelled
	}
	if res.err != nil {
		return nil, fmt.Errorf("reading: %w", res.err)
	}
	if int64(len(res.data)) > limit {
		return nil, fmt.Errorf("input is larger than the %d-byte limit (--max-file-size)", limit)
	}
	return res.data, nil
}

func describeFSError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("cannot read: %v", pe.Err)
	}
	return err.Error()
}
