package subject

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/akscheck/akscheck/internal/kubeapi"
)

// DecodeTyped decodes an object (raw JSON, with the apiVersion and kind it is written with)
// into the Go type akscheck evaluates it as: the type of its own apiVersion, or, for a removed
// apiVersion whose schema maps onto the one that replaced it, the replacement's type after the
// conversion the API server made when it still served the old version (ConvertedFrom says
// which). typed is nil for kinds akscheck has no Go type for, removed versions without a
// conversion included. A quantity beyond CheckQuantityText's bounds is a *QuantityError,
// found before decoding (decoding it could take minutes).
func DecodeTyped(apiVersion, kind string, raw []byte) (typed any, err error) {
	if typed = NewTyped(apiVersion, kind); typed != nil {
		if err := checkQuantities(raw, typed); err != nil {
			return typed, err
		}
		return typed, json.Unmarshal(raw, typed)
	}
	c, ok := conversions[[2]string{apiVersion, kind}]
	if !ok {
		return nil, nil
	}
	d, _ := kubeapi.Lookup(apiVersion, kind)
	if typed = NewTyped(d.Replacement, kind); typed == nil {
		return nil, nil
	}
	converted, err := convertJSON(raw, d.Replacement, c)
	if err != nil {
		return nil, err
	}
	if err := checkQuantities(converted, typed); err != nil {
		return typed, err
	}
	return typed, json.Unmarshal(converted, typed)
}

// Converted reports whether DecodeTyped converts objects of apiVersion and kind to their
// replacement's type.
func Converted(apiVersion, kind string) bool {
	_, ok := conversions[[2]string{apiVersion, kind}]
	return ok
}

// fixer rewrites an object of a removed version, decoded as generic JSON, where its schema or
// defaults differ from the replacement's. Fields the replacement has no place for are left
// in and ignored by the decoding (they are lost).
type fixer func(obj map[string]any)

// conversions are the removed versions (kubeapi) whose objects are evaluated as their
// replacement. The fixers follow the API server's own defaulting and conversion functions of
// the removed versions (kubernetes/kubernetes pkg/apis/<group>/<version>/defaults.go and
// conversion.go), so that the checks see what the server stored:
//
//   - extensions/v1beta1 and apps/v1beta1 workloads: spec.selector, when absent, is the pod
//     template's labels, and so are metadata.labels when empty; extensions/v1beta1
//     Deployments default to maxUnavailable 1, maxSurge 1 and no progress deadline nor
//     revision limit, apps/v1beta1 Deployments keep 2 revisions, extensions/v1beta1
//     DaemonSets and apps/v1beta1 StatefulSets update OnDelete. Lost: a Deployment's
//     spec.rollbackTo and a DaemonSet's spec.templateGeneration, which apps/v1 dropped.
//   - apps/v1beta2, batch/v1beta1 and v2alpha1, autoscaling/v2beta2, networking.k8s.io/v1beta1
//     IngressClass, rbac v1beta1, storage.k8s.io/v1beta1 StorageClass and extensions/v1beta1
//     NetworkPolicy: the same schema as the replacement.
//   - policy/v1beta1 PodDisruptionBudget: an empty selector selects no pod (policy/v1's
//     selects all), so it becomes the server's match-none selector.
//   - autoscaling/v2beta1 HorizontalPodAutoscaler: each metric's targetAverageUtilization,
//     targetAverageValue, targetValue, metricName and selector move to target and metric;
//     the status, whose shape differs, is dropped.
//   - extensions/v1beta1 and networking.k8s.io/v1beta1 Ingress: spec.backend becomes
//     spec.defaultBackend, serviceName/servicePort become service.name and service.port
//     (number or name), and a path without pathType is ImplementationSpecific.
//   - rbac v1alpha1 bindings: a subject's apiVersion becomes its apiGroup.
//
// Other removed versions (PodSecurityPolicy, CustomResourceDefinition v1beta1, webhook
// configurations...) are kinds akscheck has no Go type for: they stay untyped.
var conversions = map[[2]string]fixer{
	{"extensions/v1beta1", "Deployment"}: func(o map[string]any) {
		defaultFromTemplate(o)
		spec := jsonObj(o, "spec")
		strategy := jsonObj(spec, "strategy")
		if t, _ := strategy["type"].(string); t == "" || t == "RollingUpdate" || strategy["rollingUpdate"] != nil {
			if strategy["type"] == nil {
				strategy["type"] = "RollingUpdate"
			}
			ru := jsonObj(strategy, "rollingUpdate")
			setDefault(ru, "maxUnavailable", 1)
			setDefault(ru, "maxSurge", 1)
		}
		setDefault(spec, "progressDeadlineSeconds", math.MaxInt32)
		setDefault(spec, "revisionHistoryLimit", math.MaxInt32)
		delete(spec, "rollbackTo")
	},
	{"apps/v1beta1", "Deployment"}: func(o map[string]any) {
		defaultFromTemplate(o)
		spec := jsonObj(o, "spec")
		setDefault(spec, "revisionHistoryLimit", 2)
		delete(spec, "rollbackTo")
	},
	{"apps/v1beta2", "Deployment"}: nil,
	{"extensions/v1beta1", "DaemonSet"}: func(o map[string]any) {
		defaultFromTemplate(o)
		spec := jsonObj(o, "spec")
		setDefault(jsonObj(spec, "updateStrategy"), "type", "OnDelete")
		delete(spec, "templateGeneration")
	},
	{"apps/v1beta2", "DaemonSet"}: nil,
	{"apps/v1beta1", "StatefulSet"}: func(o map[string]any) {
		defaultFromTemplate(o)
		setDefault(jsonObj(jsonObj(o, "spec"), "updateStrategy"), "type", "OnDelete")
	},
	{"apps/v1beta2", "StatefulSet"}:                              nil,
	{"extensions/v1beta1", "ReplicaSet"}:                         defaultFromTemplate,
	{"apps/v1beta1", "ReplicaSet"}:                               defaultFromTemplate,
	{"apps/v1beta2", "ReplicaSet"}:                               nil,
	{"batch/v1beta1", "CronJob"}:                                 nil,
	{"batch/v2alpha1", "CronJob"}:                                nil,
	{"policy/v1beta1", "PodDisruptionBudget"}:                    pdbV1beta1,
	{"autoscaling/v2beta1", "HorizontalPodAutoscaler"}:           hpaV2beta1,
	{"autoscaling/v2beta2", "HorizontalPodAutoscaler"}:           nil,
	{"extensions/v1beta1", "Ingress"}:                            ingressV1beta1,
	{"networking.k8s.io/v1beta1", "Ingress"}:                     ingressV1beta1,
	{"networking.k8s.io/v1beta1", "IngressClass"}:                nil,
	{"extensions/v1beta1", "NetworkPolicy"}:                      nil,
	{"storage.k8s.io/v1beta1", "StorageClass"}:                   nil,
	{"rbac.authorization.k8s.io/v1beta1", "Role"}:                nil,
	{"rbac.authorization.k8s.io/v1beta1", "ClusterRole"}:         nil,
	{"rbac.authorization.k8s.io/v1beta1", "RoleBinding"}:         nil,
	{"rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"}:  nil,
	{"rbac.authorization.k8s.io/v1alpha1", "Role"}:               nil,
	{"rbac.authorization.k8s.io/v1alpha1", "ClusterRole"}:        nil,
	{"rbac.authorization.k8s.io/v1alpha1", "RoleBinding"}:        rbacV1alpha1Binding,
	{"rbac.authorization.k8s.io/v1alpha1", "ClusterRoleBinding"}: rbacV1alpha1Binding,
}

// convertJSON rewrites an object of a removed version as an object of apiVersion to.
func convertJSON(raw []byte, to string, fix fixer) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // integers stay exact
	var o map[string]any
	if err := dec.Decode(&o); err != nil {
		return nil, err
	}
	if o == nil {
		return nil, fmt.Errorf("not an object")
	}
	o["apiVersion"] = to
	if fix != nil {
		fix(o)
	}
	return json.Marshal(o)
}

// jsonObj returns the object under key, creating it when absent. When something else is
// written there, it returns a throwaway object: the value is left for the decoding to reject
// with its own error.
func jsonObj(o map[string]any, key string) map[string]any {
	if m, ok := o[key].(map[string]any); ok {
		return m
	}
	if o[key] != nil {
		return map[string]any{}
	}
	m := map[string]any{}
	o[key] = m
	return m
}

func setDefault(o map[string]any, key string, v any) {
	if _, ok := o[key]; !ok {
		o[key] = v
	}
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// defaultFromTemplate is the defaulting of the extensions/v1beta1 and apps/v1beta1
// workloads: with pod template labels, an absent selector selects them and empty object
// labels are them.
func defaultFromTemplate(o map[string]any) {
	spec, _ := o["spec"].(map[string]any)
	tmpl, _ := spec["template"].(map[string]any)
	md, _ := tmpl["metadata"].(map[string]any)
	labels, _ := md["labels"].(map[string]any)
	if labels == nil {
		return
	}
	if spec["selector"] == nil {
		spec["selector"] = map[string]any{"matchLabels": labels}
	}
	meta := jsonObj(o, "metadata")
	if l, _ := meta["labels"].(map[string]any); len(l) == 0 {
		meta["labels"] = labels
	}
}

// pdbV1beta1Label is the key of the API server's selectors that stand for policy/v1beta1's
// empty selector (kubernetes pkg/apis/policy/helper.go).
const pdbV1beta1Label = "pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match"

func pdbV1beta1(o map[string]any) {
	spec, _ := o["spec"].(map[string]any)
	sel, ok := spec["selector"].(map[string]any)
	if !ok || len(list(sel["matchExpressions"])) > 0 {
		return
	}
	if ml, _ := sel["matchLabels"].(map[string]any); len(ml) > 0 {
		return
	}
	// policy/v1beta1's {} selects no pod: the server stores a selector no pod matches.
	spec["selector"] = map[string]any{"matchExpressions": []any{
		map[string]any{"key": pdbV1beta1Label, "operator": "Exists"}}}
}

// hpaV2beta1 follows Convert_v2beta1_*MetricSource_To_autoscaling_* (kubernetes
// pkg/apis/autoscaling/v2beta1/conversion.go, removed with the version).
func hpaV2beta1(o map[string]any) {
	delete(o, "status")
	spec, _ := o["spec"].(map[string]any)
	for _, m := range list(spec["metrics"]) {
		ms, _ := m.(map[string]any)
		for _, key := range []string{"resource", "containerResource"} {
			if r, ok := ms[key].(map[string]any); ok {
				target := map[string]any{"type": "AverageValue"}
				if u, ok := r["targetAverageUtilization"]; ok {
					target["type"], target["averageUtilization"] = "Utilization", u
				}
				if v, ok := r["targetAverageValue"]; ok {
					target["averageValue"] = v
				}
				delete(r, "targetAverageUtilization")
				delete(r, "targetAverageValue")
				r["target"] = target
			}
		}
		if p, ok := ms["pods"].(map[string]any); ok {
			p["metric"] = metricID(p, "selector")
			p["target"] = map[string]any{"type": "AverageValue", "averageValue": p["targetAverageValue"]}
			delete(p, "targetAverageValue")
		}
		if ob, ok := ms["object"].(map[string]any); ok {
			ob["describedObject"] = ob["target"]
			ob["metric"] = metricID(ob, "selector")
			target := map[string]any{"type": "Value", "value": ob["targetValue"]}
			if av, ok := ob["averageValue"]; ok {
				target["type"], target["averageValue"] = "AverageValue", av
			}
			ob["target"] = target
			delete(ob, "targetValue")
			delete(ob, "averageValue")
		}
		if e, ok := ms["external"].(map[string]any); ok {
			e["metric"] = metricID(e, "metricSelector")
			target := map[string]any{"type": "Value"}
			if v, ok := e["targetValue"]; ok {
				target["value"] = v
			}
			if av, ok := e["targetAverageValue"]; ok {
				target["type"], target["averageValue"] = "AverageValue", av
			}
			e["target"] = target
			delete(e, "targetValue")
			delete(e, "targetAverageValue")
		}
	}
}

// metricID moves metricName and the selector under key into a v2 MetricIdentifier.
func metricID(src map[string]any, selectorKey string) map[string]any {
	id := map[string]any{"name": src["metricName"]}
	if s, ok := src[selectorKey]; ok {
		id["selector"] = s
	}
	delete(src, "metricName")
	delete(src, selectorKey)
	return id
}

func ingressV1beta1(o map[string]any) {
	spec, _ := o["spec"].(map[string]any)
	if spec == nil {
		return
	}
	if b, ok := spec["backend"]; ok {
		spec["defaultBackend"] = ingressBackend(b)
		delete(spec, "backend")
	}
	for _, r := range list(spec["rules"]) {
		rule, _ := r.(map[string]any)
		http, _ := rule["http"].(map[string]any)
		for _, p := range list(http["paths"]) {
			path, ok := p.(map[string]any)
			if !ok {
				continue
			}
			if b, ok := path["backend"]; ok {
				path["backend"] = ingressBackend(b)
			}
			setDefault(path, "pathType", "ImplementationSpecific")
		}
	}
}

// ingressBackend follows Convert_v1beta1_IngressBackend_To_networking_IngressBackend: a
// numeric servicePort is the port number, a string one the port name.
func ingressBackend(b any) any {
	m, ok := b.(map[string]any)
	if !ok {
		return b
	}
	name, hasName := m["serviceName"]
	port, hasPort := m["servicePort"]
	delete(m, "serviceName")
	delete(m, "servicePort")
	if !hasName && !hasPort {
		return m
	}
	svc := map[string]any{"name": name}
	switch p := port.(type) {
	case json.Number:
		svc["port"] = map[string]any{"number": p}
	case string:
		svc["port"] = map[string]any{"name": p}
	}
	m["service"] = svc
	return m
}

// rbacV1alpha1Binding follows Convert_v1alpha1_Subject_To_rbac_Subject: users and groups
// are in the RBAC group, service accounts in the core group, other kinds in their
// apiVersion's group.
func rbacV1alpha1Binding(o map[string]any) {
	for _, s := range list(o["subjects"]) {
		sub, ok := s.(map[string]any)
		if !ok {
			continue
		}
		av, _ := sub["apiVersion"].(string)
		delete(sub, "apiVersion")
		switch sub["kind"] {
		case "ServiceAccount":
			sub["apiGroup"] = ""
		case "User", "Group":
			sub["apiGroup"] = "rbac.authorization.k8s.io"
		default:
			if g, _, found := strings.Cut(av, "/"); found {
				sub["apiGroup"] = g
			}
		}
	}
}

// DescribeDecodeError says what a decoding error of DecodeTyped means to the author of the
// object: the field, what it holds, and the type the field wants ("field spec.replicas: a
// string is not valid here (want int32)").
func DescribeDecodeError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %s: %s is not valid here (want %s)", te.Field, yamlNoun(te.Value), te.Type)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// yamlNoun names a JSON value kind as a YAML author sees it.
func yamlNoun(jsonKind string) string {
	switch jsonKind {
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "bool":
		return "a boolean"
	case "number", "string", "null":
		return "a " + jsonKind
	}
	if n, ok := strings.CutPrefix(jsonKind, "number "); ok {
		return "the number " + n // a negative number into an unsigned field, an overflow
	}
	return jsonKind
}
