package workload

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const (
	podIdentityLabel      = "aadpodidbinding"
	workloadIdentityLabel = "azure.workload.identity/use"
	clientIDAnnotation    = "azure.workload.identity/client-id"
)

// AADPodIdentity finds pods that still use the retired AAD Pod Identity.
var AADPodIdentity = check.New(check.Meta{
	ID:       "aad-pod-identity",
	Item:     "dev.workload-identity",
	Title:    "Pods do not use the retired AAD Pod Identity",
	Severity: check.Medium,
	Description: "A pod template labelled aadpodidbinding. AAD Pod Identity was retired in favour of " +
		"Microsoft Entra Workload ID; its NMI DaemonSet intercepts IMDS traffic on every node and is no " +
		"longer supported.",
	Remediation: "Migrate to Microsoft Entra Workload ID: a federated credential on the identity, a ServiceAccount annotated azure.workload.identity/client-id, and the pod label azure.workload.identity/use: \"true\".",
	Example: `apiVersion: v1
kind: ServiceAccount
metadata:
  name: orders
  namespace: shop
  annotations:
    azure.workload.identity/client-id: 00000000-0000-0000-0000-000000000000
---
# in the pod template of the workload
metadata:
  labels:
    azure.workload.identity/use: "true"   # instead of aadpodidbinding
spec:
  serviceAccountName: orders`,
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	if v, ok := w.PodLabels()[podIdentityLabel]; ok {
		r.Failf(w.TemplateMetaPath()+".labels."+podIdentityLabel, "", "%s uses AAD Pod Identity binding %q", kindNoun(w), v)
	}
})

// WorkloadIdentityServiceAccount finds Workload ID pods whose ServiceAccount cannot work.
var WorkloadIdentityServiceAccount = check.New(check.Meta{
	ID:          "workload-identity-service-account",
	CrossObject: true,
	Requires:    []string{"ServiceAccount"},
	Item:        "dev.workload-identity",
	Title:       "Workload ID pods run as an annotated, dedicated ServiceAccount",
	Severity:    check.Medium,
	Description: "Pods labelled azure.workload.identity/use: \"true\" that run as the default " +
		"ServiceAccount, or whose ServiceAccount (when in the scan) lacks the " +
		"azure.workload.identity/client-id annotation: the webhook then injects no usable identity, or " +
		"every pod of the namespace shares it. The ServiceAccount is spec.serviceAccountName, or the " +
		"deprecated spec.serviceAccount when only that is set.",
	Remediation: "Create a dedicated ServiceAccount annotated azure.workload.identity/client-id: <client ID>, federate it with the identity, and set spec.serviceAccountName.",
	Example: `apiVersion: v1
kind: ServiceAccount
metadata:
  name: payments
  namespace: shop
  annotations:
    azure.workload.identity/client-id: 00000000-0000-0000-0000-000000000000
---
# in the pod template of the workload
metadata:
  labels:
    azure.workload.identity/use: "true"
spec:
  serviceAccountName: payments`,
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	if w.PodLabels()[workloadIdentityLabel] != "true" {
		r.NotApplicable()
		return
	}
	name, path := w.ServiceAccount()
	if name == "default" {
		r.Failf(path, "", "%s uses Workload ID with the default ServiceAccount", kindNoun(w))
		return
	}
	if sa := env.Index.ServiceAccountOf(w); sa != nil && sa.Annotations[clientIDAnnotation] == "" {
		r.Failf(path, "", "%s uses Workload ID but ServiceAccount %q has no %s annotation", kindNoun(w), name, clientIDAnnotation)
	}
})
