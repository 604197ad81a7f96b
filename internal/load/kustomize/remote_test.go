package kustomize

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const remoteDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: fetched
spec:
  selector:
    matchLabels: {app: fetched}
  template:
    metadata:
      labels: {app: fetched}
    spec:
      containers:
      - name: app
        image: nginx:1.27
`

// recorder is a loopback server that counts the requests it gets.
func recorder(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		_, _ = w.Write([]byte(remoteDeployment))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func writeKustomization(t *testing.T, dir, content string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRemoteResourceIsRefused(t *testing.T) {
	t.Parallel()
	srv, requests := recorder(t)
	url := srv.URL + "/x.yaml"
	dir := t.TempDir()
	base := filepath.Join(dir, "base")
	// The remote resource is in a local base: the overlay's build is refused all the same.
	writeKustomization(t, base, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n# a comment\nresources:\n- "+url+"\n")
	overlay := filepath.Join(dir, "overlay")
	writeKustomization(t, overlay, "resources:\n- ../base\n")

	s := Load(overlay, Options{})
	if requests.Load() != 0 {
		t.Fatalf("%d request(s) sent without --allow-remote", requests.Load())
	}
	if len(s.Objects) != 0 || len(s.Errors) != 1 {
		t.Fatalf("objects = %d, errors = %+v", len(s.Objects), s.Errors)
	}
	e := s.Errors[0]
	if e.Source != filepath.Join(base, "kustomization.yaml") || e.Line != 5 ||
		e.Message != "remote resource "+url+" refused: akscheck does not fetch from the network (--allow-remote fetches it)" {
		t.Errorf("error = %+v", e)
	}
	if len(s.Inputs) != 1 || s.Inputs[0].Source != overlay {
		t.Errorf("inputs = %+v", s.Inputs)
	}

	s = Load(overlay, Options{AllowRemote: true})
	if len(s.Errors) != 0 || len(s.Objects) != 1 || s.Objects[0].Name() != "fetched" {
		t.Fatalf("with AllowRemote: objects = %d, errors = %+v", len(s.Objects), s.Errors)
	}
	if requests.Load() == 0 {
		t.Error("with AllowRemote the resource was not fetched")
	}
}

func TestGitReferencesAreRefused(t *testing.T) {
	t.Parallel()
	for _, ref := range []string{
		"github.com/org/repo//deploy?ref=v1",
		"https://github.com/org/repo.git/deploy",
		"git::https://example.com/org/repo",
		"git@github.com:org/repo.git",
		"ssh://git@example.com/org/repo.git",
		"file:///srv/repo.git",
	} {
		dir := t.TempDir()
		writeKustomization(t, dir, "resources:\n- deployment.yaml\ncomponents:\n- "+ref+"\n")
		s := Load(dir, Options{})
		if len(s.Errors) != 1 || s.Errors[0].Line != 4 || !strings.Contains(s.Errors[0].Message, "remote component "+ref+" refused") {
			t.Errorf("%s: errors = %+v", ref, s.Errors)
		}
	}
}

func TestIsRemote(t *testing.T) {
	t.Parallel()
	for ref, want := range map[string]bool{
		"../base":                               false,
		"deployment.yaml":                       false,
		"github.com-notes/x.yaml":               false,
		"https://example.com/x.yaml":            true,
		"HTTP://127.0.0.1/x.yaml":               true,
		"github.com/org/repo":                   true,
		"GitHub.com:org/repo":                   true,
		"user@host.example:repo":                true,
		"git::ssh://host/repo":                  true,
		"http://169.254.169.254/x.yml":          true,
		"app@v1.yaml":                           false,
		"notes/https://x.yaml":                  false,
		"patch:\n  url: https://example.com/\n": false,
	} {
		if got := IsRemote(ref); got != want {
			t.Errorf("IsRemote(%q) = %v, want %v", ref, got, want)
		}
	}
}

func TestCycleIsReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	writeKustomization(t, a, "resources:\n- ../b\n")
	writeKustomization(t, b, "resources:\n- ../a\n")
	roots := Roots([]string{a, b})
	if len(roots) != 2 {
		t.Fatalf("roots = %v, want both kustomizations of the cycle", roots)
	}
	s := Load(a, Options{})
	if len(s.Errors) != 1 || s.Errors[0].Source != filepath.Join(b, "kustomization.yaml") || s.Errors[0].Line != 2 ||
		!strings.Contains(s.Errors[0].Message, "kustomizations "+b+" and "+a+" use each other") {
		t.Errorf("errors = %+v", s.Errors)
	}
}
