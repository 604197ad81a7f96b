package object

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/akscheck/akscheck/internal/subject"
)

func TestBelongsInDefault(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		apiVersion, kind, name string
		input                  subject.InputKind
		want                   bool
	}{
		{"v1", "ConfigMap", "kube-root-ca.crt", subject.InputCluster, true},
		// Written in a manifest, it is no controller's: it is judged as any ConfigMap.
		{"v1", "ConfigMap", "kube-root-ca.crt", subject.InputManifest, false},
		{"v1", "ServiceAccount", "default", subject.InputManifest, true},
		{"v1", "ServiceAccount", "deployer", subject.InputManifest, false},
		{"rbac.authorization.k8s.io/v1", "RoleBinding", "readers", subject.InputManifest, true},
		{"v1", "Service", "kubernetes", subject.InputCluster, true},
		{"v1", "Service", "web", subject.InputManifest, false},
	} {
		o := &subject.Object{APIVersion: tc.apiVersion, Kind: tc.kind, Namespace: "default", Input: tc.input,
			Meta: &metav1.ObjectMeta{Name: tc.name}}
		if got := belongsInDefault(o); got != tc.want {
			t.Errorf("%s %s (%s): belongsInDefault = %v, want %v", tc.kind, tc.name, tc.input, got, tc.want)
		}
	}
}
