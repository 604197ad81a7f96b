//go:build integration

package integration

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// secretValue is the value of a seeded Secret: no report may contain it.
const secretValue = "s3cr3t-value-never-printed"

const apiServerMinor = 37 // the pinned kube-apiserver is v1.37.x

// imageVersion is an AKS node image version released age ago.
func imageVersion(age time.Duration) string {
	return "AKSUbuntu-2204gen2containerd-" + time.Now().Add(-age).UTC().Format("200601.02") + ".0"
}

// node is a Node as AKS labels it, with the status a kubelet would report.
func node(name, pool, mode, zone, kubelet, image string, critical bool) *corev1.Node {
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"kubernetes.azure.com/agentpool":          pool,
			"kubernetes.azure.com/mode":               mode,
			"kubernetes.azure.com/node-image-version": image,
			"kubernetes.azure.com/os-sku":             "Ubuntu",
			"kubernetes.io/os":                        "linux",
			"kubernetes.io/hostname":                  name,
			"topology.kubernetes.io/zone":             zone,
		}},
		Status: corev1.NodeStatus{
			NodeInfo: corev1.NodeSystemInfo{KubeletVersion: kubelet, OSImage: "Ubuntu 22.04.5 LTS",
				KernelVersion: "5.15.0-1089-azure", OperatingSystem: "linux", Architecture: "amd64",
				ContainerRuntimeVersion: "containerd://1.7.27-1"},
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("3860m"),
				corev1.ResourceMemory: resource.MustParse("12Gi"), corev1.ResourcePods: resource.MustParse("110")},
		},
	}
	if critical {
		n.Spec.Taints = []corev1.Taint{{Key: "CriticalAddonsOnly", Value: "true", Effect: corev1.TaintEffectNoSchedule}}
	}
	return n
}

// container is a container that passes most container checks.
func container(name, image string) corev1.Container {
	no, yes := false, true
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}}
	return corev1.Container{
		Name: name, Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
		LivenessProbe: probe, ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
			HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(8080)}}},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
		},
		SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: &no, RunAsNonRoot: &yes,
			ReadOnlyRootFilesystem: &yes, Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
	}
}

func labelsOf(app string) map[string]string {
	return map[string]string{"app": app, "app.kubernetes.io/name": app, "app.kubernetes.io/instance": app}
}

func deployment(ns, name string, replicas int32, image string) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labelsOf(name),
			Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"apiVersion":"apps/v1","kind":"Deployment"}`}},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labelsOf(name)},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{container(name, image)}},
			},
		},
	}
}

func controllerRef(apiVersion, kind, name string, uid types.UID) []metav1.OwnerReference {
	yes := true
	return []metav1.OwnerReference{{APIVersion: apiVersion, Kind: kind, Name: name, UID: uid, Controller: &yes}}
}

// replicaSetOf is the ReplicaSet the Deployment controller would have made.
func replicaSetOf(d *appsv1.Deployment) *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: d.Name + "-7c9d5b8f4", Namespace: d.Namespace, Labels: d.Spec.Template.Labels,
			OwnerReferences: controllerRef("apps/v1", "Deployment", d.Name, d.UID)},
		Spec: appsv1.ReplicaSetSpec{Replicas: d.Spec.Replicas, Selector: d.Spec.Selector, Template: d.Spec.Template},
	}
}

// withNode binds a pod to a node (there is no scheduler).
func withNode(p *corev1.Pod, nodeName string) *corev1.Pod {
	p.Spec.NodeName = nodeName
	return p
}

// seeder creates objects through client-go as an admin.
type seeder struct {
	cs  kubernetes.Interface
	dyn dynamic.Interface
}

func newSeeder(cfg *rest.Config) (*seeder, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &seeder{cs: cs, dyn: dyn}, nil
}

func (s *seeder) namespace(ctx context.Context, name string, labels map[string]string) error {
	_, err := s.cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

func (s *seeder) node(ctx context.Context, n *corev1.Node) error {
	status := n.Status
	created, err := s.cs.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("node %s: %w", n.Name, err)
	}
	created.Status = status
	_, err = s.cs.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{})
	return err
}

// app creates a Deployment with its ReplicaSet and running pods on the given nodes.
func (s *seeder) app(ctx context.Context, d *appsv1.Deployment, nodes ...string) error {
	d, err := s.cs.AppsV1().Deployments(d.Namespace).Create(ctx, d, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("deployment %s/%s: %w", d.Namespace, d.Name, err)
	}
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: *d.Spec.Replicas, ReadyReplicas: *d.Spec.Replicas, AvailableReplicas: *d.Spec.Replicas}
	if _, err := s.cs.AppsV1().Deployments(d.Namespace).UpdateStatus(ctx, d, metav1.UpdateOptions{}); err != nil {
		return err
	}
	rs, err := s.cs.AppsV1().ReplicaSets(d.Namespace).Create(ctx, replicaSetOf(d), metav1.CreateOptions{})
	if err != nil {
		return err
	}
	for i, nodeName := range nodes {
		p, err := s.cs.CoreV1().Pods(d.Namespace).Create(ctx, withNode(podFor(rs, i), nodeName), metav1.CreateOptions{})
		if err != nil {
			return err
		}
		p.Status = corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}
		if _, err := s.cs.CoreV1().Pods(d.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// podFor is a pod the ReplicaSet controller would have made.
func podFor(rs *appsv1.ReplicaSet, i int) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%05d", rs.Name, i), Namespace: rs.Namespace, Labels: rs.Spec.Template.Labels,
			OwnerReferences: controllerRef("apps/v1", "ReplicaSet", rs.Name, rs.UID)},
		Spec: *rs.Spec.Template.Spec.DeepCopy(),
	}
}

func (s *seeder) daemonSet(ctx context.Context, ns, name string, ready, desired int32) error {
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labelsOf(name)},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labelsOf(name)},
				Spec: corev1.PodSpec{Containers: []corev1.Container{container(name, "mcr.microsoft.com/azuremonitor/containerinsights/ciprod:3.1.24")}}},
		},
	}
	ds, err := s.cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	ds.Status = appsv1.DaemonSetStatus{ObservedGeneration: 1, DesiredNumberScheduled: desired, CurrentNumberScheduled: desired, NumberReady: ready}
	_, err = s.cs.AppsV1().DaemonSets(ns).UpdateStatus(ctx, ds, metav1.UpdateOptions{})
	return err
}

// crd installs a namespaced, schemaless CustomResourceDefinition and waits until it is served.
func (s *seeder) crd(ctx context.Context, group, version, kind, plural string, namespaced bool) error {
	scope := "Cluster"
	if namespaced {
		scope = "Namespaced"
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": plural + "." + group},
		"spec": map[string]any{
			"group": group, "scope": scope,
			"names": map[string]any{"kind": kind, "plural": plural, "singular": "", "listKind": kind + "List"},
			"versions": []any{map[string]any{"name": version, "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}},
		},
	}}
	crdGVR := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	if _, err := s.dyn.Resource(crdGVR).Create(ctx, obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	gvr := schema.GroupVersionResource{Group: group, Version: version, Resource: plural}
	for range 100 {
		if _, err := s.dyn.Resource(gvr).List(ctx, metav1.ListOptions{Limit: 1}); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("CRD %s.%s not served", plural, group)
}

func (s *seeder) custom(ctx context.Context, gvr schema.GroupVersionResource, obj map[string]any) error {
	u := &unstructured.Unstructured{Object: obj}
	_, err := s.dyn.Resource(gvr).Namespace(u.GetNamespace()).Create(ctx, u, metav1.CreateOptions{})
	return err
}

// seedCluster creates the estate the tests scan: an AKS-like cluster with a System pool, a
// User pool whose nodes are all in one zone, a pool left three minors behind on an old node
// image, an application whose replicas all run on one node, a naked pod and a mirror pod,
// the dashboard bound to cluster-admin, Container Insights, a Secret, a LoadBalancer
// Service, policies and a Velero Schedule that leaves one namespace out; then the CNI's
// policies and KEDA (seedAddOns).
func seedCluster(ctx context.Context, cfg *rest.Config) error {
	s, err := newSeeder(cfg)
	if err != nil {
		return err
	}
	recent, old := imageVersion(10*24*time.Hour), imageVersion(200*24*time.Hour)
	current := fmt.Sprintf("v1.%d.2", apiServerMinor)
	lagging := fmt.Sprintf("v1.%d.5", apiServerMinor-3)
	nodes := []*corev1.Node{
		node("aks-system-10000000-vmss000000", "system", "system", "westeurope-1", current, recent, true),
		node("aks-system-10000000-vmss000001", "system", "system", "westeurope-2", current, recent, true),
		node("aks-user-20000000-vmss000000", "user", "user", "westeurope-1", current, recent, false),
		node("aks-user-20000000-vmss000001", "user", "user", "westeurope-1", current, recent, false),
		node("aks-user-20000000-vmss000002", "user", "user", "westeurope-1", current, recent, false),
		node("aks-legacy-30000000-vmss000000", "legacy", "user", "westeurope-3", lagging, old, false),
	}
	for _, n := range nodes {
		if err := s.node(ctx, n); err != nil {
			return err
		}
	}
	for _, ns := range []string{"shop", "orders", "gatekeeper-system", "kubernetes-dashboard", "velero"} {
		if err := s.namespace(ctx, ns, map[string]string{"team": "apps"}); err != nil {
			return err
		}
	}
	const user0, user1 = "aks-user-20000000-vmss000000", "aks-user-20000000-vmss000001"
	steps := []func() error{
		func() error {
			return s.app(ctx, deployment("shop", "web", 3, "acme.azurecr.io/shop/web:1.4.2"), user0, user0, user0)
		},
		func() error {
			// kube-bench, scheduled nightly, last succeeded a month ago (live-cluster-checker).
			cj, err := s.cs.BatchV1().CronJobs("shop").Create(ctx, &batchv1.CronJob{
				ObjectMeta: metav1.ObjectMeta{Name: "kube-bench", Namespace: "shop", Labels: map[string]string{"app": "kube-bench"}},
				Spec: batchv1.CronJobSpec{Schedule: "0 2 * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
					Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
						Containers: []corev1.Container{{Name: "kube-bench", Image: "docker.io/aquasec/kube-bench:v0.10.6"}}}}}}},
			}, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			last := metav1.NewTime(time.Now().Add(-30 * 24 * time.Hour).Truncate(time.Second))
			cj.Status.LastSuccessfulTime, cj.Status.LastScheduleTime = &last, &last
			_, err = s.cs.BatchV1().CronJobs("shop").UpdateStatus(ctx, cj, metav1.UpdateOptions{})
			return err
		},
		func() error {
			return s.app(ctx, deployment("orders", "api", 2, "acme.azurecr.io/orders/api:2.0.1"), user0, user1)
		},
		func() error {
			return s.app(ctx, deployment("kube-system", "coredns", 2, "mcr.microsoft.com/oss/kubernetes/coredns:v1.11.3"),
				"aks-system-10000000-vmss000000", "aks-system-10000000-vmss000001")
		},
		func() error {
			d := deployment("kubernetes-dashboard", "kubernetes-dashboard", 1, "docker.io/kubernetesui/dashboard:v2.7.0")
			d.Spec.Template.Spec.ServiceAccountName = "kubernetes-dashboard"
			return s.app(ctx, d, user1)
		},
		func() error {
			_, err := s.cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: "kubernetes-dashboard"},
				RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
				Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "kubernetes-dashboard", Namespace: "kubernetes-dashboard"}},
			}, metav1.CreateOptions{})
			return err
		},
		func() error {
			p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "debug", Namespace: "shop", Labels: labelsOf("debug")},
				Spec: corev1.PodSpec{Containers: []corev1.Container{container("debug", "acme.azurecr.io/tools/debug:1.0.0")}}}
			_, err := s.cs.CoreV1().Pods("shop").Create(ctx, withNode(p, user1), metav1.CreateOptions{})
			return err
		},
		func() error {
			// A static pod's mirror: the kubelet owns it; it is no naked pod.
			n, err := s.cs.CoreV1().Nodes().Get(ctx, user1, metav1.GetOptions{})
			if err != nil {
				return err
			}
			p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "static-web-" + user1, Namespace: "kube-system",
				Annotations:     map[string]string{"kubernetes.io/config.mirror": "0123456789abcdef", "kubernetes.io/config.source": "file"},
				OwnerReferences: controllerRef("v1", "Node", n.Name, n.UID)},
				Spec: corev1.PodSpec{Containers: []corev1.Container{container("web", "mcr.microsoft.com/oss/nginx/nginx:1.27.3")}}}
			_, err = s.cs.CoreV1().Pods("kube-system").Create(ctx, withNode(p, user1), metav1.CreateOptions{})
			return err
		},
		func() error { return s.daemonSet(ctx, "kube-system", "ama-logs", 6, 6) },
		func() error {
			_, err := s.cs.CoreV1().Secrets("shop").Create(ctx, &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: "db-credentials", Namespace: "shop"},
				StringData: map[string]string{"password": secretValue}}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := s.cs.CoreV1().Services("shop").Create(ctx, &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", Labels: labelsOf("web")},
				Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "web"},
					Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := s.cs.NetworkingV1().NetworkPolicies("shop").Create(ctx, &networkingv1.NetworkPolicy{
				ObjectMeta: metav1.ObjectMeta{Name: "default-deny", Namespace: "shop"},
				Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}}},
				metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := s.cs.CoreV1().ResourceQuotas("shop").Create(ctx, &corev1.ResourceQuota{
				ObjectMeta: metav1.ObjectMeta{Name: "compute", Namespace: "shop"},
				Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"requests.cpu": resource.MustParse("4"),
					"requests.memory": resource.MustParse("8Gi"), "limits.memory": resource.MustParse("8Gi")}}}, metav1.CreateOptions{})
			return err
		},
		func() error {
			for _, ns := range []string{"shop", "orders"} {
				_, err := s.cs.CoreV1().PersistentVolumeClaims(ns).Create(ctx, &corev1.PersistentVolumeClaim{
					ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: ns},
					Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
						StorageClassName: ptr("managed-csi-premium"),
						Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}}}},
					metav1.CreateOptions{})
				if err != nil {
					return err
				}
			}
			return nil
		},
		func() error { return s.crd(ctx, "velero.io", "v1", "Schedule", "schedules", true) },
		func() error {
			return s.custom(ctx, schema.GroupVersionResource{Group: "velero.io", Version: "v1", Resource: "schedules"}, map[string]any{
				"apiVersion": "velero.io/v1", "kind": "Schedule",
				"metadata": map[string]any{"name": "orders-nightly", "namespace": "velero"},
				"spec":     map[string]any{"schedule": "0 2 * * *", "template": map[string]any{"includedNamespaces": []any{"orders"}, "ttl": "720h0m0s"}},
			})
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("seed step %d: %w", i, err)
		}
	}
	if err := seedAddOns(ctx, s); err != nil {
		return fmt.Errorf("seeding the add-ons: %w", err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
