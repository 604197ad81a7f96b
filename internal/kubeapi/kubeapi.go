// Package kubeapi knows the apiVersions of the built-in Kubernetes kinds: those served today,
// and those that were deprecated and then removed, with the Kubernetes minor that stopped
// serving each and what replaces it. The manifest loader reads it to convert objects of removed
// versions and to reject an apiVersion that cannot hold a kind; the removed-api check reads it
// to name the version and its replacement; upgrade-plan (internal/upgrade) reads it to say what
// each minor of an upgrade path removes or deprecates.
//
// Source: the Kubernetes Deprecated API Migration Guide
// (https://kubernetes.io/docs/reference/using-api/deprecation-guide/, kubernetes/website
// content/en/docs/reference/using-api/deprecation-guide.md) for the minor that removed each
// version and its replacement; the deprecation announcements in the Kubernetes release notes
// (CHANGELOG-1.x "Deprecation" sections) for the minor that deprecated it. The table holds
// the guide's removals of versions of GA kinds, through v1.32, and the alpha CronJob; versions
// of kinds that are still beta or alpha themselves (resource.k8s.io...) are not listed.
// cmd/kubeapis checks the table against the guide (ParseGuide reads its "Removed APIs by
// release" sections) and prints the removals it lacks as entries to add; the minor that
// deprecated each version comes from the release notes and is filled by hand.
package kubeapi

import (
	"regexp"
	"slices"
	"strings"
)

// Deprecation is one apiVersion of a built-in kind that Kubernetes deprecated.
type Deprecation struct {
	// APIVersion is the version as manifests write it ("apps/v1beta2").
	APIVersion string
	Kind       string
	// DeprecatedIn is the Kubernetes minor that deprecated it ("1.9"); empty for an alpha
	// version, which is removed without a deprecation period.
	DeprecatedIn string
	// RemovedIn is the first Kubernetes minor that no longer serves it ("1.16"); empty when
	// it is still served.
	RemovedIn string
	// Replacement is the apiVersion to use instead ("apps/v1"); empty when the kind was
	// removed with no successor.
	Replacement string
	// Note says what to do when there is no replacement, or what changed in the schema.
	Note string
}

// Removed reports whether no Kubernetes minor from RemovedIn on serves the version.
func (d Deprecation) Removed() bool { return d.RemovedIn != "" }

const noPSP = "use Pod Security Admission (pod-security.kubernetes.io/enforce labels on namespaces) or a policy engine"

// deprecations is the table, by removal then group. Keep it in the guide's order when adding.
var deprecations = []Deprecation{
	// v1.16
	{APIVersion: "extensions/v1beta1", Kind: "NetworkPolicy", DeprecatedIn: "1.9", RemovedIn: "1.16", Replacement: "networking.k8s.io/v1"},
	{APIVersion: "extensions/v1beta1", Kind: "PodSecurityPolicy", DeprecatedIn: "1.10", RemovedIn: "1.16", Replacement: "policy/v1beta1",
		Note: "policy/v1beta1 was itself removed in 1.25: " + noPSP},
	{APIVersion: "extensions/v1beta1", Kind: "DaemonSet", DeprecatedIn: "1.9", RemovedIn: "1.16", Replacement: "apps/v1"},
	{APIVersion: "apps/v1beta2", Kind: "DaemonSet", DeprecatedIn: "1.9", RemovedIn: "1.16", Replacement: "apps/v1"},
	{APIVersion: "extensions/v1beta1", Kind: "Deployment", DeprecatedIn: "1.9", RemovedIn: "1.16", Replacement: "apps/v1"},
	{APIVersion: "apps/v1beta1", Kind: "Deployment", DeprecatedIn: "1.9", RemovedIn: "1.16", Replacement: "apps/v1"},
	{APIVersion: "apps/v1beta2", Kind: "Deployment", DeprecatedIn: "1.9", RemovedIn: "1.16", Replacement: "apps/v1"},
	{APIVersion: "apps/v1beta1", Kind: "StatefulSet", DeprecatedIn: "1.9", RemovedIn: "1.16", Replacement: "apps/v1"},
	{APIVersion: "apps/v1beta2", Kind: "StatefulSet", DeprecatedIn: "1.9", RemovedIn: "1.16", Replacement: "apps/v1"},
	{APIVersion: "extensions/v1beta1", Kind: "ReplicaSet", DeprecatedIn: "1.9", RemovedIn: "1.16", Replacement: "apps/v1"},
	{APIVersion: "apps/v1beta1", Kind: "ReplicaSet", DeprecatedIn: "1.9", RemovedIn: "1.16", Replacement: "apps/v1"},
	{APIVersion: "apps/v1beta2", Kind: "ReplicaSet", DeprecatedIn: "1.9", RemovedIn: "1.16", Replacement: "apps/v1"},

	// v1.21: the alpha CronJob
	{APIVersion: "batch/v2alpha1", Kind: "CronJob", RemovedIn: "1.21", Replacement: "batch/v1"},

	// v1.22
	{APIVersion: "admissionregistration.k8s.io/v1beta1", Kind: "MutatingWebhookConfiguration", DeprecatedIn: "1.16", RemovedIn: "1.22", Replacement: "admissionregistration.k8s.io/v1"},
	{APIVersion: "admissionregistration.k8s.io/v1beta1", Kind: "ValidatingWebhookConfiguration", DeprecatedIn: "1.16", RemovedIn: "1.22", Replacement: "admissionregistration.k8s.io/v1"},
	{APIVersion: "apiextensions.k8s.io/v1beta1", Kind: "CustomResourceDefinition", DeprecatedIn: "1.16", RemovedIn: "1.22", Replacement: "apiextensions.k8s.io/v1"},
	{APIVersion: "apiregistration.k8s.io/v1beta1", Kind: "APIService", DeprecatedIn: "1.19", RemovedIn: "1.22", Replacement: "apiregistration.k8s.io/v1"},
	{APIVersion: "authentication.k8s.io/v1beta1", Kind: "TokenReview", DeprecatedIn: "1.19", RemovedIn: "1.22", Replacement: "authentication.k8s.io/v1"},
	{APIVersion: "authorization.k8s.io/v1beta1", Kind: "SubjectAccessReview", DeprecatedIn: "1.19", RemovedIn: "1.22", Replacement: "authorization.k8s.io/v1"},
	{APIVersion: "authorization.k8s.io/v1beta1", Kind: "LocalSubjectAccessReview", DeprecatedIn: "1.19", RemovedIn: "1.22", Replacement: "authorization.k8s.io/v1"},
	{APIVersion: "authorization.k8s.io/v1beta1", Kind: "SelfSubjectAccessReview", DeprecatedIn: "1.19", RemovedIn: "1.22", Replacement: "authorization.k8s.io/v1"},
	{APIVersion: "certificates.k8s.io/v1beta1", Kind: "CertificateSigningRequest", DeprecatedIn: "1.19", RemovedIn: "1.22", Replacement: "certificates.k8s.io/v1"},
	{APIVersion: "coordination.k8s.io/v1beta1", Kind: "Lease", DeprecatedIn: "1.19", RemovedIn: "1.22", Replacement: "coordination.k8s.io/v1"},
	{APIVersion: "extensions/v1beta1", Kind: "Ingress", DeprecatedIn: "1.14", RemovedIn: "1.22", Replacement: "networking.k8s.io/v1",
		Note: "backend.serviceName/servicePort became backend.service.name/port, spec.backend spec.defaultBackend, and pathType is required"},
	{APIVersion: "networking.k8s.io/v1beta1", Kind: "Ingress", DeprecatedIn: "1.19", RemovedIn: "1.22", Replacement: "networking.k8s.io/v1",
		Note: "backend.serviceName/servicePort became backend.service.name/port, spec.backend spec.defaultBackend, and pathType is required"},
	{APIVersion: "networking.k8s.io/v1beta1", Kind: "IngressClass", DeprecatedIn: "1.19", RemovedIn: "1.22", Replacement: "networking.k8s.io/v1"},
	{APIVersion: "rbac.authorization.k8s.io/v1alpha1", Kind: "ClusterRole", DeprecatedIn: "1.17", RemovedIn: "1.22", Replacement: "rbac.authorization.k8s.io/v1"},
	{APIVersion: "rbac.authorization.k8s.io/v1alpha1", Kind: "ClusterRoleBinding", DeprecatedIn: "1.17", RemovedIn: "1.22", Replacement: "rbac.authorization.k8s.io/v1"},
	{APIVersion: "rbac.authorization.k8s.io/v1alpha1", Kind: "Role", DeprecatedIn: "1.17", RemovedIn: "1.22", Replacement: "rbac.authorization.k8s.io/v1"},
	{APIVersion: "rbac.authorization.k8s.io/v1alpha1", Kind: "RoleBinding", DeprecatedIn: "1.17", RemovedIn: "1.22", Replacement: "rbac.authorization.k8s.io/v1"},
	{APIVersion: "rbac.authorization.k8s.io/v1beta1", Kind: "ClusterRole", DeprecatedIn: "1.17", RemovedIn: "1.22", Replacement: "rbac.authorization.k8s.io/v1"},
	{APIVersion: "rbac.authorization.k8s.io/v1beta1", Kind: "ClusterRoleBinding", DeprecatedIn: "1.17", RemovedIn: "1.22", Replacement: "rbac.authorization.k8s.io/v1"},
	{APIVersion: "rbac.authorization.k8s.io/v1beta1", Kind: "Role", DeprecatedIn: "1.17", RemovedIn: "1.22", Replacement: "rbac.authorization.k8s.io/v1"},
	{APIVersion: "rbac.authorization.k8s.io/v1beta1", Kind: "RoleBinding", DeprecatedIn: "1.17", RemovedIn: "1.22", Replacement: "rbac.authorization.k8s.io/v1"},
	{APIVersion: "scheduling.k8s.io/v1beta1", Kind: "PriorityClass", DeprecatedIn: "1.14", RemovedIn: "1.22", Replacement: "scheduling.k8s.io/v1"},
	{APIVersion: "storage.k8s.io/v1beta1", Kind: "CSIDriver", DeprecatedIn: "1.19", RemovedIn: "1.22", Replacement: "storage.k8s.io/v1"},
	{APIVersion: "storage.k8s.io/v1beta1", Kind: "CSINode", DeprecatedIn: "1.17", RemovedIn: "1.22", Replacement: "storage.k8s.io/v1"},
	{APIVersion: "storage.k8s.io/v1beta1", Kind: "StorageClass", DeprecatedIn: "1.19", RemovedIn: "1.22", Replacement: "storage.k8s.io/v1"},
	{APIVersion: "storage.k8s.io/v1beta1", Kind: "VolumeAttachment", DeprecatedIn: "1.19", RemovedIn: "1.22", Replacement: "storage.k8s.io/v1"},

	// v1.25
	{APIVersion: "batch/v1beta1", Kind: "CronJob", DeprecatedIn: "1.21", RemovedIn: "1.25", Replacement: "batch/v1"},
	{APIVersion: "discovery.k8s.io/v1beta1", Kind: "EndpointSlice", DeprecatedIn: "1.21", RemovedIn: "1.25", Replacement: "discovery.k8s.io/v1"},
	{APIVersion: "events.k8s.io/v1beta1", Kind: "Event", DeprecatedIn: "1.19", RemovedIn: "1.25", Replacement: "events.k8s.io/v1"},
	{APIVersion: "autoscaling/v2beta1", Kind: "HorizontalPodAutoscaler", DeprecatedIn: "1.22", RemovedIn: "1.25", Replacement: "autoscaling/v2",
		Note: "metrics' targetAverageUtilization, targetAverageValue and targetValue became target.averageUtilization, target.averageValue and target.value"},
	{APIVersion: "policy/v1beta1", Kind: "PodDisruptionBudget", DeprecatedIn: "1.21", RemovedIn: "1.25", Replacement: "policy/v1",
		Note: "an empty spec.selector ({}) selects no pod in policy/v1beta1 and every pod of the namespace in policy/v1"},
	{APIVersion: "policy/v1beta1", Kind: "PodSecurityPolicy", DeprecatedIn: "1.21", RemovedIn: "1.25", Note: noPSP},
	{APIVersion: "node.k8s.io/v1beta1", Kind: "RuntimeClass", DeprecatedIn: "1.20", RemovedIn: "1.25", Replacement: "node.k8s.io/v1"},

	// v1.26
	{APIVersion: "flowcontrol.apiserver.k8s.io/v1beta1", Kind: "FlowSchema", DeprecatedIn: "1.23", RemovedIn: "1.26", Replacement: "flowcontrol.apiserver.k8s.io/v1"},
	{APIVersion: "flowcontrol.apiserver.k8s.io/v1beta1", Kind: "PriorityLevelConfiguration", DeprecatedIn: "1.23", RemovedIn: "1.26", Replacement: "flowcontrol.apiserver.k8s.io/v1"},
	{APIVersion: "autoscaling/v2beta2", Kind: "HorizontalPodAutoscaler", DeprecatedIn: "1.23", RemovedIn: "1.26", Replacement: "autoscaling/v2"},

	// v1.27
	{APIVersion: "storage.k8s.io/v1beta1", Kind: "CSIStorageCapacity", DeprecatedIn: "1.24", RemovedIn: "1.27", Replacement: "storage.k8s.io/v1"},

	// v1.29
	{APIVersion: "flowcontrol.apiserver.k8s.io/v1beta2", Kind: "FlowSchema", DeprecatedIn: "1.26", RemovedIn: "1.29", Replacement: "flowcontrol.apiserver.k8s.io/v1"},
	{APIVersion: "flowcontrol.apiserver.k8s.io/v1beta2", Kind: "PriorityLevelConfiguration", DeprecatedIn: "1.26", RemovedIn: "1.29", Replacement: "flowcontrol.apiserver.k8s.io/v1"},

	// v1.32
	{APIVersion: "flowcontrol.apiserver.k8s.io/v1beta3", Kind: "FlowSchema", DeprecatedIn: "1.29", RemovedIn: "1.32", Replacement: "flowcontrol.apiserver.k8s.io/v1"},
	{APIVersion: "flowcontrol.apiserver.k8s.io/v1beta3", Kind: "PriorityLevelConfiguration", DeprecatedIn: "1.29", RemovedIn: "1.32", Replacement: "flowcontrol.apiserver.k8s.io/v1"},
}

var byKey = func() map[[2]string]int {
	m := make(map[[2]string]int, len(deprecations))
	for i, d := range deprecations {
		m[[2]string{d.APIVersion, d.Kind}] = i
	}
	return m
}()

// Deprecations returns the whole table (a copy), by the minor that removed each version.
func Deprecations() []Deprecation { return slices.Clone(deprecations) }

// Lookup returns the deprecation of a kind's apiVersion, if Kubernetes deprecated it.
func Lookup(apiVersion, kind string) (Deprecation, bool) {
	i, ok := byKey[[2]string{apiVersion, kind}]
	if !ok {
		return Deprecation{}, false
	}
	return deprecations[i], true
}

// served lists the apiVersions that Kubernetes 1.37 serves for its built-in kinds, the
// preferred one first. Only kinds whose served versions are all known are listed: Mismatch
// judges nothing else.
var served = map[string][]string{
	"Pod": {"v1"}, "Service": {"v1"}, "ServiceAccount": {"v1"}, "ConfigMap": {"v1"}, "Secret": {"v1"},
	"Namespace": {"v1"}, "PersistentVolumeClaim": {"v1"}, "PersistentVolume": {"v1"},
	"ReplicationController": {"v1"}, "LimitRange": {"v1"}, "ResourceQuota": {"v1"}, "Node": {"v1"},
	"Endpoints": {"v1"}, "PodTemplate": {"v1"}, "Event": {"v1", "events.k8s.io/v1"},
	"Deployment": {"apps/v1"}, "StatefulSet": {"apps/v1"}, "DaemonSet": {"apps/v1"}, "ReplicaSet": {"apps/v1"},
	"ControllerRevision": {"apps/v1"},
	"Job":                {"batch/v1"}, "CronJob": {"batch/v1"},
	"HorizontalPodAutoscaler": {"autoscaling/v2", "autoscaling/v1"},
	"PodDisruptionBudget":     {"policy/v1"},
	"Ingress":                 {"networking.k8s.io/v1"}, "IngressClass": {"networking.k8s.io/v1"},
	"NetworkPolicy": {"networking.k8s.io/v1"},
	"Role":          {"rbac.authorization.k8s.io/v1"}, "RoleBinding": {"rbac.authorization.k8s.io/v1"},
	"ClusterRole": {"rbac.authorization.k8s.io/v1"}, "ClusterRoleBinding": {"rbac.authorization.k8s.io/v1"},
	"StorageClass": {"storage.k8s.io/v1"}, "CSIDriver": {"storage.k8s.io/v1"}, "CSINode": {"storage.k8s.io/v1"},
	"CSIStorageCapacity":             {"storage.k8s.io/v1"},
	"VolumeAttachment":               {"storage.k8s.io/v1"},
	"TokenReview":                    {"authentication.k8s.io/v1"},
	"SubjectAccessReview":            {"authorization.k8s.io/v1"},
	"LocalSubjectAccessReview":       {"authorization.k8s.io/v1"},
	"SelfSubjectAccessReview":        {"authorization.k8s.io/v1"},
	"MutatingWebhookConfiguration":   {"admissionregistration.k8s.io/v1"},
	"ValidatingWebhookConfiguration": {"admissionregistration.k8s.io/v1"},
	"CustomResourceDefinition":       {"apiextensions.k8s.io/v1"},
	"APIService":                     {"apiregistration.k8s.io/v1"},
	"CertificateSigningRequest":      {"certificates.k8s.io/v1"},
	"Lease":                          {"coordination.k8s.io/v1"},
	"EndpointSlice":                  {"discovery.k8s.io/v1"},
	"RuntimeClass":                   {"node.k8s.io/v1"},
	"PriorityClass":                  {"scheduling.k8s.io/v1"},
	"FlowSchema":                     {"flowcontrol.apiserver.k8s.io/v1"},
	"PriorityLevelConfiguration":     {"flowcontrol.apiserver.k8s.io/v1"},
}

// builtinGroups are the API groups of Kubernetes itself ("" is the core group). A kind
// written with another group is a custom resource (Knative's serving.knative.dev/v1
// Service), never judged against the built-in kind of the same name.
var builtinGroups = map[string]bool{
	"": true, "apps": true, "batch": true, "extensions": true, "policy": true, "autoscaling": true,
	"networking.k8s.io": true, "rbac.authorization.k8s.io": true, "storage.k8s.io": true,
	"admissionregistration.k8s.io": true, "apiextensions.k8s.io": true, "apiregistration.k8s.io": true,
	"authentication.k8s.io": true, "authorization.k8s.io": true, "certificates.k8s.io": true,
	"coordination.k8s.io": true, "discovery.k8s.io": true, "events.k8s.io": true,
	"flowcontrol.apiserver.k8s.io": true, "node.k8s.io": true, "scheduling.k8s.io": true,
	"resource.k8s.io": true, "internal.apiserver.k8s.io": true, "storagemigration.k8s.io": true,
}

// Served returns the apiVersions Kubernetes serves today for a built-in kind, preferred
// first; nil for kinds this package does not know.
func Served(kind string) []string { return slices.Clone(served[kind]) }

// Builtin reports whether akscheck knows the kind of an apiVersion as a built-in kind: its
// group is one of Kubernetes' own and the kind is listed. A known kind's removed versions
// and current versions are all in this package.
func Builtin(apiVersion, kind string) bool {
	return builtinGroups[group(apiVersion)] && served[kind] != nil
}

var alphaRE = regexp.MustCompile(`^v\d+alpha\d+$`)

// Mismatch reports an apiVersion that cannot hold a built-in kind: one of Kubernetes' own
// groups (the core group included) that never served the kind (apiVersion v1 with kind
// Deployment, apps/v1 with kind Service), or the kind's group with a version Kubernetes never
// served nor removed (apps/v2). want is the kind's preferred version today. Kinds and groups
// this package does not know (custom resources) are never a mismatch, nor are alpha versions
// of a kind's own group: a feature gate may serve them.
func Mismatch(apiVersion, kind string) (want string, mismatch bool) {
	versions := served[kind]
	if versions == nil || !builtinGroups[group(apiVersion)] {
		return "", false
	}
	if slices.Contains(versions, apiVersion) {
		return "", false
	}
	if _, ok := Lookup(apiVersion, kind); ok {
		return "", false
	}
	g, v := group(apiVersion), version(apiVersion)
	if alphaRE.MatchString(v) && slices.ContainsFunc(versions, func(s string) bool { return group(s) == g }) {
		return "", false
	}
	return versions[0], true
}

func group(apiVersion string) string {
	g, _, found := strings.Cut(apiVersion, "/")
	if !found {
		return ""
	}
	return g
}

func version(apiVersion string) string {
	_, v, found := strings.Cut(apiVersion, "/")
	if !found {
		return apiVersion
	}
	return v
}
