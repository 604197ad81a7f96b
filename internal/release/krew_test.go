package release

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// krewPlugin mirrors krew's Plugin (krew.googlecontainertools.github.com/v1alpha2), the fields a
// plugin manifest may hold; it is decoded strictly.
type krewPlugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string         `json:"version"`
		Homepage         string         `json:"homepage"`
		ShortDescription string         `json:"shortDescription"`
		Description      string         `json:"description"`
		Caveats          string         `json:"caveats"`
		Platforms        []krewPlatform `json:"platforms"`
	} `json:"spec"`
}

type krewPlatform struct {
	Selector struct {
		MatchLabels map[string]string `json:"matchLabels"`
	} `json:"selector"`
	URI    string `json:"uri"`
	Sha256 string `json:"sha256"`
	Bin    string `json:"bin"`
	Files  []struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"files,omitempty"`
}

// placeholder is the template's name for the checksum of p's archive.
func placeholder(p platform) string {
	return "SHA256_" + strings.ToUpper(p.os+"_"+p.arch)
}

// fakeSum is a checksum that differs per archive.
func fakeSum(archive string) string {
	s := sha256.Sum256([]byte(archive))
	return hex.EncodeToString(s[:])
}

// TestKrewManifest fills plugins/akscheck.yaml as a release would and checks it against
// goreleaser's krews section and archive names: one platform per target goreleaser builds,
// with its archive's URL, checksum and binary.
func TestKrewManifest(t *testing.T) {
	t.Parallel()
	cfg := loadGoreleaser(t)
	const version = "1.2.3"
	text := string(readFile(t, "plugins/akscheck.yaml"))
	text = strings.ReplaceAll(text, "${VERSION}", version)
	for _, p := range cfg.platforms() {
		text = strings.ReplaceAll(text, "${"+placeholder(p)+"}", fakeSum(cfg.archive(t, version, p)))
	}
	if left := regexp.MustCompile(`(?m)^[^#]*(\$\{\w+\})`).FindStringSubmatch(text); left != nil {
		t.Fatalf("plugins/akscheck.yaml: placeholder %s is not documented for any platform goreleaser builds", left[1])
	}
	checkKrewManifest(t, cfg, version, []byte(text))
}

// TestKrewManifestScript: scripts/krew-manifest.sh fills the template from a checksums file as
// goreleaser writes it.
func TestKrewManifestScript(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is needed to run scripts/krew-manifest.sh")
	}
	cfg := loadGoreleaser(t)
	const version = "1.2.3"
	var sums strings.Builder
	for _, p := range cfg.platforms() {
		a := cfg.archive(t, version, p)
		fmt.Fprintf(&sums, "%s  %s\n", fakeSum(a), a)
		fmt.Fprintf(&sums, "%s  %s.sbom.json\n", fakeSum(a+".sbom.json"), a)
	}
	file := filepath.Join(t.TempDir(), "checksums.txt")
	if err := os.WriteFile(file, []byte(sums.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), "bash", filepath.Join(root, "scripts/krew-manifest.sh"), "v"+version, file).Output()
	if err != nil {
		t.Fatalf("scripts/krew-manifest.sh: %v", err)
	}
	checkKrewManifest(t, cfg, version, out)

	// An archive missing from the checksums fails rather than leaving a placeholder.
	if err := os.WriteFile(file, []byte(strings.SplitAfterN(sums.String(), "\n", 2)[0]), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := exec.CommandContext(t.Context(), "bash", filepath.Join(root, "scripts/krew-manifest.sh"), version, file).Run(); err == nil {
		t.Error("scripts/krew-manifest.sh succeeded with archives missing from the checksums")
	}
}

func checkKrewManifest(t *testing.T, cfg *goreleaser, version string, data []byte) {
	t.Helper()
	var m krewPlugin
	if err := yaml.UnmarshalStrict(data, &m); err != nil {
		t.Fatalf("krew manifest: %v", err)
	}
	k := cfg.Krews[0]
	if m.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || m.Kind != "Plugin" {
		t.Errorf("apiVersion %q, kind %q: want krew.googlecontainertools.github.com/v1alpha2 Plugin", m.APIVersion, m.Kind)
	}
	if m.Metadata.Name != k.Name {
		t.Errorf("metadata.name %q: goreleaser's krews name is %q", m.Metadata.Name, k.Name)
	}
	if m.Spec.Version != "v"+version {
		t.Errorf("spec.version %q: want v%s (goreleaser writes v{{ .Version }})", m.Spec.Version, version)
	}
	for _, f := range []struct{ name, got, want string }{
		{"homepage", m.Spec.Homepage, k.Homepage},
		{"shortDescription", m.Spec.ShortDescription, k.ShortDescription},
		{"description", m.Spec.Description, k.Description},
		{"caveats", m.Spec.Caveats, k.Caveats},
	} {
		if f.got != f.want || f.got == "" {
			t.Errorf("spec.%s %q: goreleaser's krews says %q", f.name, f.got, f.want)
		}
	}
	byPlatform := map[platform]krewPlatform{}
	for _, p := range m.Spec.Platforms {
		labels := p.Selector.MatchLabels
		key := platform{labels["os"], labels["arch"]}
		if len(labels) != 2 || key.os == "" || key.arch == "" {
			t.Errorf("platform %s: want matchLabels os and arch only, have %v", p.URI, labels)
		}
		if _, dup := byPlatform[key]; dup {
			t.Errorf("platform %s/%s listed twice", key.os, key.arch)
		}
		byPlatform[key] = p
	}
	for _, p := range cfg.platforms() {
		got, ok := byPlatform[p]
		if !ok {
			t.Errorf("no platform for %s/%s, which goreleaser builds", p.os, p.arch)
			continue
		}
		delete(byPlatform, p)
		archive := cfg.archive(t, version, p)
		if want := render(t, k.URLTemplate, map[string]string{"Tag": "v" + version, "ArtifactName": archive}); got.URI != want {
			t.Errorf("%s/%s: uri %s, goreleaser's is %s", p.os, p.arch, got.URI, want)
		}
		if want := fakeSum(archive); got.Sha256 != want {
			t.Errorf("%s/%s: sha256 %s, want the checksum of %s", p.os, p.arch, got.Sha256, archive)
		}
		// krew links kubectl-akscheck to bin: the binary at the archive's root.
		if want := cfg.binary(p); got.Bin != want {
			t.Errorf("%s/%s: bin %q, the archive holds %q", p.os, p.arch, got.Bin, want)
		}
	}
	for p := range byPlatform {
		t.Errorf("platform %s/%s: goreleaser builds no archive for it", p.os, p.arch)
	}
}
