package subject

import (
	"math"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/kubeapi"
)

func decode(t *testing.T, doc string) any {
	t.Helper()
	raw, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var head struct{ APIVersion, Kind string }
	if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
		t.Fatal(err)
	}
	typed, err := DecodeTyped(head.APIVersion, head.Kind, raw)
	if err != nil {
		t.Fatal(err)
	}
	return typed
}

// Every conversion is of a removed version in the kubeapi table to a replacement akscheck
// has a Go type for.
func TestConversionsAreRemovedVersions(t *testing.T) {
	t.Parallel()
	for key := range conversions {
		d, ok := kubeapi.Lookup(key[0], key[1])
		if !ok {
			t.Errorf("%s %s is converted but not in the kubeapi table", key[0], key[1])
			continue
		}
		if NewTyped(d.Replacement, key[1]) == nil {
			t.Errorf("%s %s: no Go type for the replacement %s", key[0], key[1], d.Replacement)
		}
	}
	// The kinds of the issue all convert.
	for _, k := range [][2]string{
		{"apps/v1beta1", "Deployment"}, {"apps/v1beta2", "Deployment"}, {"extensions/v1beta1", "Deployment"},
		{"apps/v1beta2", "DaemonSet"}, {"extensions/v1beta1", "DaemonSet"}, {"apps/v1beta1", "StatefulSet"},
		{"apps/v1beta2", "StatefulSet"}, {"batch/v1beta1", "CronJob"}, {"policy/v1beta1", "PodDisruptionBudget"},
		{"autoscaling/v2beta1", "HorizontalPodAutoscaler"}, {"autoscaling/v2beta2", "HorizontalPodAutoscaler"},
	} {
		if !Converted(k[0], k[1]) {
			t.Errorf("%s %s is not converted", k[0], k[1])
		}
	}
}

func TestDecodeExtensionsDeployment(t *testing.T) {
	t.Parallel()
	d, ok := decode(t, `apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  rollbackTo: {revision: 3}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: true
      containers:
      - name: web
        image: nginx:latest
        securityContext: {privileged: true}
`).(*appsv1.Deployment)
	if !ok {
		t.Fatal("not decoded as an apps/v1 Deployment")
	}
	if d.APIVersion != "apps/v1" || d.Spec.Selector == nil || d.Spec.Selector.MatchLabels["app"] != "web" || d.Labels["app"] != "web" {
		t.Errorf("selector and labels not defaulted from the template: %+v %v", d.Spec.Selector, d.Labels)
	}
	if !d.Spec.Template.Spec.HostNetwork || !*d.Spec.Template.Spec.Containers[0].SecurityContext.Privileged {
		t.Error("pod spec lost")
	}
	ru := d.Spec.Strategy.RollingUpdate
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || ru == nil || ru.MaxUnavailable.IntValue() != 1 || ru.MaxSurge.IntValue() != 1 {
		t.Errorf("strategy = %+v, want RollingUpdate 1/1", d.Spec.Strategy)
	}
	if *d.Spec.RevisionHistoryLimit != math.MaxInt32 || *d.Spec.ProgressDeadlineSeconds != math.MaxInt32 {
		t.Error("extensions/v1beta1 defaults not kept")
	}
}

func TestDecodeAppsV1beta2KeepsSelector(t *testing.T) {
	t.Parallel()
	d := decode(t, `apiVersion: apps/v1beta2
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
`).(*appsv1.Deployment)
	// apps/v1beta2 required the selector; nothing is defaulted.
	if d.Spec.Selector != nil || d.Labels != nil {
		t.Errorf("apps/v1beta2 got defaults it never had: %+v %v", d.Spec.Selector, d.Labels)
	}
}

func TestDecodeUpdateStrategies(t *testing.T) {
	t.Parallel()
	ds := decode(t, `apiVersion: extensions/v1beta1
kind: DaemonSet
metadata: {name: agent}
spec:
  templateGeneration: 4
  template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: a, image: a}]}}
`).(*appsv1.DaemonSet)
	if ds.Spec.UpdateStrategy.Type != appsv1.OnDeleteDaemonSetStrategyType {
		t.Errorf("extensions/v1beta1 DaemonSet strategy = %q, want OnDelete", ds.Spec.UpdateStrategy.Type)
	}
	ss := decode(t, `apiVersion: apps/v1beta1
kind: StatefulSet
metadata: {name: db}
spec:
  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: a, image: a}]}}
`).(*appsv1.StatefulSet)
	if ss.Spec.UpdateStrategy.Type != appsv1.OnDeleteStatefulSetStrategyType || ss.Spec.Selector == nil {
		t.Errorf("apps/v1beta1 StatefulSet = %+v", ss.Spec)
	}
}

func TestDecodeCronJob(t *testing.T) {
	t.Parallel()
	cj, ok := decode(t, `apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 2 * * *"
  jobTemplate: {spec: {template: {spec: {containers: [{name: a, image: a}], restartPolicy: OnFailure}}}}
`).(*batchv1.CronJob)
	if !ok || cj.Spec.Schedule != "0 2 * * *" || len(cj.Spec.JobTemplate.Spec.Template.Spec.Containers) != 1 {
		t.Errorf("CronJob = %+v", cj)
	}
}

func TestDecodePDBEmptySelector(t *testing.T) {
	t.Parallel()
	pdb := decode(t, `apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: none}
spec: {minAvailable: 1, selector: {}}
`).(*policyv1.PodDisruptionBudget)
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		t.Fatal(err)
	}
	if sel.Matches(labels.Set{"app": "web"}) || sel.Empty() {
		t.Errorf("policy/v1beta1 empty selector selects pods as %s", sel)
	}
	kept := decode(t, `apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
`).(*policyv1.PodDisruptionBudget)
	if kept.Spec.Selector.MatchLabels["app"] != "web" {
		t.Errorf("selector = %+v", kept.Spec.Selector)
	}
}

func TestDecodeHPAV2beta1(t *testing.T) {
	t.Parallel()
	h := decode(t, `apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, targetAverageUtilization: 70}
  - type: Pods
    pods: {metricName: rps, targetAverageValue: "100"}
  - type: Object
    object:
      target: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: web}
      metricName: hits
      targetValue: "2k"
  - type: External
    external: {metricName: queue, metricSelector: {matchLabels: {q: jobs}}, targetAverageValue: "30"}
status:
  currentMetrics:
  - type: Resource
    resource: {name: cpu, currentAverageUtilization: 50}
`).(*autoscalingv2.HorizontalPodAutoscaler)
	m := h.Spec.Metrics
	if len(m) != 4 || *h.Spec.MinReplicas != 2 {
		t.Fatalf("metrics = %+v", m)
	}
	if r := m[0].Resource; r.Target.Type != autoscalingv2.UtilizationMetricType || *r.Target.AverageUtilization != 70 {
		t.Errorf("resource target = %+v", r.Target)
	}
	if p := m[1].Pods; p.Metric.Name != "rps" || p.Target.Type != autoscalingv2.AverageValueMetricType || p.Target.AverageValue.String() != "100" {
		t.Errorf("pods = %+v", p)
	}
	if o := m[2].Object; o.DescribedObject.Kind != "Ingress" || o.Metric.Name != "hits" || o.Target.Type != autoscalingv2.ValueMetricType || o.Target.Value.String() != "2k" {
		t.Errorf("object = %+v", o)
	}
	if e := m[3].External; e.Metric.Selector.MatchLabels["q"] != "jobs" || e.Target.Type != autoscalingv2.AverageValueMetricType {
		t.Errorf("external = %+v", e)
	}
}

func TestDecodeIngressV1beta1(t *testing.T) {
	t.Parallel()
	ing := decode(t, `apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: web}
spec:
  backend: {serviceName: default, servicePort: 80}
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        backend: {serviceName: web, servicePort: http}
`).(*networkingv1.Ingress)
	if b := ing.Spec.DefaultBackend; b == nil || b.Service.Name != "default" || b.Service.Port.Number != 80 {
		t.Errorf("default backend = %+v", b)
	}
	p := ing.Spec.Rules[0].HTTP.Paths[0]
	if p.Backend.Service.Name != "web" || p.Backend.Service.Port.Name != "http" || *p.PathType != networkingv1.PathTypeImplementationSpecific {
		t.Errorf("path = %+v", p)
	}
}

func TestDecodeRBACV1alpha1(t *testing.T) {
	t.Parallel()
	b := decode(t, `apiVersion: rbac.authorization.k8s.io/v1alpha1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: Group, apiVersion: rbac.authorization.k8s.io/v1alpha1, name: admins}
- {kind: ServiceAccount, name: ci, namespace: ci}
`).(*rbacv1.ClusterRoleBinding)
	if b.Subjects[0].APIGroup != "rbac.authorization.k8s.io" || b.Subjects[1].APIGroup != "" || b.RoleRef.Name != "cluster-admin" {
		t.Errorf("subjects = %+v", b.Subjects)
	}
}

func TestDecodeUnconverted(t *testing.T) {
	t.Parallel()
	// No Go type for PodSecurityPolicy: kept untyped.
	if typed := decode(t, "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n"); typed != nil {
		t.Errorf("PodSecurityPolicy decoded as %T", typed)
	}
	if typed := decode(t, "apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: p}\n"); typed != nil {
		t.Errorf("a custom Deployment decoded as %T", typed)
	}
	if _, err := DecodeTyped("apps/v1beta2", "Deployment", []byte(`{"spec": {"replicas": "two"}}`)); err == nil {
		t.Error("a wrong field type decodes without error")
	}
	if _, err := DecodeTyped("apps/v1beta2", "Deployment", []byte(`[]`)); err == nil {
		t.Error("a list decodes as a Deployment")
	}
}

func TestConvertedNetworkPolicyIsAPolicy(t *testing.T) {
	t.Parallel()
	typed := decode(t, "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec: {podSelector: {}}\n")
	o := &Object{APIVersion: "extensions/v1beta1", Kind: "NetworkPolicy", Typed: typed, Meta: MetaOf(typed)}
	if p := newNetworkPolicy(o); p == nil || !p.SelectsAll() {
		t.Errorf("extensions/v1beta1 NetworkPolicy is not read as a policy selecting every pod: %+v", p)
	}
}
