package object

import (
	"context"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ServiceTargetsPods finds Services whose selector matches the pods of no workload.
var ServiceTargetsPods = check.NewOf(check.Meta{
	ID:          "service-targets-pods",
	CrossObject: true,
	Item:        "dev.manifest-practices",
	Title:       "Every Service selects the pods of a workload",
	Severity:    check.Medium,
	Description: "A Service with a selector that matches the pod template labels of no workload of its namespace " +
		"in the scan (kube-score's \"Service Targets Pod\", kube-linter's dangling-service): a typo in a label, " +
		"or a workload renamed or removed, leaves the Service without endpoints, and its clients get " +
		"connection errors that no probe reports. Services without a selector (ExternalName, or Endpoints " +
		"managed by hand or by a controller) are not applicable. Pods created by an operator from a custom " +
		"resource are not in a manifest scan: exempt such a Service with the akscheck.io/exempt annotation. " +
		"The check reads the workloads of the scan, so it is not evaluated when they could not be read.",
	Remediation: "Make the Service's selector match the labels of the workload's pod template (spec.template.metadata.labels), or remove the Service.",
	Example: `apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
spec:
  selector:
    app.kubernetes.io/name: cart   # the labels of the cart Deployment's spec.template.metadata.labels
  ports:
    - port: 80
      targetPort: 8080`,
	Kinds:    []string{"Service"},
	Requires: slices.Clone(subject.WorkloadKinds),
}, func(_ context.Context, env *check.Env, o *subject.Object, svc *corev1.Service, r *check.Result) {
	if svc.Spec.Type == corev1.ServiceTypeExternalName || len(svc.Spec.Selector) == 0 {
		r.NotApplicable()
		return
	}
	if len(env.Index.WorkloadsSelectedBy(o.Namespace, svc.Spec.Selector)) == 0 {
		r.Failf("spec.selector", "", "Service %s selects no pods: no workload of %s has the pod labels %s",
			o.Name(), subject.NamespaceNoun(o.Namespace), formatSelector(svc.Spec.Selector))
	}
})

// formatSelector writes a selector as kubectl does: k=v pairs, sorted, comma-separated.
func formatSelector(sel map[string]string) string {
	pairs := make([]string, 0, len(sel))
	for k, v := range sel {
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	return strings.Join(pairs, ",")
}
