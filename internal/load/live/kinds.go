package live

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Kind is one kind the live scan lists.
type Kind struct {
	Group    string
	Version  string // for add-on kinds, the version used when discovery names none
	Resource string
	Kind     string
	// Namespaced kinds are listed in every namespace, or in --namespace only.
	Namespaced bool
	// MetadataOnly kinds are listed as PartialObjectMetadata: the API server sends their
	// metadata and nothing else (Secrets: their data never leaves the cluster).
	MetadataOnly bool
	// AddOn kinds belong to a CRD (Velero, Gatekeeper, Flux, Argo CD, Gateway API): when
	// the API server does not serve them the add-on is not installed, which is evidence,
	// not an error. Their objects are kept untyped.
	AddOn bool
	// Versions are other versions of an add-on's group that serve the kind, for discovery.
	Versions []string
	// FallbackFor names another group that serves the same objects through an API server
	// in front of this add-on's CRDs (Calico's projectcalico.org in front of
	// crd.projectcalico.org): the kind is read here only when that group does not serve its
	// resource, so that no object is read twice.
	FallbackFor string
}

// Key names the kind uniquely among Kinds(): its kind, or kind.group for an add-on kind that
// shares its name with another entry (Calico's NetworkPolicy, beside Kubernetes's; its
// GlobalNetworkPolicy, served by projectcalico.org or crd.projectcalico.org). Checks name
// kinds without groups (Requires, Unlisted); Key tells apart what the cache keeps per kind.
func (k Kind) Key() string {
	if k.AddOn {
		for _, o := range Kinds() {
			if o.Kind == k.Kind && o.Group != k.Group {
				return k.Kind + "." + k.Group
			}
		}
	}
	return k.Kind
}

// APIVersion returns group/version ("v1" for the core group).
func (k Kind) APIVersion() string {
	if k.Group == "" {
		return k.Version
	}
	return k.Group + "/" + k.Version
}

// GVR returns the kind's group, version and resource.
func (k Kind) GVR() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: k.Group, Version: k.Version, Resource: k.Resource}
}

// Kinds returns the kinds the scan lists, in the order it lists them: controllers before
// what they own (Deployments, then ReplicaSets, then Pods), so that an owned object is
// known to be owned when it arrives and only what the checks use of it is kept.
//
// deploy/1-rbac.yaml grants exactly these (a test holds them in step).
func Kinds() []Kind {
	return []Kind{
		{Group: "", Version: "v1", Resource: "namespaces", Kind: "Namespace"},
		{Group: "", Version: "v1", Resource: "nodes", Kind: "Node"},
		{Group: "apps", Version: "v1", Resource: "deployments", Kind: "Deployment", Namespaced: true},
		{Group: "apps", Version: "v1", Resource: "statefulsets", Kind: "StatefulSet", Namespaced: true},
		{Group: "apps", Version: "v1", Resource: "daemonsets", Kind: "DaemonSet", Namespaced: true},
		{Group: "batch", Version: "v1", Resource: "cronjobs", Kind: "CronJob", Namespaced: true},
		{Group: "", Version: "v1", Resource: "replicationcontrollers", Kind: "ReplicationController", Namespaced: true},
		{Group: "apps", Version: "v1", Resource: "replicasets", Kind: "ReplicaSet", Namespaced: true},
		{Group: "batch", Version: "v1", Resource: "jobs", Kind: "Job", Namespaced: true},
		{Group: "", Version: "v1", Resource: "pods", Kind: "Pod", Namespaced: true},
		{Group: "", Version: "v1", Resource: "services", Kind: "Service", Namespaced: true},
		{Group: "", Version: "v1", Resource: "serviceaccounts", Kind: "ServiceAccount", Namespaced: true},
		{Group: "", Version: "v1", Resource: "configmaps", Kind: "ConfigMap", Namespaced: true},
		{Group: "", Version: "v1", Resource: "secrets", Kind: "Secret", Namespaced: true, MetadataOnly: true},
		{Group: "", Version: "v1", Resource: "persistentvolumeclaims", Kind: "PersistentVolumeClaim", Namespaced: true},
		{Group: "", Version: "v1", Resource: "persistentvolumes", Kind: "PersistentVolume"},
		{Group: "", Version: "v1", Resource: "limitranges", Kind: "LimitRange", Namespaced: true},
		{Group: "", Version: "v1", Resource: "resourcequotas", Kind: "ResourceQuota", Namespaced: true},
		{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses", Kind: "Ingress", Namespaced: true},
		{Group: "networking.k8s.io", Version: "v1", Resource: "ingressclasses", Kind: "IngressClass"},
		{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies", Kind: "NetworkPolicy", Namespaced: true},
		{Group: "policy", Version: "v1", Resource: "poddisruptionbudgets", Kind: "PodDisruptionBudget", Namespaced: true},
		{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers", Kind: "HorizontalPodAutoscaler", Namespaced: true},
		{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles", Kind: "Role", Namespaced: true},
		{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings", Kind: "RoleBinding", Namespaced: true},
		{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles", Kind: "ClusterRole"},
		{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings", Kind: "ClusterRoleBinding"},
		{Group: "storage.k8s.io", Version: "v1", Resource: "storageclasses", Kind: "StorageClass"},
		// Add-ons, evidence for the live-only items.
		{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes", Kind: "HTTPRoute", Namespaced: true, AddOn: true, Versions: []string{"v1beta1"}},
		{Group: "templates.gatekeeper.sh", Version: "v1", Resource: "constrainttemplates", Kind: "ConstraintTemplate", AddOn: true, Versions: []string{"v1beta1"}},
		{Group: "velero.io", Version: "v1", Resource: "schedules", Kind: "Schedule", Namespaced: true, AddOn: true},
		{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations", Kind: "Kustomization", Namespaced: true, AddOn: true, Versions: []string{"v1beta2"}},
		{Group: "helm.toolkit.fluxcd.io", Version: "v2", Resource: "helmreleases", Kind: "HelmRelease", Namespaced: true, AddOn: true, Versions: []string{"v2beta2", "v2beta1"}},
		{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications", Kind: "Application", Namespaced: true, AddOn: true},
		// Network policies of the CNI (Azure CNI powered by Cilium, Calico) and KEDA's
		// autoscalers: what the namespace checks and the autoscaling check read besides the
		// built-in kinds. Not installed, there are none, and the checks judge on the others.
		{Group: "cilium.io", Version: "v2", Resource: "ciliumnetworkpolicies", Kind: "CiliumNetworkPolicy", Namespaced: true, AddOn: true},
		{Group: "cilium.io", Version: "v2", Resource: "ciliumclusterwidenetworkpolicies", Kind: "CiliumClusterwideNetworkPolicy", AddOn: true},
		{Group: "projectcalico.org", Version: "v3", Resource: "networkpolicies", Kind: "NetworkPolicy", Namespaced: true, AddOn: true},
		{Group: "crd.projectcalico.org", Version: "v1", Resource: "networkpolicies", Kind: "NetworkPolicy", Namespaced: true, AddOn: true, FallbackFor: "projectcalico.org"},
		{Group: "projectcalico.org", Version: "v3", Resource: "globalnetworkpolicies", Kind: "GlobalNetworkPolicy", AddOn: true},
		{Group: "crd.projectcalico.org", Version: "v1", Resource: "globalnetworkpolicies", Kind: "GlobalNetworkPolicy", AddOn: true, FallbackFor: "projectcalico.org"},
		{Group: "keda.sh", Version: "v1alpha1", Resource: "scaledobjects", Kind: "ScaledObject", Namespaced: true, AddOn: true},
		// Tracing: the OpenTelemetry Operator's collectors and instrumentations, and the
		// instrumentations of AKS application monitoring, which workload-tracing reads.
		{Group: "opentelemetry.io", Version: "v1beta1", Resource: "opentelemetrycollectors", Kind: "OpenTelemetryCollector", Namespaced: true, AddOn: true, Versions: []string{"v1alpha1"}},
		{Group: "opentelemetry.io", Version: "v1alpha1", Resource: "instrumentations", Kind: "Instrumentation", Namespaced: true, AddOn: true},
		{Group: "monitor.azure.com", Version: "v1", Resource: "instrumentations", Kind: "Instrumentation", Namespaced: true, AddOn: true},
	}
}
