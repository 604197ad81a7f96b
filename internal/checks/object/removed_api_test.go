package object

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/akscheck/akscheck/internal/aksversion"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/kubeapi"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

func TestRemovedAPISeverity(t *testing.T) {
	t.Parallel()
	data := aksversion.Shipped()
	lookup := func(apiVersion, kind string) kubeapi.Deprecation {
		d, ok := kubeapi.Lookup(apiVersion, kind)
		if !ok {
			t.Fatalf("%s %s not in the table", apiVersion, kind)
		}
		return d
	}
	// On the tests' scan date 1.31 is the oldest AKS minor in (long-term) support: a version
	// removed in 1.32 is still served there, one removed in 1.16 nowhere.
	if got := oldestSupported(data, testutil.ScanDate); got != "1.31" {
		t.Fatalf("oldest supported = %s, want 1.31 (shipped data changed: adjust the test)", got)
	}
	for _, tc := range []struct {
		d    kubeapi.Deprecation
		now  time.Time
		want check.Severity
	}{
		{lookup("apps/v1beta2", "Deployment"), testutil.ScanDate, check.High},
		{lookup("autoscaling/v2beta2", "HorizontalPodAutoscaler"), testutil.ScanDate, check.High},
		{lookup("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema"), testutil.ScanDate, check.Medium},
		// After 1.31's long-term support ends, nothing in support serves v1beta3.
		{lookup("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema"), time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), check.High},
		{kubeapi.Deprecation{APIVersion: "example.k8s.io/v1beta1", Kind: "Thing", DeprecatedIn: "1.36"}, testutil.ScanDate, check.Low},
	} {
		if got := removedSeverity(tc.d, data, tc.now); got != tc.want {
			t.Errorf("%s %s on %s: severity %s, want %s", tc.d.APIVersion, tc.d.Kind, tc.now.Format(time.DateOnly), got, tc.want)
		}
	}
}

func TestRemovedAPIMessage(t *testing.T) {
	t.Parallel()
	obj := func(apiVersion, kind, name string) (*subject.Object, kubeapi.Deprecation) {
		d, _ := kubeapi.Lookup(apiVersion, kind)
		return &subject.Object{APIVersion: apiVersion, Kind: kind, Meta: &metav1.ObjectMeta{Name: name}}, d
	}
	for _, tc := range []struct {
		apiVersion, kind, want string
	}{
		{"apps/v1beta2", "Deployment", "Deployment web uses apps/v1beta2, removed in Kubernetes 1.16: use apps/v1"},
		{"policy/v1beta1", "PodSecurityPolicy", "PodSecurityPolicy web uses policy/v1beta1, removed in Kubernetes 1.25 with no replacement: use Pod Security Admission (pod-security.kubernetes.io/enforce labels on namespaces) or a policy engine"},
		{"extensions/v1beta1", "PodSecurityPolicy", "PodSecurityPolicy web uses extensions/v1beta1, removed in Kubernetes 1.16: use policy/v1beta1 (itself removed in 1.25: use Pod Security Admission (pod-security.kubernetes.io/enforce labels on namespaces) or a policy engine)"},
	} {
		o, d := obj(tc.apiVersion, tc.kind, "web")
		if got := removedMessage(o, d); got != tc.want {
			t.Errorf("message = %q\nwant      %q", got, tc.want)
		}
	}
}
