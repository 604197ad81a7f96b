package workload_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/checktest"
	"github.com/akscheck/akscheck/internal/checks/rbac"
	"github.com/akscheck/akscheck/internal/checks/workload"
	"github.com/akscheck/akscheck/internal/engine"
)

// TestFixtureFindings pins what the fixtures of issue 21's cases say, beyond pass or fail: the
// severity (an explicit, bound opt-in to the token is only an info note), the field the
// finding points at (the deprecated spec.serviceAccount when that is what is written) and the
// account or tag the message names.
func TestFixtureFindings(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	for _, tc := range []struct {
		check   *check.Check
		fixture string
		sev     check.Severity
		path    string
		message []string
	}{
		{workload.AutomountServiceAccountToken, "fail_info_opt_in_bound_by_cluster_role_binding.yaml", check.Info,
			"spec.template.spec.automountServiceAccountToken",
			[]string{`ServiceAccount "state-exporter" by choice`, "ClusterRoleBinding state-exporter-read binds it to ClusterRole state-exporter-read"}},
		{workload.AutomountServiceAccountToken, "fail_info_service_account_opt_in_bound_by_role_binding.yaml", check.Info,
			"spec.template.spec.automountServiceAccountToken",
			[]string{`ServiceAccount "release-hook" sets automountServiceAccountToken: true`, "RoleBinding release-hook binds it to Role release-hook"}},
		{workload.AutomountServiceAccountToken, "fail_info_opt_in_bound_through_namespace_group.yaml", check.Info,
			"spec.template.spec.automountServiceAccountToken",
			[]string{`ServiceAccount "ops-agent" by choice`, "ClusterRoleBinding ops-view binds it to ClusterRole view"}},
		{workload.AutomountServiceAccountToken, "fail_opt_in_without_binding.yaml", check.Medium,
			"spec.template.spec.automountServiceAccountToken",
			[]string{`ServiceAccount "web"`, "no RoleBinding or ClusterRoleBinding in the scan binds that ServiceAccount"}},
		{workload.AutomountServiceAccountToken, "fail_unset_with_binding.yaml", check.Medium,
			"spec.template.spec.automountServiceAccountToken",
			[]string{`the token of ServiceAccount "cart": neither the pod nor the ServiceAccount`}},
		{workload.WorkloadIdentityServiceAccount, "fail_deprecated_field_without_client_id.yaml", check.Medium,
			"spec.template.spec.serviceAccount", []string{`ServiceAccount "orders" has no`}},
		{workload.WorkloadIdentityServiceAccount, "fail_default_service_account.yaml", check.Medium,
			"spec.template.spec", []string{"with the default ServiceAccount"}},
		{rbac.ACRPullSecret, "../rbac/testdata/acr-image-pull-secret/fail_deprecated_service_account_pull_secret.yaml", check.Medium,
			"spec.template.spec.serviceAccount", []string{"imagePullSecrets of ServiceAccount web"}},
		{workload.ImagePullPolicy, "fail_unset_with_channel_tag.yaml", check.Low,
			"spec.template.spec.containers[0].imagePullPolicy", []string{`tag "aspnetapp" is a channel that moves like latest`, "defaults to IfNotPresent"}},
		{workload.LatestTag, "fail_channel_tag.yaml", check.Medium,
			"spec.template.spec.containers[0].image", []string{`tag "stable" is a channel that moves like latest`}},
		{workload.ReadinessProbe, "fail_sidecar_port_without_service.yaml", check.Medium,
			"spec.template.spec.containers[0].readinessProbe", []string{`container "api"`}},
	} {
		t.Run(tc.check.ID+"/"+filepath.Base(tc.fixture), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", tc.check.ID, tc.fixture)
			if strings.Contains(tc.fixture, "/") { // another package's fixture
				path = tc.fixture
			}
			rep := engine.Run(t.Context(), cat, []*check.Check{tc.check}, checktest.Manifests(t, path), engine.Options{})
			if len(rep.Findings) != 1 {
				t.Fatalf("want one finding, got %d: %+v", len(rep.Findings), rep.Findings)
			}
			f := rep.Findings[0]
			if f.Severity != tc.sev {
				t.Errorf("severity %s, want %s", f.Severity, tc.sev)
			}
			if f.Location.Path != tc.path {
				t.Errorf("path %q, want %q", f.Location.Path, tc.path)
			}
			for _, m := range tc.message {
				if !strings.Contains(f.Message, m) {
					t.Errorf("message %q does not say %q", f.Message, m)
				}
			}
		})
	}
}
