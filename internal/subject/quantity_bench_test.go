package subject

import (
	"encoding/json"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// BenchmarkQuantityPass is what the pass over an object's bytes costs DecodeTyped, against the
// decoding itself, on a Deployment of two containers with an image digest; and the walk, for
// the few objects whose bytes hold a number of that shape (a digest that starts 9e12345).
func BenchmarkQuantityPass(b *testing.B) {
	container := corev1.Container{
		Name: "web", Image: "contoso.azurecr.io/web@sha256:a9e12345f0c6d8e1b2a3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081920",
		Env: []corev1.EnvVar{{Name: "MODE", Value: "production"}, {Name: "RATE", Value: "1e3"}},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{"cpu": resource.MustParse("100m"), "memory": resource.MustParse("128Mi")},
			Limits:   corev1.ResourceList{"memory": resource.MustParse("256Mi")},
		},
		LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz"}}, PeriodSeconds: 10},
	}
	d := appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", Labels: map[string]string{"app": "web", "tier": "frontend"}},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web", "tier": "frontend"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{container, container}},
			},
		},
	}
	raw, err := json.Marshal(d)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("pass", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if mayHoldUnboundedNumber(raw) {
				b.Fatal("seen")
			}
		}
	})
	seen := []byte(strings.Replace(string(raw), "sha256:a9e", "sha256:9e", 1))
	b.Run("walk", func(b *testing.B) {
		b.SetBytes(int64(len(seen)))
		for b.Loop() {
			if err := checkQuantities(seen, &appsv1.Deployment{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := DecodeTyped("apps/v1", "Deployment", raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
