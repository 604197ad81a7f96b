// Package dockerfile loads Dockerfiles and Containerfiles with BuildKit's own parser (the
// one `docker build` uses), so heredocs, line continuations, the escape directive and
// BuildKit flags read exactly as they build. Each file becomes one subject.Dockerfile; a
// file or an instruction that does not parse becomes an error entry with its line.
package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

// Options tune loading.
type Options struct {
	// Target is the stage the image is built from (docker build --target); empty means the
	// last stage.
	Target string
}

// IsDockerfile reports whether a file name is a Dockerfile's: Dockerfile, *.Dockerfile,
// Dockerfile.* and the same for Containerfile, in any case. BuildKit's per-Dockerfile ignore
// files (Dockerfile.dockerignore) are not Dockerfiles.
//
// A name alone proves little beyond Dockerfile and Containerfile themselves: dockerfile.go
// or orders.dockerfile.md are not Dockerfiles. Found while walking a folder, a file with any
// other such name is read as one only when its content starts like one (LooksLike).
func IsDockerfile(path string) bool {
	name := strings.ToLower(filepath.Base(path))
	if strings.HasSuffix(name, ".dockerignore") {
		return false
	}
	for _, base := range []string{"dockerfile", "containerfile"} {
		if name == base || strings.HasPrefix(name, base+".") || strings.HasSuffix(name, "."+base) {
			return true
		}
	}
	return false
}

// IsExactName reports whether the file is named Dockerfile or Containerfile (any case), which
// says it is one whatever its content.
func IsExactName(path string) bool {
	name := strings.ToLower(filepath.Base(path))
	return name == "dockerfile" || name == "containerfile"
}

// LooksLike reports whether data starts like a Dockerfile: its first instruction, after
// blank lines, comments and parser directives, is FROM or ARG (the only instructions that
// may come before the first FROM).
func LooksLike(data []byte) bool {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		word := line
		if i := bytes.IndexAny(line, " \t"); i >= 0 {
			word = line[:i]
		}
		return bytes.EqualFold(word, []byte("FROM")) || bytes.EqualFold(word, []byte("ARG"))
	}
	return false
}

// LoadBytes parses one Dockerfile. source names it in locations and errors.
func LoadBytes(source string, data []byte, opts Options) (scan *subject.Scan) {
	scan = &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	in := subject.Input{Kind: subject.InputDockerfile, Source: source}
	defer func() {
		// BuildKit's parser is not written for hostile input; a panic must not stop the scan.
		if p := recover(); p != nil {
			scan.Others = nil
			scan.Errors = append(scan.Errors, subject.LoadError{Source: source,
				Message: fmt.Sprintf("internal error: the Dockerfile parser failed: %v", p)})
			in.Objects = 0
			scan.Inputs = []subject.Input{in}
		}
	}()
	if i := bytes.IndexByte(data, 0); i >= 0 {
		scan.Errors = append(scan.Errors, subject.LoadError{Source: source, Line: 1 + bytes.Count(data[:i], []byte("\n")),
			Message: "binary file (NUL byte); not a Dockerfile"})
		scan.Inputs = append(scan.Inputs, in)
		return scan
	}
	l := &loader{source: source, scan: scan}
	if df := l.parse(data, opts); df != nil {
		scan.Others = append(scan.Others, df)
		scan.Evidence[catalog.Dockerfile] = true
		in.Objects = 1
	}
	scan.Inputs = append(scan.Inputs, in)
	return scan
}

type loader struct {
	source string
	scan   *subject.Scan
	lex    *shell.Lex
}

func (l *loader) errorf(line int, format string, args ...any) {
	if line < 0 {
		line = 0
	}
	l.scan.Errors = append(l.scan.Errors, subject.LoadError{Source: l.source, Line: line, Message: fmt.Sprintf(format, args...)})
}

// errLine returns the first line a BuildKit error points at, or fallback.
func errLine(err error, fallback int) int {
	var le *parser.LocationError
	if errors.As(err, &le) {
		for _, rs := range le.Locations {
			if len(rs) > 0 && rs[0].Start.Line > 0 {
				return rs[0].Start.Line
			}
		}
	}
	return fallback
}

// errText is a BuildKit error without the stack and location wrappers, on one line.
func errText(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

func (l *loader) parse(data []byte, opts Options) *subject.Dockerfile {
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		l.errorf(errLine(err, 0), "not a valid Dockerfile: %s", errText(err))
		return nil
	}
	l.lex = shell.NewLex(res.EscapeToken)
	lint := linter.New(&linter.Config{SkipAll: true})
	df := &subject.Dockerfile{File: l.source}
	metaEnv := newEnv()
	var stage *subject.DockerStage
	var stageEnv *env
	byName := map[string]*subject.DockerStage{}
	envOf := map[*subject.DockerStage]*env{}
	for _, node := range res.AST.Children {
		parsed, err := instructions.ParseInstructionWithLinter(node, lint)
		if err != nil {
			l.errorf(errLine(err, node.StartLine), "%s", errText(err))
			continue
		}
		if st, ok := parsed.(*instructions.Stage); ok {
			if stage != nil {
				envOf[stage] = stageEnv
			}
			stage = l.stage(st, len(df.Stages), node, metaEnv, byName)
			df.Stages = append(df.Stages, stage)
			if stage.Name != "" {
				byName[stage.Name] = stage
			}
			stageEnv = newEnv()
			if stage.Parent != nil {
				stageEnv = envOf[stage.Parent].inherit()
			}
			continue
		}
		cmd, ok := parsed.(instructions.Command)
		if !ok {
			l.errorf(node.StartLine, "unexpected instruction %s", strings.ToUpper(node.Value))
			continue
		}
		if stage == nil {
			in := l.instruction(cmd, node, metaEnv)
			if in.Keyword != "ARG" {
				l.errorf(node.StartLine, "%s before the first FROM: only ARG may come before FROM", in.Keyword)
				continue
			}
			metaEnv.declare(l.lex, in.Vars, nil)
			df.MetaArgs = append(df.MetaArgs, in)
			continue
		}
		in := l.instruction(cmd, node, stageEnv)
		l.expand(&in, stageEnv, metaEnv)
		stage.Instructions = append(stage.Instructions, in)
	}
	if len(df.Stages) == 0 {
		l.errorf(0, "no FROM instruction: not a Dockerfile that builds an image")
		return nil
	}
	df.Final = df.Stages[len(df.Stages)-1]
	if opts.Target != "" {
		if t, ok := byName[strings.ToLower(opts.Target)]; ok {
			df.Final = t
		} else {
			l.errorf(0, "no build stage named %q (--target); the last stage is checked as the image", opts.Target)
		}
	}
	return df
}

func (l *loader) stage(st *instructions.Stage, index int, node *parser.Node, meta *env, byName map[string]*subject.DockerStage) *subject.DockerStage {
	s := &subject.DockerStage{Index: index, Name: strings.ToLower(st.Name), Line: node.StartLine}
	from, ok := l.subst(st.BaseName, meta)
	s.From, s.Unresolved = from, !ok
	if p, isStage := byName[strings.ToLower(from)]; isStage && ok {
		s.Parent = p
		return s
	}
	if ok && !strings.EqualFold(from, "scratch") {
		s.Image = subject.ParseImage(from)
	}
	return s
}

// subst substitutes variables in a word; ok is false when one has no value.
func (l *loader) subst(word string, e *env) (string, bool) {
	res, err := l.lex.ProcessWordWithMatches(word, e)
	if err != nil {
		return word, false
	}
	return res.Result, len(res.Unmatched) == 0
}

// expand substitutes variables where the checks need values (USER, EXPOSE), and tracks the
// ARG and ENV values in effect.
func (l *loader) expand(in *subject.DockerInstruction, e, meta *env) {
	switch in.Keyword {
	case "ARG":
		e.declare(l.lex, in.Vars, meta)
	case "ENV":
		for _, v := range in.Vars {
			if val, ok := l.subst(v.Value, e); ok {
				e.vals[v.Name], e.fromEnv[v.Name] = val, true
			}
		}
	case "USER", "EXPOSE":
		for i, a := range in.Args {
			if v, ok := l.subst(a, e); ok {
				in.Args[i] = v
			}
		}
	}
}

func (l *loader) instruction(cmd instructions.Command, node *parser.Node, e *env) subject.DockerInstruction {
	in := subject.DockerInstruction{Keyword: strings.ToUpper(cmd.Name()), Line: node.StartLine, Flags: append([]string(nil), node.Flags...)}
	switch c := cmd.(type) {
	case *instructions.RunCommand:
		in.Args, in.ShellForm = c.CmdLine, c.PrependShell
		for _, f := range c.Files {
			in.Heredocs = append(in.Heredocs, f.Data)
		}
		// BuildKit reads --mount options when it expands the instruction, with the
		// variables of the stage.
		err := c.Expand(func(word string) (string, error) {
			v, _ := l.subst(word, e)
			return v, nil
		})
		if err != nil {
			l.errorf(node.StartLine, "RUN --mount: %s", errText(err))
		}
		for _, m := range instructions.GetMounts(c) {
			in.Mounts = append(in.Mounts, subject.DockerMount{Type: string(m.Type), Target: m.Target})
		}
	case *instructions.CmdCommand:
		in.Args, in.ShellForm = c.CmdLine, c.PrependShell
	case *instructions.EntrypointCommand:
		in.Args, in.ShellForm = c.CmdLine, c.PrependShell
	case *instructions.CopyCommand:
		in.Args, in.Dest, in.From = c.SourcePaths, c.DestPath, c.From
		for _, s := range c.SourceContents {
			in.Heredocs = append(in.Heredocs, s.Data)
		}
	case *instructions.AddCommand:
		in.Args, in.Dest, in.Checksum = c.SourcePaths, c.DestPath, c.Checksum
		for _, s := range c.SourceContents {
			in.Heredocs = append(in.Heredocs, s.Data)
		}
	case *instructions.EnvCommand:
		for _, kv := range c.Env {
			in.Vars = append(in.Vars, subject.DockerVar{Name: kv.Key, Value: kv.Value, HasValue: true})
		}
	case *instructions.LabelCommand:
		for _, kv := range c.Labels {
			in.Vars = append(in.Vars, subject.DockerVar{Name: kv.Key, Value: kv.Value, HasValue: true})
		}
	case *instructions.ArgCommand:
		for _, kv := range c.Args {
			v := subject.DockerVar{Name: kv.Key}
			if kv.Value != nil {
				v.Value, v.HasValue = *kv.Value, true
			}
			in.Vars = append(in.Vars, v)
		}
	case *instructions.ExposeCommand:
		in.Args = append([]string(nil), c.Ports...)
	case *instructions.UserCommand:
		in.Args = []string{c.User}
	case *instructions.WorkdirCommand:
		in.Args = []string{c.Path}
	}
	return in
}

// env is the variables in effect at an instruction: build arguments and ENV values. It
// implements shell.EnvGetter.
type env struct {
	vals map[string]string
	// fromEnv marks the names set by ENV, which carry over to stages built on this one
	// (build arguments do not).
	fromEnv map[string]bool
}

func newEnv() *env { return &env{vals: map[string]string{}, fromEnv: map[string]bool{}} }

func (e *env) Get(k string) (string, bool) {
	v, ok := e.vals[k]
	return v, ok
}

func (e *env) Keys() []string {
	keys := make([]string, 0, len(e.vals))
	for k := range e.vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// declare records ARG instructions: a default, else the value of the same argument declared
// before the first FROM. An argument without any value stays unset.
func (e *env) declare(lex *shell.Lex, vars []subject.DockerVar, meta *env) {
	for _, v := range vars {
		switch {
		case v.HasValue:
			res, err := lex.ProcessWordWithMatches(v.Value, e)
			if err == nil && len(res.Unmatched) == 0 {
				e.vals[v.Name] = res.Result
				e.fromEnv[v.Name] = false
			}
		case meta != nil:
			if mv, ok := meta.vals[v.Name]; ok {
				e.vals[v.Name] = mv
				e.fromEnv[v.Name] = false
			}
		}
	}
}

// inherit returns the variables a stage built on this one starts with: its ENV values.
func (e *env) inherit() *env {
	out := newEnv()
	if e == nil {
		return out
	}
	for k, v := range e.vals {
		if e.fromEnv[k] {
			out.vals[k], out.fromEnv[k] = v, true
		}
	}
	return out
}
