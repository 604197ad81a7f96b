package kustomize

import (
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/akscheck/akscheck/internal/subject"
)

func TestBuildOverlay(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "overlays", "prod")
	if !IsKustomization(dir) || IsKustomization("testdata") {
		t.Fatal("IsKustomization is wrong")
	}
	s := Load(dir, Options{})
	if len(s.Errors) > 0 {
		t.Fatalf("errors: %+v", s.Errors)
	}
	if len(s.Objects) != 2 {
		t.Fatalf("objects = %d", len(s.Objects))
	}
	var d *appsv1.Deployment
	for _, o := range s.Objects {
		if o.Kind == "Deployment" {
			d = o.Typed.(*appsv1.Deployment)
			if o.Namespace != "shop-prod" || o.Name() != "prod-catalog" || o.Input != subject.InputKustomize || !strings.HasPrefix(o.Source.File, dir) {
				t.Errorf("deployment = %+v", o)
			}
		}
	}
	if d == nil || *d.Spec.Replicas != 3 || d.Labels["app.kubernetes.io/part-of"] != "shop" {
		t.Errorf("overlay not applied: %+v", d)
	}
	if len(s.Inputs) != 1 || s.Inputs[0].Kind != subject.InputKustomize || s.Inputs[0].Source != dir {
		t.Errorf("inputs = %+v", s.Inputs)
	}
}

func TestBuildErrorNamesTheFolder(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "broken")
	s := Load(dir, Options{})
	if len(s.Errors) != 1 || s.Errors[0].Source != dir || !strings.Contains(s.Errors[0].Message, "does-not-exist.yaml") {
		t.Errorf("errors = %+v", s.Errors)
	}
}

func TestRootsSkipBases(t *testing.T) {
	t.Parallel()
	base, prod := filepath.Join("testdata", "base"), filepath.Join("testdata", "overlays", "prod")
	got := Roots([]string{base, prod, filepath.Join("testdata", "broken")})
	if len(got) != 2 || got[0] != prod {
		t.Errorf("roots = %v, want the overlay and the unrelated kustomization", got)
	}
}
