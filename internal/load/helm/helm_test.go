package helm

import (
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
)

func byName(s *subject.Scan) map[string]*subject.Object {
	out := map[string]*subject.Object{}
	for _, o := range s.Objects {
		out[o.Kind+"/"+o.Name()] = o
	}
	return out
}

func TestRenderChartWithSubchart(t *testing.T) {
	t.Parallel()
	chart := filepath.Join("testdata", "shop")
	s := Load(chart, Options{ReleaseName: "prod", Namespace: "shop"}, manifest.Options{})
	if len(s.Errors) > 0 {
		t.Fatalf("errors: %+v", s.Errors)
	}
	objs := byName(s)
	dep, ok := objs["Deployment/prod-web"]
	if !ok {
		t.Fatalf("objects = %v", objs)
	}
	if dep.Source.File != filepath.Join(chart, "templates", "deployment.yaml") {
		t.Errorf("deployment source = %s", dep.Source.File)
	}
	if dep.Source.Line < 1 || dep.Namespace != "shop" || dep.Input != subject.InputHelm {
		t.Errorf("deployment = %+v", dep)
	}
	d := dep.Typed.(*appsv1.Deployment)
	if *d.Spec.Replicas != 1 || d.Spec.Template.Labels["app.kubernetes.io/instance"] != "prod" {
		t.Errorf("rendered values wrong: %+v", d.Spec)
	}
	cache, ok := objs["StatefulSet/prod-cache"]
	if !ok {
		t.Fatal("subchart not rendered")
	}
	if cache.Source.File != filepath.Join(chart, "charts", "cache", "templates", "statefulset.yaml") {
		t.Errorf("subchart source = %s", cache.Source.File)
	}
	if len(s.Inputs) != 1 || s.Inputs[0].Kind != subject.InputHelm || s.Inputs[0].Objects != 3 {
		t.Errorf("inputs = %+v", s.Inputs)
	}
}

func TestValuesAndSet(t *testing.T) {
	t.Parallel()
	s := Load(filepath.Join("testdata", "shop"), Options{
		ValueFiles: []string{filepath.Join("testdata", "prod-values.yaml")},
		Set:        []string{"image.tag=2.5.0", "cache.enabled=false"},
	}, manifest.Options{})
	if len(s.Errors) > 0 {
		t.Fatalf("errors: %+v", s.Errors)
	}
	objs := byName(s)
	d := objs["Deployment/release-name-web"].Typed.(*appsv1.Deployment)
	if *d.Spec.Replicas != 3 || !strings.HasSuffix(d.Spec.Template.Spec.Containers[0].Image, ":2.5.0") {
		t.Errorf("values not applied: replicas %d image %s", *d.Spec.Replicas, d.Spec.Template.Spec.Containers[0].Image)
	}
	if svc := objs["Service/release-name-web"].Typed.(*corev1.Service); svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		t.Errorf("service type = %s", svc.Spec.Type)
	}
	if _, ok := objs["StatefulSet/release-name-cache"]; ok {
		t.Error("--set cache.enabled=false did not disable the subchart")
	}
}

func TestRenderErrorsNameTheChart(t *testing.T) {
	t.Parallel()
	for dir, want := range map[string]string{
		"broken":      "name is required",
		"missing-dep": "postgresql are not in charts/",
		"nope":        "loading",
	} {
		path := filepath.Join("testdata", dir)
		s := Load(path, Options{}, manifest.Options{})
		if len(s.Errors) != 1 || s.Errors[0].Source != path || !strings.Contains(s.Errors[0].Message, want) {
			t.Errorf("%s: errors = %+v, want one naming the chart with %q", dir, s.Errors, want)
		}
	}
}
