package dockerfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

func load(t *testing.T, name string, opts Options) (*subject.Dockerfile, *subject.Scan) {
	t.Helper()
	path := filepath.Join("testdata", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := LoadBytes(path, data, opts)
	if len(s.Others) == 0 {
		return nil, s
	}
	return s.Others[0].(*subject.Dockerfile), s
}

func TestIsDockerfile(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"Dockerfile": true, "dir/Dockerfile": true, "dockerfile": true, "api.Dockerfile": true,
		"Dockerfile.prod": true, "Containerfile": true, "build.containerfile": true,
		"Dockerfile.dockerignore": false, "api.Dockerfile.dockerignore": false, ".dockerignore": false,
		"Dockerfiles": false, "mydockerfile": false, "deploy.yaml": false,
	} {
		if got := IsDockerfile(name); got != want {
			t.Errorf("IsDockerfile(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestMultiStage(t *testing.T) {
	t.Parallel()
	df, s := load(t, "multistage.Dockerfile", Options{})
	if df == nil || len(s.Errors) > 0 {
		t.Fatalf("not loaded: %+v", s.Errors)
	}
	if len(df.Stages) != 4 || df.Final != df.Stages[3] {
		t.Fatalf("stages = %d, final = %+v", len(df.Stages), df.Final)
	}
	build, unresolved, test, final := df.Stages[0], df.Stages[1], df.Stages[2], df.Stages[3]
	if build.From != "golang:1.26.8" || build.Image.Repository != "library/golang" || build.Image.Tag != "1.26.8" || build.Line != 4 {
		t.Errorf("build stage: FROM %q (%+v) at line %d; want the ARG default substituted", build.From, build.Image, build.Line)
	}
	if !unresolved.Unresolved || unresolved.Image.Valid {
		t.Errorf("FROM ${BASE} without default: %+v, want unresolved", unresolved)
	}
	if test.Parent != build || test.Root() != build {
		t.Errorf("FROM build: parent %v, want stage build", test.Parent)
	}
	if got := test.Instructions[1].Args; len(got) != 1 || got[0] != "app" {
		t.Errorf("USER ${APP_USER} = %q, want app (ENV substituted)", got)
	}
	run := build.Instructions[1]
	if run.Keyword != "RUN" || run.Line != 6 || !run.ShellForm || len(run.Mounts) != 2 || run.Mounts[0].Type != "cache" ||
		run.Mounts[0].Target != "/root/.cache/go-build" || strings.Join(strings.Fields(run.Script()), " ") != "go build -o /out/app ./cmd/app" {
		t.Errorf("RUN with --mount and continuations = %+v", run)
	}
	heredoc := build.Instructions[2]
	if heredoc.Line != 10 || !strings.Contains(heredoc.Script(), "apt-get update") {
		t.Errorf("RUN heredoc = %+v, script %q", heredoc, heredoc.Script())
	}
	if got := final.Instructions[1].Args; len(got) != 1 || got[0] != "8080/tcp" {
		t.Errorf("EXPOSE ${PORT}/tcp = %q, want 8080/tcp", got)
	}
	cp := final.Instructions[2]
	if cp.From != "build" || cp.Dest != "/app" || cp.Args[0] != "/out/app" {
		t.Errorf("COPY --from = %+v", cp)
	}
	if ep, cmd := final.Instructions[3], final.Instructions[4]; ep.ShellForm || !cmd.ShellForm || cmd.Args[0] != "serve --port 8080" {
		t.Errorf("ENTRYPOINT %+v / CMD %+v: want exec form then shell form", ep, cmd)
	}
	if chain := df.Chain(); len(chain) != 1 {
		t.Errorf("chain of the final stage = %d stages, want 1", len(chain))
	}
	if s.Inputs[0].Kind != subject.InputDockerfile || s.Inputs[0].Objects != 1 || !s.Evidence["dockerfile"] {
		t.Errorf("input %+v, evidence %v", s.Inputs, s.Evidence)
	}
}

func TestTarget(t *testing.T) {
	t.Parallel()
	df, s := load(t, "multistage.Dockerfile", Options{Target: "Test"})
	if df.Final.Name != "test" || len(s.Errors) > 0 {
		t.Fatalf("final = %s, errors %+v", df.Final.Name, s.Errors)
	}
	if chain := df.Chain(); len(chain) != 2 || chain[1].Name != "build" {
		t.Errorf("chain = %v, want test then build", chain)
	}
	df, s = load(t, "multistage.Dockerfile", Options{Target: "nope"})
	if df.Final.Name != "final" || len(s.Errors) != 1 || !strings.Contains(s.Errors[0].Message, `no build stage named "nope"`) {
		t.Errorf("unknown target: final %s, errors %+v", df.Final.Name, s.Errors)
	}
}

func TestEscapeDirective(t *testing.T) {
	t.Parallel()
	df, s := load(t, "escape.Dockerfile", Options{})
	if df == nil || len(s.Errors) > 0 {
		t.Fatalf("not loaded: %+v", s.Errors)
	}
	run := df.Final.Instructions[0]
	if strings.Join(strings.Fields(run.Script()), " ") != "powershell -Command Write-Host hello" {
		t.Errorf("backtick continuation: %q", run.Script())
	}
	if cp := df.Final.Instructions[1]; cp.Args[0] != `app\` || cp.Dest != `C:\app\` || cp.Line != 5 {
		t.Errorf("COPY with backslashes = %+v", cp)
	}
}

func TestBrokenInstructionsKeepTheRest(t *testing.T) {
	t.Parallel()
	df, s := load(t, "broken.Dockerfile", Options{})
	if df == nil {
		t.Fatalf("not loaded: %+v", s.Errors)
	}
	if len(s.Errors) != 2 || s.Errors[0].Line != 2 || s.Errors[1].Line != 4 {
		t.Fatalf("errors = %+v, want lines 2 (unknown instruction) and 4 (COPY without destination)", s.Errors)
	}
	var kw []string
	for _, in := range df.Final.Instructions {
		kw = append(kw, in.Keyword)
	}
	if strings.Join(kw, " ") != "RUN USER" {
		t.Errorf("instructions = %v, want RUN USER", kw)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		in   string
		line int
		msg  string
	}{
		"empty":             {"", 0, "no instructions"},
		"comments only":     {"# nothing\n", 1, "no instructions"},
		"no FROM":           {"ARG A=1\n", 0, "no FROM"},
		"RUN before FROM":   {"RUN true\nFROM alpine\n", 1, "before the first FROM"},
		"binary":            {"FROM alpine\n\x00", 2, "binary"},
		"unterminated here": {"FROM alpine\nRUN <<EOF\necho\n", 2, "unterminated heredoc"},
		"bad escape":        {"# escape=x\nFROM alpine\n", 0, "invalid escape"},
		"bad mount":         {"FROM alpine\nRUN --mount=type=nfs,target=/x true\n", 2, "unsupported mount type"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := LoadBytes("Dockerfile", []byte(tc.in), Options{})
			if len(s.Errors) == 0 {
				t.Fatalf("no error")
			}
			e := s.Errors[0]
			if e.Source != "Dockerfile" || e.Line != tc.line || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("error = %+v, want line %d and %q", e, tc.line, tc.msg)
			}
			if len(s.Inputs) != 1 {
				t.Errorf("inputs = %+v, want the file recorded", s.Inputs)
			}
		})
	}
}

func TestLooksLike(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"FROM alpine:3.20\n": true,
		"# syntax=docker/dockerfile:1\n\nARG V=1\nFROM x\n": true,
		"from scratch\n": true,
		"package dockerfile\n\nimport \"strings\"\n": false,
		"# just a comment\n":                         false,
		"":                                           false,
		"RUN echo\n":                                 false,
	} {
		if got := LooksLike([]byte(in)); got != want {
			t.Errorf("LooksLike(%q) = %v, want %v", in, got, want)
		}
	}
	if !IsExactName("a/Containerfile") || IsExactName("a/dockerfile.go") {
		t.Error("IsExactName")
	}
}
