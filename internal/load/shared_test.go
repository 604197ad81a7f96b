package load

import (
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// TestLoadSharesEqualMaps: the objects of one load, across files and kinds, hold one copy of
// the maps they have alike (subject.Shared), and the maps still read as written.
func TestLoadSharesEqualMaps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "a/deploy.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: web:1, resources: {requests: {cpu: 100m, memory: 128Mi}}}
      - {name: log, image: log:1, resources: {requests: {memory: 128Mi, cpu: 100m}}}
`)
	write(t, dir, "b/service.yaml", `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
`)
	scan := Load(t.Context(), []string{dir}, Options{})
	if len(scan.Errors) > 0 || len(scan.Objects) != 2 {
		t.Fatalf("objects %d, errors %+v", len(scan.Objects), scan.Errors)
	}
	var d *appsv1.Deployment
	var svc *corev1.Service
	for _, o := range scan.Objects {
		switch typed := o.Typed.(type) {
		case *appsv1.Deployment:
			d = typed
		case *corev1.Service:
			svc = typed
		}
	}
	same := func(a, b any) bool { return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer() }
	if !same(d.Labels, svc.Spec.Selector) || !same(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
		t.Error("equal label maps of one load are not shared")
	}
	c := d.Spec.Template.Spec.Containers
	if !same(c[0].Resources.Requests, c[1].Resources.Requests) {
		t.Error("equal requests are not shared")
	}
	if svc.Spec.Selector["app"] != "web" || c[1].Resources.Requests.Memory().String() != "128Mi" {
		t.Errorf("shared maps read %v %v", svc.Spec.Selector, c[1].Resources.Requests)
	}
}
