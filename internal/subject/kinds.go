package subject

import (
	"encoding/json"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// typedKinds maps apiVersion and kind to a constructor of the k8s.io/api type they decode into.
// Kinds not listed are kept as untyped objects (Typed == nil).
var typedKinds = map[[2]string]func() any{
	{"v1", "Pod"}:                                   func() any { return new(corev1.Pod) },
	{"v1", "Service"}:                               func() any { return new(corev1.Service) },
	{"v1", "ServiceAccount"}:                        func() any { return new(corev1.ServiceAccount) },
	{"v1", "ConfigMap"}:                             func() any { return new(corev1.ConfigMap) },
	{"v1", "Secret"}:                                func() any { return new(corev1.Secret) },
	{"v1", "Namespace"}:                             func() any { return new(corev1.Namespace) },
	{"v1", "PersistentVolumeClaim"}:                 func() any { return new(corev1.PersistentVolumeClaim) },
	{"v1", "PersistentVolume"}:                      func() any { return new(corev1.PersistentVolume) },
	{"v1", "ReplicationController"}:                 func() any { return new(corev1.ReplicationController) },
	{"v1", "LimitRange"}:                            func() any { return new(corev1.LimitRange) },
	{"v1", "ResourceQuota"}:                         func() any { return new(corev1.ResourceQuota) },
	{"v1", "Node"}:                                  func() any { return new(corev1.Node) },
	{"apps/v1", "Deployment"}:                       func() any { return new(appsv1.Deployment) },
	{"apps/v1", "StatefulSet"}:                      func() any { return new(appsv1.StatefulSet) },
	{"apps/v1", "DaemonSet"}:                        func() any { return new(appsv1.DaemonSet) },
	{"apps/v1", "ReplicaSet"}:                       func() any { return new(appsv1.ReplicaSet) },
	{"batch/v1", "Job"}:                             func() any { return new(batchv1.Job) },
	{"batch/v1", "CronJob"}:                         func() any { return new(batchv1.CronJob) },
	{"networking.k8s.io/v1", "Ingress"}:             func() any { return new(networkingv1.Ingress) },
	{"networking.k8s.io/v1", "NetworkPolicy"}:       func() any { return new(networkingv1.NetworkPolicy) },
	{"networking.k8s.io/v1", "IngressClass"}:        func() any { return new(networkingv1.IngressClass) },
	{"policy/v1", "PodDisruptionBudget"}:            func() any { return new(policyv1.PodDisruptionBudget) },
	{"autoscaling/v2", "HorizontalPodAutoscaler"}:   func() any { return new(autoscalingv2.HorizontalPodAutoscaler) },
	{"autoscaling/v1", "HorizontalPodAutoscaler"}:   func() any { return new(autoscalingv1.HorizontalPodAutoscaler) },
	{"rbac.authorization.k8s.io/v1", "Role"}:        func() any { return new(rbacv1.Role) },
	{"rbac.authorization.k8s.io/v1", "RoleBinding"}: func() any { return new(rbacv1.RoleBinding) },
	{"rbac.authorization.k8s.io/v1", "ClusterRole"}: func() any { return new(rbacv1.ClusterRole) },
	{"rbac.authorization.k8s.io/v1", "ClusterRoleBinding"}: func() any {
		return new(rbacv1.ClusterRoleBinding)
	},
	{"storage.k8s.io/v1", "StorageClass"}: func() any { return new(storagev1.StorageClass) },
}

// TypedKinds returns the apiVersion and kind of every kind NewTyped has a Go type for,
// sorted.
func TypedKinds() [][2]string {
	kinds := make([][2]string, 0, len(typedKinds))
	for k := range typedKinds {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	return kinds
}

// NewTyped returns a new zero value of the Go type for apiVersion and kind, or nil when
// akscheck has no Go type for them.
func NewTyped(apiVersion, kind string) any {
	if f, ok := typedKinds[[2]string{apiVersion, kind}]; ok {
		return f()
	}
	return nil
}

// MetaOf returns the ObjectMeta inside a typed object.
func MetaOf(typed any) *metav1.ObjectMeta {
	if m, ok := typed.(metav1.ObjectMetaAccessor); ok {
		if om, ok := m.GetObjectMeta().(*metav1.ObjectMeta); ok {
			return om
		}
	}
	return nil
}

// RedactSecret blanks the values of a Secret's data and stringData, keeping the keys, so no
// value can reach a report.
func RedactSecret(typed any) {
	s, ok := typed.(*corev1.Secret)
	if !ok {
		return
	}
	for k := range s.Data {
		s.Data[k] = nil
	}
	for k := range s.StringData {
		s.StringData[k] = ""
	}
}

// RedactSecretJSON blanks the values of data and stringData in the JSON of an object of kind
// Secret whatever its apiVersion (v1beta1, a CRD named Secret…), which is kept untyped: its
// values must not stay in memory or reach a report either. Other kinds are returned as they
// are. Values that are not maps are dropped.
func RedactSecretJSON(kind string, raw []byte) []byte {
	if !strings.EqualFold(kind, "Secret") {
		return raw
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		// Not an object: nothing of it is kept.
		return []byte("{}")
	}
	for _, f := range []string{"data", "stringData"} {
		v, ok := obj[f]
		if !ok {
			continue
		}
		var values map[string]json.RawMessage
		if json.Unmarshal(v, &values) != nil {
			obj[f] = json.RawMessage("null")
			continue
		}
		for k := range values {
			values[k] = json.RawMessage(`""`)
		}
		obj[f], _ = json.Marshal(values)
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return []byte("{}")
	}
	return out
}
