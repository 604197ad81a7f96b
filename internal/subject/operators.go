package subject

import (
	"encoding/json"
)

// OperatorPods are the pods an operator creates from one custom resource of the scan: the
// resource, and the label sets its pods carry (one per kind of pod: Kafka brokers and
// ZooKeeper nodes, say). No workload of the scan holds their template, so checks that look
// for the pods a selector matches (a PodDisruptionBudget's) look here too.
type OperatorPods struct {
	*Object
	// Operator names the operator, for messages ("prometheus-operator").
	Operator string
	// Labels are the label sets of its pods; a selector that one of them satisfies selects
	// pods of the resource.
	Labels []map[string]string
}

// podOperator is a custom resource whose operator runs pods, with the labels it gives them
// as the operator's code and documentation set them. Labels the resource adds itself
// (podMetadata.labels, podTemplate.metadata.labels) are read from it as well.
type podOperator struct {
	group, kind, operator string
	// labels returns the label sets of the pods made for the resource named name.
	labels func(name string) []map[string]string
	// podLabelPaths are where the resource sets labels of its own for its pods.
	podLabelPaths [][]string
}

// prometheusOperatorLabels are the labels prometheus-operator gives the pods of a Prometheus,
// Alertmanager or ThanosRuler named name: the app.kubernetes.io set of current releases,
// "<app>: <name>" and the "app" label of older releases.
func prometheusOperatorLabels(app string, extra ...string) func(string) []map[string]string {
	return func(name string) []map[string]string {
		l := map[string]string{
			"app.kubernetes.io/name":       app,
			"app.kubernetes.io/instance":   name,
			"app.kubernetes.io/managed-by": "prometheus-operator",
			app:                            name,
			"app":                          app,
		}
		for _, k := range extra {
			l[k] = name
		}
		return []map[string]string{l}
	}
}

var podMetadataLabels = [][]string{{"spec", "podMetadata", "labels"}}

// podOperators are the operators akscheck knows. The labels are those the operator sets
// whatever the resource says; a budget written against them is how their documentation
// protects the pods.
var podOperators = []podOperator{
	{group: "monitoring.coreos.com", kind: "Prometheus", operator: "prometheus-operator",
		labels:        prometheusOperatorLabels("prometheus", "operator.prometheus.io/name"),
		podLabelPaths: podMetadataLabels},
	{group: "monitoring.coreos.com", kind: "Alertmanager", operator: "prometheus-operator",
		labels: prometheusOperatorLabels("alertmanager"), podLabelPaths: podMetadataLabels},
	{group: "monitoring.coreos.com", kind: "ThanosRuler", operator: "prometheus-operator",
		labels: prometheusOperatorLabels("thanos-ruler"), podLabelPaths: podMetadataLabels},
	{group: "elasticsearch.k8s.elastic.co", kind: "Elasticsearch", operator: "ECK",
		labels: func(name string) []map[string]string {
			return []map[string]string{{"elasticsearch.k8s.elastic.co/cluster-name": name, "common.k8s.elastic.co/type": "elasticsearch"}}
		}},
	{group: "kibana.k8s.elastic.co", kind: "Kibana", operator: "ECK",
		labels: func(name string) []map[string]string {
			return []map[string]string{{"kibana.k8s.elastic.co/name": name, "common.k8s.elastic.co/type": "kibana"}}
		}, podLabelPaths: [][]string{{"spec", "podTemplate", "metadata", "labels"}}},
	{group: "postgresql.cnpg.io", kind: "Cluster", operator: "CloudNativePG",
		labels: func(name string) []map[string]string {
			return []map[string]string{{"cnpg.io/cluster": name, "cnpg.io/podRole": "instance"}}
		}},
	{group: "kafka.strimzi.io", kind: "Kafka", operator: "Strimzi",
		labels: func(name string) []map[string]string {
			pod := func(component string) map[string]string {
				return map[string]string{"strimzi.io/cluster": name, "strimzi.io/kind": "Kafka",
					"strimzi.io/name": name + "-" + component, "app.kubernetes.io/instance": name,
					"app.kubernetes.io/managed-by": "strimzi-cluster-operator"}
			}
			return []map[string]string{pod("kafka"), pod("zookeeper")}
		}},
	{group: "rabbitmq.com", kind: "RabbitmqCluster", operator: "RabbitMQ cluster operator",
		labels: func(name string) []map[string]string {
			return []map[string]string{{"app.kubernetes.io/name": name, "app.kubernetes.io/component": "rabbitmq",
				"app.kubernetes.io/part-of": "rabbitmq"}}
		}},
}

// OperatorKinds are the kinds of custom resources whose pods OperatorPodsIn knows, for the
// Requires of the checks that read them.
func OperatorKinds() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range podOperators {
		if !seen[p.kind] {
			seen[p.kind] = true
			out = append(out, p.kind)
		}
	}
	return out
}

// OperatorPodsIn returns the pods that operators create from the custom resources of a
// namespace in the scan (a Prometheus, a CloudNativePG Cluster…), in scan order.
func (ix *Index) OperatorPodsIn(namespace string) []OperatorPods {
	var out []OperatorPods
	for _, op := range podOperators {
		for _, o := range ix.InNamespace(op.kind, namespace) {
			if o.Group() != op.group || o.Raw() == nil {
				continue
			}
			sets := op.labels(o.Name())
			if own := ownPodLabels(o.Raw(), op.podLabelPaths); len(own) > 0 {
				for _, s := range sets {
					for k, v := range own {
						if _, set := s[k]; !set {
							s[k] = v
						}
					}
				}
			}
			out = append(out, OperatorPods{Object: o, Operator: op.operator, Labels: sets})
		}
	}
	return out
}

// ownPodLabels reads the labels a resource adds to its pods at the given paths.
func ownPodLabels(raw json.RawMessage, paths [][]string) map[string]string {
	if len(paths) == 0 {
		return nil
	}
	var doc map[string]any
	if json.Unmarshal(raw, &doc) != nil {
		return nil
	}
	out := map[string]string{}
	for _, path := range paths {
		var cur any = doc
		for _, k := range path {
			m, ok := cur.(map[string]any)
			if !ok {
				cur = nil
				break
			}
			cur = m[k]
		}
		if m, ok := cur.(map[string]any); ok {
			for k, v := range m {
				if s, ok := v.(string); ok {
					out[k] = s
				}
			}
		}
	}
	return out
}
