// Package bicep reads .bicep files: each is compiled with the Bicep compiler (the bicep CLI,
// or az bicep), the template read by the ARM loader, and every location the loader gives
// mapped back to the .bicep file and line it came from (the compiler writes no source map:
// see srcmap.go). Without a compiler each file is one error entry saying how to compile it.
package bicep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/akscheck/akscheck/internal/load/arm"
	"github.com/akscheck/akscheck/internal/subject"
)

// Options tune the Bicep loader.
type Options struct {
	// Compiler names the compiler: a path or command (--bicep, AKSCHECK_BICEP); empty
	// means bicep on PATH.
	Compiler string
	// ARM tunes the reading of the compiled templates (--arm-parameters).
	ARM arm.Options
}

// ReadFunc reads an input file within the run's limits.
type ReadFunc func(ctx context.Context, path string) ([]byte, error)

// NotCompiled is the error entry of a .bicep file when no compiler can run; beside names a
// compiled template next to it that is scanned in its place, or is "".
func NotCompiled(file, beside string, why error) string {
	msg := "not compiled: the bicep CLI is not on PATH; install it (az bicep install, or the bicep binary), or name it with --bicep or AKSCHECK_BICEP, or compile the file yourself (az bicep build --file " + file + ") and scan the JSON"
	if why != nil {
		msg = "not compiled: " + why.Error() + "; name an installed compiler with --bicep or AKSCHECK_BICEP, or compile the file yourself (az bicep build --file " + file + ") and scan the JSON"
	}
	if beside != "" {
		msg += "; the compiled " + filepath.Base(beside) + " beside it is scanned in its place (it may be older than the .bicep file)"
	}
	return msg
}

// CompiledFromBicep reports whether a JSON document is a template the Bicep compiler wrote
// (metadata._generator.name is "bicep").
func CompiledFromBicep(data []byte) bool {
	var t struct {
		Metadata struct {
			Generator struct {
				Name string `json:"name"`
			} `json:"_generator"`
		} `json:"metadata"`
	}
	return json.Unmarshal(data, &t) == nil && strings.EqualFold(t.Metadata.Generator.Name, "bicep")
}

// source is one .bicep file read.
type source struct {
	data   []byte
	parsed *File
	err    error // why it could not be parsed
}

// Load compiles each .bicep file with c and reads the templates. A file that another one of
// files uses as a module is not compiled on its own: its resources come through the file
// that uses it (with the parameters that file gives), at their lines in the module's file.
func Load(ctx context.Context, c *Compiler, files []string, read ReadFunc, opts Options) *subject.Scan {
	scan := &subject.Scan{}
	sources := map[string]*source{}
	for _, f := range files {
		data, err := read(ctx, f)
		if err != nil {
			scan.Errors = append(scan.Errors, subject.LoadError{Source: f, Message: err.Error()})
			continue
		}
		s := &source{data: data}
		s.parsed, s.err = Parse(data)
		sources[f] = s
	}
	used := map[string]bool{} // module files used by another file of the scan
	for f, s := range sources {
		if s.parsed == nil {
			continue
		}
		for _, m := range s.parsed.Modules {
			if p, ok := LocalModule(f, m.Path); ok && p != filepath.Clean(f) {
				used[p] = true
			}
		}
	}
	modules := moduleReader(ctx, sources, read)
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		s := sources[f]
		if s == nil || used[filepath.Clean(f)] {
			continue
		}
		scan.Merge(compileOne(ctx, c, f, s, modules, opts))
	}
	return scan
}

// moduleReader reads the local modules the templates name, parsing each once.
func moduleReader(ctx context.Context, sources map[string]*source, read ReadFunc) ModuleReader {
	cache := map[string]*File{}
	return func(from, path string) (string, *File, bool) {
		p, ok := LocalModule(from, path)
		if !ok || !strings.EqualFold(filepath.Ext(p), ".bicep") {
			return "", nil, false
		}
		if f, ok := cache[p]; ok {
			return p, f, f != nil
		}
		var f *File
		if s, ok := sources[p]; ok {
			f = s.parsed
		} else if data, err := read(ctx, p); err == nil {
			f, _ = Parse(data)
		}
		cache[p] = f
		return p, f, f != nil
	}
}

// compiledSuffix marks the name the compiled template is read under until its locations
// are mapped: a location left unmapped would show it.
const compiledSuffix = " (compiled)"

func compileOne(ctx context.Context, c *Compiler, file string, s *source, modules ModuleReader, opts Options) *subject.Scan {
	out, err := c.Build(ctx, file)
	if err != nil {
		e := subject.LoadError{Source: file, Message: err.Error()}
		var ce *CompileError
		if errors.As(err, &ce) {
			e.Line = ce.Line
		}
		return &subject.Scan{Errors: []subject.LoadError{e}}
	}
	out = bytes.TrimPrefix(out, []byte("\xef\xbb\xbf"))
	name := file + compiledSuffix
	scan := arm.LoadBytes(name, out, opts.ARM)
	var sm *SourceMap
	if s.parsed != nil {
		sm, err = Map(out, file, s.parsed, modules)
	}
	at := func(line int) (string, int) {
		if sm == nil || line <= 0 {
			return file, 0
		}
		p := sm.At(line)
		return p.File, p.Line
	}
	switch {
	case s.err != nil:
		// The compiler read what this parser could not: the findings stand, at the file.
		scan.Errors = append(scan.Errors, subject.LoadError{Source: file, Message: fmt.Sprintf("findings are given without lines: the .bicep source could not be read for them (%v)", s.err)})
	case err != nil && len(scan.Errors) == 0:
		// (When the ARM loader could not read the template either, its entry says why.)
		scan.Errors = append(scan.Errors, subject.LoadError{Source: file, Message: fmt.Sprintf("findings are given without lines: %v", err)})
	}
	relocate(scan.Others, name, func(l subject.Location) subject.Location {
		l.File, l.Line = at(l.Line)
		return l
	})
	for _, o := range scan.Objects {
		if o.Source.File == name {
			o.Source.File, o.Source.Line = at(o.Source.Line)
		}
	}
	for i, e := range scan.Errors {
		if e.Source == name {
			scan.Errors[i].Source, scan.Errors[i].Line = at(e.Line)
		}
	}
	for i, in := range scan.Inputs {
		if in.Source == name {
			scan.Inputs[i].Source = file
		}
	}
	return scan
}
