package release

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"sigs.k8s.io/yaml"
)

// root is the repository's root, from this package's folder.
const root = "../.."

// module is the main module's path: -X flags name packages under it.
const module = "github.com/akscheck/akscheck"

// goreleaser is the part of goreleaser's v2 schema that .goreleaser.yaml uses. It is decoded
// strictly, so that a key this test does not know (a typo, a section added without a test)
// fails.
type goreleaser struct {
	Version     int    `json:"version"`
	ProjectName string `json:"project_name"`
	Builds      []struct {
		ID           string   `json:"id"`
		Main         string   `json:"main"`
		Binary       string   `json:"binary"`
		Env          []string `json:"env"`
		Goos         []string `json:"goos"`
		Goarch       []string `json:"goarch"`
		Flags        []string `json:"flags"`
		Ldflags      []string `json:"ldflags"`
		ModTimestamp string   `json:"mod_timestamp"`
	} `json:"builds"`
	Archives []struct {
		ID              string   `json:"id"`
		IDs             []string `json:"ids"`
		NameTemplate    string   `json:"name_template"`
		Formats         []string `json:"formats"`
		FormatOverrides []struct {
			Goos    string   `json:"goos"`
			Formats []string `json:"formats"`
		} `json:"format_overrides"`
		Files []string `json:"files"`
	} `json:"archives"`
	Checksum struct {
		NameTemplate string `json:"name_template"`
		Algorithm    string `json:"algorithm"`
	} `json:"checksum"`
	SBOMs []struct {
		Artifacts string `json:"artifacts"`
	} `json:"sboms"`
	DockersV2 []struct {
		ID         string            `json:"id"`
		IDs        []string          `json:"ids"`
		Dockerfile string            `json:"dockerfile"`
		Images     []string          `json:"images"`
		Tags       []string          `json:"tags"`
		Platforms  []string          `json:"platforms"`
		Labels     map[string]string `json:"labels"`
		SBOM       string            `json:"sbom"`
	} `json:"dockers_v2"`
	Krews []struct {
		Name             string   `json:"name"`
		IDs              []string `json:"ids"`
		Homepage         string   `json:"homepage"`
		URLTemplate      string   `json:"url_template"`
		ShortDescription string   `json:"short_description"`
		Description      string   `json:"description"`
		Caveats          string   `json:"caveats"`
		SkipUpload       string   `json:"skip_upload"`
	} `json:"krews"`
	Release struct {
		GitHub struct {
			Owner string `json:"owner"`
			Name  string `json:"name"`
		} `json:"github"`
		Prerelease string `json:"prerelease"`
	} `json:"release"`
	Changelog struct {
		Use  string `json:"use"`
		Sort string `json:"sort"`
	} `json:"changelog"`
}

// platform is one target of the release.
type platform struct{ os, arch string }

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func loadGoreleaser(t testing.TB) *goreleaser {
	t.Helper()
	var cfg goreleaser
	if err := yaml.UnmarshalStrict(readFile(t, ".goreleaser.yaml"), &cfg); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if len(cfg.Builds) != 1 || len(cfg.Archives) != 1 || len(cfg.Krews) != 1 || len(cfg.DockersV2) != 1 {
		t.Fatalf(".goreleaser.yaml: want one build, one archive, one krew and one image, have %d, %d, %d and %d",
			len(cfg.Builds), len(cfg.Archives), len(cfg.Krews), len(cfg.DockersV2))
	}
	return &cfg
}

// platforms are the targets goreleaser builds.
func (g *goreleaser) platforms() []platform {
	var ps []platform
	for _, os := range g.Builds[0].Goos {
		for _, arch := range g.Builds[0].Goarch {
			ps = append(ps, platform{os, arch})
		}
	}
	return ps
}

// binary is the executable's name in the archive of p.
func (g *goreleaser) binary(p platform) string {
	if p.os == "windows" {
		return g.Builds[0].Binary + ".exe"
	}
	return g.Builds[0].Binary
}

// archive is the name goreleaser gives the archive of p for version (1.2.3, without the v).
func (g *goreleaser) archive(t testing.TB, version string, p platform) string {
	t.Helper()
	a := g.Archives[0]
	format := a.Formats[0]
	for _, o := range a.FormatOverrides {
		if o.Goos == p.os {
			format = o.Formats[0]
		}
	}
	name := render(t, a.NameTemplate, map[string]string{"ProjectName": g.ProjectName, "Version": version, "Os": p.os, "Arch": p.arch})
	return name + "." + format
}

// render executes one of goreleaser's templates (Go templates) with the fields it uses; a field
// missing from data fails, so a template that starts using a new field needs this test changed.
func render(t testing.TB, text string, data map[string]string) string {
	t.Helper()
	tmpl, err := template.New("").Option("missingkey=error").Parse(text)
	if err != nil {
		t.Fatalf("template %q: %v", text, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, data); err != nil {
		t.Fatalf("template %q: %v", text, err)
	}
	return b.String()
}

func TestGoreleaserBuilds(t *testing.T) {
	t.Parallel()
	cfg := loadGoreleaser(t)
	if cfg.Version != 2 || cfg.ProjectName != "akscheck" {
		t.Errorf("version %d, project_name %q: want 2 and akscheck", cfg.Version, cfg.ProjectName)
	}
	b := cfg.Builds[0]
	if b.Main != "./cmd/akscheck" || b.Binary != "akscheck" {
		t.Errorf("main %q, binary %q: want ./cmd/akscheck and akscheck", b.Main, b.Binary)
	}
	if !slices.Equal(b.Goos, []string{"linux", "darwin", "windows"}) || !slices.Equal(b.Goarch, []string{"amd64", "arm64"}) {
		t.Errorf("goos %v, goarch %v: want linux, darwin, windows and amd64, arm64", b.Goos, b.Goarch)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("env %v: want CGO_ENABLED=0 (static binaries for distroless and every platform)", b.Env)
	}
	if !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("flags %v: want -trimpath", b.Flags)
	}
	// goreleaser renders the templates, then go build splits -ldflags at spaces.
	ldflags := strings.Fields(render(t, strings.Join(b.Ldflags, " "), map[string]string{"Version": "1.2.3", "FullCommit": "0123abc"}))
	for _, want := range []string{"-s", "-w"} {
		if !slices.Contains(ldflags, want) {
			t.Errorf("ldflags %v: want %s (stripped release binaries)", b.Ldflags, want)
		}
	}
	// Every -X names a string variable that exists: the linker ignores one that does not.
	set := map[string]string{}
	for i, f := range ldflags {
		if f != "-X" || i+1 == len(ldflags) {
			continue
		}
		name, value, _ := strings.Cut(ldflags[i+1], "=")
		set[name] = value
		dot := strings.LastIndex(name, ".")
		pkg, variable := name[:dot], name[dot+1:]
		rel, ok := strings.CutPrefix(pkg, module+"/")
		if !ok {
			t.Errorf("-X %s: not a package of %s", name, module)
			continue
		}
		if !hasStringVar(t, filepath.Join(root, rel), variable) {
			t.Errorf("-X %s: %s declares no package-level string variable %s", name, rel, variable)
		}
	}
	if v := set[module+"/internal/cli.version"]; v != "v1.2.3" {
		t.Errorf("-X internal/cli.version=%q for 1.2.3: want v1.2.3, the form go install reports", v)
	}
	if v := set[module+"/internal/cli.buildCommit"]; v != "0123abc" {
		t.Errorf("-X internal/cli.buildCommit=%q: want the full commit", v)
	}

	// make release-build builds as goreleaser does, for the sizes docs/release.md quotes.
	makefile := string(readFile(t, "Makefile"))
	target := regexp.MustCompile(`(?m)^release-build:.*\n((?:\t.*\n)+)`).FindStringSubmatch(makefile)
	if target == nil {
		t.Fatal("Makefile: no release-build target")
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-s -w", "internal/cli.version=", "internal/cli.buildCommit="} {
		if !strings.Contains(target[1], want) {
			t.Errorf("Makefile release-build: no %q", want)
		}
	}
}

// hasStringVar reports whether the Go package in dir declares a package-level variable name
// of type string (declared as string or from a string literal).
func hasStringVar(t testing.TB, dir, name string) bool {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.VAR {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if n.Name != name {
						continue
					}
					if id, ok := vs.Type.(*ast.Ident); ok {
						return id.Name == "string"
					}
					if i < len(vs.Values) {
						lit, ok := vs.Values[i].(*ast.BasicLit)
						return ok && lit.Kind == token.STRING
					}
				}
			}
		}
	}
	return false
}

func TestGoreleaserArchives(t *testing.T) {
	t.Parallel()
	cfg := loadGoreleaser(t)
	a := cfg.Archives[0]
	if !slices.Equal(a.IDs, []string{cfg.Builds[0].ID}) {
		t.Errorf("archives ids %v: want the build %q", a.IDs, cfg.Builds[0].ID)
	}
	if !slices.Equal(a.Formats, []string{"tar.gz"}) || len(a.FormatOverrides) != 1 ||
		a.FormatOverrides[0].Goos != "windows" || !slices.Equal(a.FormatOverrides[0].Formats, []string{"zip"}) {
		t.Errorf("archive formats %v, overrides %+v: want tar.gz, and zip for windows", a.Formats, a.FormatOverrides)
	}
	// One archive per platform, each name different.
	seen := map[string]bool{}
	for _, p := range cfg.platforms() {
		name := cfg.archive(t, "1.2.3", p)
		if seen[name] {
			t.Errorf("archive name %s for two platforms", name)
		}
		seen[name] = true
	}
	if got := cfg.archive(t, "1.2.3", platform{"windows", "arm64"}); got != "akscheck_1.2.3_windows_arm64.zip" {
		t.Errorf("windows/arm64 archive %s: want akscheck_1.2.3_windows_arm64.zip", got)
	}
	for _, want := range []string{"README.md", "docs/**/*"} {
		if !slices.Contains(a.Files, want) {
			t.Errorf("archive files %v: want %s", a.Files, want)
		}
	}
	for _, f := range a.Files {
		dir, _, _ := strings.Cut(f, "*")
		if _, err := os.Stat(filepath.Join(root, dir)); err != nil {
			t.Errorf("archive files: %s: %v", f, err)
		}
	}
	if cfg.Checksum.NameTemplate != "checksums.txt" || cfg.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum %+v: want checksums.txt, sha256 (action.yml and scripts/krew-manifest.sh read it)", cfg.Checksum)
	}
	if len(cfg.SBOMs) != 1 || cfg.SBOMs[0].Artifacts != "archive" {
		t.Errorf("sboms %+v: want one SBOM per archive", cfg.SBOMs)
	}
	if cfg.Release.GitHub.Owner != "akscheck" || cfg.Release.GitHub.Name != "akscheck" {
		t.Errorf("release.github %+v: want akscheck/akscheck", cfg.Release.GitHub)
	}
}

// TestGoreleaserImage: the release image is the Dockerfile's image, made from the binary
// goreleaser built: same base (by digest), same user, entrypoint and command.
func TestGoreleaserImage(t *testing.T) {
	t.Parallel()
	cfg := loadGoreleaser(t)
	d := cfg.DockersV2[0]
	if !slices.Equal(d.IDs, []string{cfg.Builds[0].ID}) {
		t.Errorf("dockers_v2 ids %v: want the build %q", d.IDs, cfg.Builds[0].ID)
	}
	for _, p := range d.Platforms {
		os, arch, _ := strings.Cut(p, "/")
		if os != "linux" || !slices.Contains(cfg.Builds[0].Goarch, arch) {
			t.Errorf("dockers_v2 platform %s: goreleaser builds no binary for it", p)
		}
	}
	if len(d.Platforms) == 0 || d.SBOM != "true" || len(d.Images) == 0 || !slices.Contains(d.Tags, "v{{ .Version }}") {
		t.Errorf("dockers_v2 %+v: want platforms, images, a v{{ .Version }} tag and an SBOM attestation", d)
	}
	release := dockerfileLines(readFile(t, d.Dockerfile))
	source := dockerfileLines(readFile(t, "Dockerfile"))
	if len(release["FROM"]) != 1 {
		t.Fatalf("%s: want one stage, have FROM %v", d.Dockerfile, release["FROM"])
	}
	froms := source["FROM"]
	if got, want := release["FROM"][0], froms[len(froms)-1]; got != want {
		t.Errorf("%s: FROM %s, Dockerfile's final stage FROM %s: want the same base", d.Dockerfile, got, want)
	}
	if !strings.Contains(release["FROM"][0], "@sha256:") {
		t.Errorf("%s: FROM %s: want the base pinned by digest", d.Dockerfile, release["FROM"][0])
	}
	// The last of each: the final stage's, which makes the image.
	for _, instr := range []string{"USER", "WORKDIR", "ENTRYPOINT", "CMD"} {
		r, s := release[instr], source[instr]
		if len(r) == 0 || len(s) == 0 || r[len(r)-1] != s[len(s)-1] {
			t.Errorf("%s: %s %v, Dockerfile: %v: want the same", d.Dockerfile, instr, r, s)
		}
	}
	entrypoint := source["ENTRYPOINT"][0]
	binPath, err := strconv.Unquote(strings.Trim(entrypoint, "[]"))
	if err != nil {
		t.Fatalf("Dockerfile ENTRYPOINT %s: %v", entrypoint, err)
	}
	want := "${TARGETPLATFORM}/" + cfg.Builds[0].Binary + " " + binPath
	if !slices.Contains(release["COPY"], want) {
		t.Errorf("%s: COPY %v: want COPY %s (goreleaser's context holds linux/<arch>/%s)", d.Dockerfile, release["COPY"], want, cfg.Builds[0].Binary)
	}
}

// dockerfileLines maps each instruction of a Dockerfile (one line each, no continuations) to
// its arguments, in order.
func dockerfileLines(data []byte) map[string][]string {
	out := map[string][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasSuffix(line, "\\") {
			continue
		}
		instr, args, _ := strings.Cut(line, " ")
		if strings.ToUpper(instr) != instr {
			continue // a continuation line of a RUN
		}
		out[instr] = append(out[instr], strings.TrimSpace(args))
	}
	return out
}

func TestGoreleaserKrew(t *testing.T) {
	t.Parallel()
	cfg := loadGoreleaser(t)
	k := cfg.Krews[0]
	if k.Name != "akscheck" || !slices.Equal(k.IDs, []string{cfg.Archives[0].ID}) || k.SkipUpload != "true" {
		t.Errorf("krews %+v: want name akscheck, the archive's id, skip_upload", k)
	}
	got := render(t, k.URLTemplate, map[string]string{"Tag": "v1.2.3", "ArtifactName": "akscheck_1.2.3_linux_amd64.tar.gz"})
	if want := "https://github.com/akscheck/akscheck/releases/download/v1.2.3/akscheck_1.2.3_linux_amd64.tar.gz"; got != want {
		t.Errorf("krews url_template gives %s, want %s", got, want)
	}
	if n := len(k.ShortDescription); n == 0 || n > 50 {
		t.Errorf("krews short_description has %d characters: krew's guideline is at most 50", n)
	}
	if !bytes.Contains(readFile(t, ".gitignore"), []byte("/dist/")) {
		t.Error(".gitignore: want /dist/, goreleaser's output")
	}
}
