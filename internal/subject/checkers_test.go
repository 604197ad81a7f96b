package subject

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestClusterChecker(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		labels, podLab map[string]string
		image, want    string
	}{
		{"kube-bench image", nil, nil, "docker.io/aquasec/kube-bench:v0.10.6", "kube-bench"},
		{"mirrored Polaris", nil, nil, "contosoacr.azurecr.io/fairwinds/polaris:9.6.1", "Polaris"},
		{"trivy-operator by label", map[string]string{"app.kubernetes.io/name": "trivy-operator"}, nil, "contosoacr.azurecr.io/tools/scanner:1", "trivy-operator"},
		{"Kubescape by pod label", nil, map[string]string{"app": "kubescape"}, "contosoacr.azurecr.io/tools/x:1", "Kubescape"},
		{"akscheck from the chart's registry", nil, nil, "myregistry.azurecr.io/akscheck:0.1.0", "akscheck"},
		{"akscheck's webhook", map[string]string{"app.kubernetes.io/name": "akscheck", "app.kubernetes.io/component": "webhook"}, nil, "myregistry.azurecr.io/akscheck:0.1.0", ""},
		{"a repository that only ends like one", nil, nil, "contosoacr.azurecr.io/shop/notakscheck:1", ""},
		{"an application", map[string]string{"app": "web"}, nil, "contosoacr.azurecr.io/shop/web:1", ""},
	} {
		d := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: "ns", Labels: tc.labels},
			Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: tc.podLab},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: tc.image}}}}},
		}
		w := NewWorkload(&Object{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "ns", Meta: &d.ObjectMeta, Typed: d})
		if w == nil {
			t.Fatalf("%s: no workload", tc.name)
		}
		if got := w.ClusterChecker(); got != tc.want {
			t.Errorf("%s: ClusterChecker() = %q, want %q", tc.name, got, tc.want)
		}
	}
}
