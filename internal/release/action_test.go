package release

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// action mirrors GitHub's metadata syntax for a composite action (action.yml); it is decoded
// strictly.
type action struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Author      string `json:"author"`
	Branding    struct {
		Icon  string `json:"icon"`
		Color string `json:"color"`
	} `json:"branding"`
	Inputs map[string]struct {
		Description string `json:"description"`
		Required    bool   `json:"required"`
		Default     string `json:"default"`
	} `json:"inputs"`
	Outputs map[string]struct {
		Description string `json:"description"`
		Value       string `json:"value"`
	} `json:"outputs"`
	Runs struct {
		Using string       `json:"using"`
		Steps []actionStep `json:"steps"`
	} `json:"runs"`
}

type actionStep struct {
	Name  string            `json:"name"`
	ID    string            `json:"id"`
	If    string            `json:"if"`
	Shell string            `json:"shell"`
	Env   map[string]string `json:"env"`
	Run   string            `json:"run"`
	Uses  string            `json:"uses"`
	With  map[string]string `json:"with"`
}

func loadAction(t testing.TB) (*action, string) {
	t.Helper()
	data := readFile(t, "action.yml")
	var a action
	if err := yaml.UnmarshalStrict(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &a, string(data)
}

func (a *action) step(t testing.TB, id string) actionStep {
	t.Helper()
	for _, s := range a.Runs.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("action.yml: no step %q", id)
	return actionStep{}
}

var (
	expression  = regexp.MustCompile(`\$\{\{(.*?)\}\}`)
	inputRef    = regexp.MustCompile(`\binputs\.([A-Za-z0-9_-]+)`)
	stepsOutput = regexp.MustCompile(`\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
	majorPin    = regexp.MustCompile(`^[\w.-]+/[\w./-]+@v\d+$`)
)

// TestActionMetadata checks action.yml's shape: a composite action whose inputs are all
// declared and all used, whose steps are named, run in a shell, take inputs through env
// (never spliced into a script) and pin actions by major version, and whose outputs come from
// what its steps write.
func TestActionMetadata(t *testing.T) {
	t.Parallel()
	a, text := loadAction(t)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using %q: want composite", a.Runs.Using)
	}
	for _, want := range []string{"version", "paths", "args", "fail-on", "config", "sarif-file", "upload-sarif"} {
		if _, ok := a.Inputs[want]; !ok {
			t.Errorf("no input %s", want)
		}
	}
	for _, want := range []string{"exit-code", "sarif-file"} {
		if _, ok := a.Outputs[want]; !ok {
			t.Errorf("no output %s", want)
		}
	}
	used := map[string]bool{}
	for _, e := range expression.FindAllStringSubmatch(text, -1) {
		for _, m := range inputRef.FindAllStringSubmatch(e[1], -1) {
			used[m[1]] = true
			if _, ok := a.Inputs[m[1]]; !ok {
				t.Errorf("${{%s}} uses input %s, which is not declared", e[1], m[1])
			}
		}
	}
	for name, in := range a.Inputs {
		if !used[name] {
			t.Errorf("input %s is declared but never used", name)
		}
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
	}

	written := map[string][]string{} // step id -> the outputs its script writes
	for i, s := range a.Runs.Steps {
		if s.Name == "" {
			t.Errorf("step %d has no name", i)
		}
		switch {
		case s.Run != "" && s.Uses != "":
			t.Errorf("step %q both runs and uses", s.Name)
		case s.Run != "":
			if s.Shell == "" {
				t.Errorf("step %q: a composite action's run step needs shell", s.Name)
			}
			if expression.MatchString(s.Run) {
				t.Errorf("step %q: an expression in the script; pass it through env so that it cannot inject shell", s.Name)
			}
			for _, m := range regexp.MustCompile(`(?m)echo "([a-z-]+)=.*>> "\$GITHUB_OUTPUT"`).FindAllStringSubmatch(s.Run, -1) {
				written[s.ID] = append(written[s.ID], m[1])
			}
		case s.Uses != "":
			if !majorPin.MatchString(s.Uses) {
				t.Errorf("step %q uses %s: pin it by major version (owner/repo@vN)", s.Name, s.Uses)
			}
		default:
			t.Errorf("step %q neither runs nor uses", s.Name)
		}
	}
	// Every steps.X.outputs.Y an expression reads is written by step X.
	for _, m := range stepsOutput.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(written[m[1]], m[2]) {
			t.Errorf("%s: step %s writes no output %s", m[0], m[1], m[2])
		}
	}

	// SARIF is uploaded even when the scan failed, and the action ends with the scan's code.
	var upload, end *actionStep
	for i, s := range a.Runs.Steps {
		if strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") {
			upload = &a.Runs.Steps[i]
		}
		if strings.Contains(s.Run, `exit "$AKSCHECK_EXIT"`) {
			end = &a.Runs.Steps[i]
		}
	}
	switch {
	case upload == nil:
		t.Error("no github/codeql-action/upload-sarif step")
	case !strings.Contains(upload.If, "always()") || !strings.Contains(upload.If, "inputs.upload-sarif == 'true'"):
		t.Errorf("upload-sarif if %q: want always() and inputs.upload-sarif", upload.If)
	case upload.With["sarif_file"] != "${{ inputs.sarif-file }}":
		t.Errorf("upload-sarif sarif_file %q: want the sarif-file input", upload.With["sarif_file"])
	}
	if end == nil || end != &a.Runs.Steps[len(a.Runs.Steps)-1] || !strings.Contains(end.If, "always()") ||
		end.Env["AKSCHECK_EXIT"] != "${{ steps.scan.outputs.exit-code }}" {
		t.Error("the last step must exit with steps.scan.outputs.exit-code, under always()")
	}
}

// release is a fake GitHub release of akscheck: the archives goreleaser would name (from
// .goreleaser.yaml), each holding a stand-in binary, and their checksums.txt.
type release struct {
	tag   string
	files map[string][]byte
}

func fakeRelease(t *testing.T, cfg *goreleaser, version string) *release {
	t.Helper()
	r := &release{tag: "v" + version, files: map[string][]byte{}}
	var sums strings.Builder
	for _, p := range cfg.platforms() {
		name := cfg.archive(t, version, p)
		// The stand-in binary is a script: `akscheck version` says which archive it came from.
		bin := []byte(fmt.Sprintf("#!/bin/sh\necho \"akscheck v%s %s/%s $*\"\n", version, p.os, p.arch))
		var data []byte
		if strings.HasSuffix(name, ".zip") {
			data = zipOf(t, cfg.binary(p), bin)
		} else {
			data = tarGzOf(t, cfg.binary(p), bin)
		}
		r.files[name] = data
		sum := sha256.Sum256(data)
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	r.files[cfg.Checksum.NameTemplate] = []byte(sums.String())
	return r
}

func tarGzOf(t *testing.T, name string, content []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range []struct {
		name string
		data []byte
		mode int64
	}{{name, content, 0o755}, {"README.md", []byte("# akscheck\n"), 0o644}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := errors.Join(tw.Close(), gz.Close()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipOf(t *testing.T, name string, content []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// serve answers as github.com/akscheck/akscheck/releases does: /latest redirects to the
// latest release's tag page, /download/TAG/FILE is an asset.
func (r *release) serve(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch {
		case req.URL.Path == "/releases/latest":
			http.Redirect(w, req, "/releases/tag/"+r.tag, http.StatusFound)
		case req.URL.Path == "/releases/tag/"+r.tag:
			fmt.Fprintln(w, "release page")
		default:
			name, ok := strings.CutPrefix(req.URL.Path, "/releases/download/"+r.tag+"/")
			data, found := r.files[name]
			if !ok || !found {
				http.NotFound(w, req)
				return
			}
			_, _ = w.Write(data)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/releases"
}

// runStep runs a step's script as the runner would (bash -e -o pipefail), with the step's
// env replaced by env, and the runner's files in a temporary folder. It returns the exit
// code, the combined output and the runner's files' contents.
func runStep(t *testing.T, s actionStep, env map[string]string) (code int, out string, files map[string]string) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is needed to run action.yml's steps")
	}
	if s.Shell != "bash" {
		t.Fatalf("step %q: shell %q, the test runs bash", s.Name, s.Shell)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "step.sh")
	if err := os.WriteFile(script, []byte(s.Run), 0o600); err != nil {
		t.Fatal(err)
	}
	runner := map[string]string{
		"RUNNER_TEMP":         filepath.Join(dir, "temp"),
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"GITHUB_PATH":         filepath.Join(dir, "path"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
	}
	if err := os.Mkdir(runner["RUNNER_TEMP"], 0o700); err != nil {
		t.Fatal(err)
	}
	if prior, ok := env["GITHUB_STEP_SUMMARY"]; ok {
		if err := os.WriteFile(runner["GITHUB_STEP_SUMMARY"], []byte(prior), 0o600); err != nil {
			t.Fatal(err)
		}
		delete(env, "GITHUB_STEP_SUMMARY")
	}
	// The runner's command line for shell: bash.
	cmd := exec.CommandContext(t.Context(), "bash", "--noprofile", "--norc", "-e", "-o", "pipefail", script)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	for k, v := range runner {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	b, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	files = map[string]string{}
	for _, name := range []string{"GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"} {
		data, err := os.ReadFile(runner[name])
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		files[name] = string(data)
	}
	return code, string(b), files
}

// outputs parses the name=value lines of $GITHUB_OUTPUT.
func outputs(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}

// TestActionInstall runs the install step against a fake release built with goreleaser's
// archive names, for every runner OS and architecture: it resolves latest, downloads the
// runner's archive, verifies it against checksums.txt and puts the binary on the path. A
// wrong checksum, a missing archive and an unknown platform fail the step.
func TestActionInstall(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"curl", "tar", "unzip", "sha256sum", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to run action.yml's install step: %v", tool, err)
		}
	}
	cfg := loadGoreleaser(t)
	a, _ := loadAction(t)
	install := a.step(t, "install")
	if want := "${{ inputs.version }}"; install.Env["AKSCHECK_VERSION"] != want {
		t.Fatalf("install env AKSCHECK_VERSION %q: want %s", install.Env["AKSCHECK_VERSION"], want)
	}
	// The real releases: the krew manifest's URLs point at the same place.
	releases := install.Env["AKSCHECK_RELEASES"]
	if want := render(t, cfg.Krews[0].URLTemplate, map[string]string{"Tag": "TAG", "ArtifactName": "FILE"}); releases+"/download/TAG/FILE" != want {
		t.Fatalf("install env AKSCHECK_RELEASES %q: goreleaser's releases are at %s", releases, want)
	}

	rel := fakeRelease(t, cfg, "1.2.3")
	url := rel.serve(t)
	runnerOS := map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}
	runnerArch := map[string]string{"amd64": "X64", "arm64": "ARM64"}
	for _, p := range cfg.platforms() {
		for _, version := range []string{"latest", "v1.2.3", "1.2.3"} {
			t.Run(p.os+"-"+p.arch+"-"+version, func(t *testing.T) {
				t.Parallel()
				code, out, files := runStep(t, install, map[string]string{
					"AKSCHECK_VERSION": version, "AKSCHECK_RELEASES": url,
					"RUNNER_OS": runnerOS[p.os], "RUNNER_ARCH": runnerArch[p.arch],
				})
				if code != 0 {
					t.Fatalf("install exited %d:\n%s", code, out)
				}
				bin := outputs(files["GITHUB_OUTPUT"])["bin"]
				if filepath.Base(bin) != cfg.binary(p) || strings.TrimSpace(files["GITHUB_PATH"]) != filepath.Dir(bin) {
					t.Errorf("bin %q, path %q: want %s in the folder added to the path", bin, files["GITHUB_PATH"], cfg.binary(p))
				}
				if want := fmt.Sprintf("akscheck v1.2.3 %s/%s version", p.os, p.arch); !strings.Contains(out, want) {
					t.Errorf("install output does not show %q:\n%s", want, out)
				}
			})
		}
	}

	t.Run("bad checksum", func(t *testing.T) {
		t.Parallel()
		bad := &release{tag: rel.tag, files: map[string][]byte{}}
		for k, v := range rel.files {
			bad.files[k] = v
		}
		name := cfg.archive(t, "1.2.3", platform{"linux", "amd64"})
		bad.files[name] = append(slices.Clone(bad.files[name]), 0)
		code, out, files := runStep(t, install, map[string]string{
			"AKSCHECK_VERSION": "latest", "AKSCHECK_RELEASES": bad.serve(t), "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
		})
		if code == 0 || !strings.Contains(out, "checksums.txt says") || files["GITHUB_PATH"] != "" {
			t.Errorf("a tampered archive: exit %d, path %q:\n%s", code, files["GITHUB_PATH"], out)
		}
	})
	for name, env := range map[string]map[string]string{
		"no such release": {"AKSCHECK_VERSION": "v9.9.9", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"},
		"unknown OS":      {"AKSCHECK_VERSION": "latest", "RUNNER_OS": "Plan9", "RUNNER_ARCH": "X64"},
		"unknown arch":    {"AKSCHECK_VERSION": "latest", "RUNNER_OS": "Linux", "RUNNER_ARCH": "ARM"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env["AKSCHECK_RELEASES"] = url
			if code, out, files := runStep(t, install, env); code == 0 || files["GITHUB_PATH"] != "" {
				t.Errorf("exit %d, path %q:\n%s", code, files["GITHUB_PATH"], out)
			}
		})
	}
}

// fakeAkscheck stands in for akscheck scan: it records its arguments, writes the files its
// -o FORMAT=FILE name (unless it exits 2, which writes none) and exits with $FAKE_EXIT.
const fakeAkscheck = `#!/usr/bin/env bash
printf '%s\n' "$@" > "$FAKE_ARGS"
if [ "$FAKE_EXIT" != 2 ]; then
  while [ $# -gt 0 ]; do
    if [ "$1" = -o ]; then
      case "$2" in
        sarif=*) echo '{"version":"2.1.0"}' > "${2#sarif=}" ;;
        markdown=*) echo '## akscheck' > "${2#markdown=}" ;;
      esac
    fi
    shift
  done
fi
exit "$FAKE_EXIT"
`

// TestActionScan runs the scan step with a stand-in akscheck and then the last step: the scan's
// exit code is recorded (the step itself succeeds, so that SARIF is uploaded) and the last step
// ends with it; the summary is appended; the inputs become arguments without shell expansion.
func TestActionScan(t *testing.T) {
	t.Parallel()
	a, _ := loadAction(t)
	scan, end := a.step(t, "scan"), a.Runs.Steps[len(a.Runs.Steps)-1]
	bin := filepath.Join(t.TempDir(), "akscheck")
	if err := os.WriteFile(bin, []byte(fakeAkscheck), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, exit := range []int{0, 1, 2, 3} {
		t.Run(fmt.Sprint("exit ", exit), func(t *testing.T) {
			t.Parallel()
			argsFile := filepath.Join(t.TempDir(), "args")
			code, out, files := runStep(t, scan, map[string]string{
				"AKSCHECK": bin, "FAKE_ARGS": argsFile, "FAKE_EXIT": fmt.Sprint(exit),
				"AKSCHECK_PATHS": "k8s/ 'charts/*' $(id)", "AKSCHECK_ARGS": "--allow-errors --baseline b.json",
				"AKSCHECK_FAIL_ON": "medium", "AKSCHECK_CONFIG": "ci/.akscheck.yaml", "AKSCHECK_SARIF": "out.sarif",
				"GITHUB_STEP_SUMMARY": "earlier step\n",
			})
			if code != 0 {
				t.Fatalf("the scan step exited %d, want 0 whatever the scan's code:\n%s", code, out)
			}
			got := outputs(files["GITHUB_OUTPUT"])
			if got["exit-code"] != fmt.Sprint(exit) || got["sarif-file"] != "out.sarif" {
				t.Errorf("outputs %v: want exit-code %d and sarif-file out.sarif", got, exit)
			}
			if wrote := got["sarif-written"] == "true"; wrote != (exit != 2) {
				t.Errorf("sarif-written %q after exit %d", got["sarif-written"], exit)
			}
			wantSummary := "earlier step\n"
			if exit != 2 {
				wantSummary += "## akscheck\n"
			}
			if files["GITHUB_STEP_SUMMARY"] != wantSummary {
				t.Errorf("summary %q: want %q", files["GITHUB_STEP_SUMMARY"], wantSummary)
			}
			args, err := os.ReadFile(argsFile)
			if err != nil {
				t.Fatal(err)
			}
			wantArgs := []string{"scan", "--fail-on", "medium", "-o", "table", "-o", "sarif=out.sarif", "-o", "",
				"--config", "ci/.akscheck.yaml", "--allow-errors", "--baseline", "b.json", "k8s/", "'charts/*'", "$(id)"}
			gotArgs := strings.Split(strings.TrimSuffix(string(args), "\n"), "\n")
			if len(gotArgs) == len(wantArgs) {
				wantArgs[8] = gotArgs[8] // the summary's temporary file
			}
			if !slices.Equal(gotArgs, wantArgs) || !strings.HasPrefix(gotArgs[8], "markdown=") {
				t.Errorf("akscheck ran with\n%q\nwant\n%q", gotArgs, wantArgs)
			}

			code, out, _ = runStep(t, end, map[string]string{"AKSCHECK_EXIT": got["exit-code"]})
			if code != exit {
				t.Errorf("the last step exited %d, the scan %d:\n%s", code, exit, out)
			}
		})
	}
}
