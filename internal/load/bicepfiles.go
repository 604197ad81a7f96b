package load

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/akscheck/akscheck/internal/load/bicep"
	"github.com/akscheck/akscheck/internal/subject"
)

// bicepFiles gathers the .bicep files of one loadFiles call and decides, once, whether they
// can be compiled.
//
// A template compiled from a .bicep file often sits beside it (main.bicep, main.json). When
// the compiler runs, the .bicep file is the source of truth: the main.json beside it whose
// metadata says the Bicep compiler wrote it is not read (it would report the same resources
// twice, at template lines, perhaps from an older source). Without a compiler the .bicep
// file is an error entry naming the JSON beside it, which is read in its place.
type bicepFiles struct {
	compiler *bicep.Compiler
	why      error           // why the named compiler cannot run
	names    map[string]bool // the .bicep files
	all      map[string]bool // every file of the call
	files    []string
}

func newBicepFiles(files []string, opts Options) *bicepFiles {
	b := &bicepFiles{names: map[string]bool{}, all: map[string]bool{}}
	for _, f := range files {
		b.all[filepath.Clean(f)] = true
		if kindByName(f) == KindBicep {
			b.names[filepath.Clean(f)] = true
		}
	}
	if len(b.names) > 0 {
		b.compiler, b.why = bicep.FindCompiler(opts.Bicep.Compiler, opts.Bicep.Timeout)
	}
	return b
}

// add takes a .bicep file: kept for compilation, or an error entry when there is no compiler.
func (b *bicepFiles) add(scan *subject.Scan, f string) {
	if b.compiler != nil {
		b.files = append(b.files, f)
		return
	}
	beside := strings.TrimSuffix(f, filepath.Ext(f)) + ".json"
	if !b.all[filepath.Clean(beside)] {
		beside = ""
	}
	scan.Errors = append(scan.Errors, subject.LoadError{Source: f, Message: bicep.NotCompiled(f, beside, b.why)})
}

// compiledBeside reports whether f is a template the Bicep compiler wrote beside a .bicep
// file that will be compiled.
func (b *bicepFiles) compiledBeside(f string, data []byte) bool {
	if b.compiler == nil || !strings.EqualFold(filepath.Ext(f), ".json") {
		return false
	}
	src := strings.TrimSuffix(f, filepath.Ext(f)) + ".bicep"
	return b.names[filepath.Clean(src)] && bicep.CompiledFromBicep(data)
}

// load compiles the .bicep files taken.
func (b *bicepFiles) load(ctx context.Context, opts Options) *subject.Scan {
	if b.compiler == nil || len(b.files) == 0 {
		return &subject.Scan{}
	}
	scan := bicep.Load(ctx, b.compiler, b.files, opts.readInput, bicep.Options{ARM: opts.ARM})
	for _, in := range scan.Inputs {
		if opts.Progress != nil {
			opts.Progress(in.Source, in.Objects)
		}
	}
	return scan
}
