package subject

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func podWorkload(labels map[string]string, image string, args ...string) *Workload {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", Labels: labels},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: image, Args: args}}},
	}
	return NewWorkload(&Object{APIVersion: "v1", Kind: "Pod", Namespace: "ns", Typed: pod, Meta: &pod.ObjectMeta})
}

func TestIngressControllerOf(t *testing.T) {
	t.Parallel()
	class := &networkingv1.IngressClass{
		ObjectMeta: metav1.ObjectMeta{Name: "edge", Annotations: map[string]string{networkingv1.AnnotationIsDefaultIngressClass: "true"}},
		Spec:       networkingv1.IngressClassSpec{Controller: "contoso.example/edge"},
	}
	ix := NewIndex([]*Object{{APIVersion: "networking.k8s.io/v1", Kind: "IngressClass", Typed: class, Meta: &class.ObjectMeta}})
	for _, tc := range []struct {
		name    string
		w       *Workload
		want    string
		classes []string
	}{
		{"label", podWorkload(map[string]string{"app.kubernetes.io/name": "ingress-nginx"}, "contoso.azurecr.io/nginx:1"), "ingress-nginx", []string{"nginx"}},
		{"istio label", podWorkload(map[string]string{"istio": "ingressgateway"}, "auto"), "Istio ingress gateway", []string{"istio"}},
		{"official image", podWorkload(nil, "traefik:v3.1"), "traefik", []string{"traefik"}},
		{"registry image", podWorkload(nil, "registry.k8s.io/ingress-nginx/controller:v1.11.3@sha256:"+sha), "ingress-nginx", []string{"nginx"}},
		{"class named in args", podWorkload(nil, "contoso.azurecr.io/edge:2", "--controller-class=contoso.example/edge"), "contoso.example/edge", []string{"edge"}},
		{"web server", podWorkload(map[string]string{"app": "nginx"}, "nginx:1.27"), "", nil},
		{"other class", podWorkload(nil, "contoso.azurecr.io/edge:2", "--controller-class=contoso.example/other"), "", nil},
	} {
		got := ix.IngressControllerOf(tc.w)
		switch {
		case tc.want == "" && got != nil:
			t.Errorf("%s: got controller %q, want none", tc.name, got.Name)
		case tc.want != "" && (got == nil || got.Name != tc.want || len(got.Classes) != len(tc.classes) || got.Classes[0] != tc.classes[0]):
			t.Errorf("%s: got %+v, want %s serving %v", tc.name, got, tc.want, tc.classes)
		}
	}
	edge := ix.IngressControllerOf(podWorkload(nil, "contoso.azurecr.io/edge:2", "--controller-class=contoso.example/edge"))
	other, none := "other", ""
	for _, tc := range []struct {
		ing  networkingv1.Ingress
		want bool
	}{
		{networkingv1.Ingress{Spec: networkingv1.IngressSpec{IngressClassName: &class.Name}}, true},
		{networkingv1.Ingress{Spec: networkingv1.IngressSpec{IngressClassName: &other}}, false},
		{networkingv1.Ingress{Spec: networkingv1.IngressSpec{IngressClassName: &none}}, true}, // the default class
		{networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{"kubernetes.io/ingress.class": "edge"}}}, true},
		{networkingv1.Ingress{}, true},
	} {
		if got := edge.Serves(&tc.ing); got != tc.want {
			t.Errorf("Serves(%+v) = %v, want %v", tc.ing.Spec, got, tc.want)
		}
	}
}

const sha = "0000000000000000000000000000000000000000000000000000000000000000"

func TestLeaderElected(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		w    *Workload
		want bool
	}{
		{podWorkload(nil, "contoso.azurecr.io/op:1", "--leader-elect"), true},
		{podWorkload(nil, "contoso.azurecr.io/op:1", "--leader-elect=true"), true},
		{podWorkload(nil, "contoso.azurecr.io/op:1", "-enable-leader-election"), true},
		{podWorkload(nil, "contoso.azurecr.io/op:1", "--leader-election=TRUE"), true},
		{podWorkload(nil, "contoso.azurecr.io/op:1", "--leader-elect=false"), false},
		{podWorkload(nil, "contoso.azurecr.io/op:1", "--leader-elect-lease-duration=15s"), false},
		{podWorkload(nil, "quay.io/jetstack/cert-manager-controller:v1.16.1"), true},
		{podWorkload(nil, "contoso.azurecr.io/web:1"), false},
	} {
		if got := tc.w.LeaderElected() != ""; got != tc.want {
			t.Errorf("%v %v: LeaderElected = %v, want %v", tc.w.Spec().Containers[0].Image, tc.w.Spec().Containers[0].Args, got, tc.want)
		}
	}
}

func TestOperatorPodsIn(t *testing.T) {
	t.Parallel()
	prom := &Object{APIVersion: "monitoring.coreos.com/v1", Kind: "Prometheus", Namespace: "monitoring",
		Meta: &metav1.ObjectMeta{Name: "k8s"}, Extra: NewExtra([]byte(`{"spec":{"podMetadata":{"labels":{"team":"platform"}}}}`), nil, nil)}
	// A Cluster of another group is not CloudNativePG's.
	other := &Object{APIVersion: "example.com/v1", Kind: "Cluster", Namespace: "monitoring",
		Meta: &metav1.ObjectMeta{Name: "db"}, Extra: NewExtra([]byte(`{}`), nil, nil)}
	ix := NewIndex([]*Object{prom, other})
	got := ix.OperatorPodsIn("monitoring")
	if len(got) != 1 || got[0].Object != prom {
		t.Fatalf("OperatorPodsIn = %+v, want the Prometheus only", got)
	}
	l := got[0].Labels[0]
	if l["prometheus"] != "k8s" || l["app.kubernetes.io/name"] != "prometheus" || l["team"] != "platform" {
		t.Errorf("labels = %v", l)
	}
}

// TestNamesImage: an image is named by its registry and repository joined by a slash, and
// by nothing shorter, longer or joined otherwise.
func TestNamesImage(t *testing.T) {
	ref := ImageRef{Registry: "registry.k8s.io", Repository: "ingress-nginx/controller", Tag: "v1.12.0", Valid: true}
	for image, want := range map[string]bool{
		"registry.k8s.io/ingress-nginx/controller":   true,
		"registry.k8s.io/ingress-nginx/controller2":  false,
		"registry.k8s.io/ingress-nginx/controlle":    false,
		"registry.k8s.io:ingress-nginx/controller":   false,
		"registry.k8s.iox/ingress-nginx/controller":  false,
		"mcr.microsoft.com/ingress-nginx/controller": false,
		"registry.k8s.io":                            false,
		"":                                           false,
	} {
		if got := namesImage(image, ref); got != want {
			t.Errorf("namesImage(%q) = %v, want %v", image, got, want)
		}
	}
}
