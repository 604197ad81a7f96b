package network

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// NodePortService finds Services of type NodePort.
var NodePortService = check.NewOf(check.Meta{
	ID:       "node-port-service",
	Item:     "network.ingress",
	Title:    "Services are not exposed on the nodes' ports",
	Severity: check.Medium,
	Description: "A Service of type NodePort (kube-score's \"Service Type\", kube-linter's exposed-services). It opens " +
		"the same port (30000-32767) on every node of the cluster: anything that reaches a node (the virtual " +
		"network, peered networks and on-premises links, the Internet when node pools have public IPs) " +
		"reaches the pods, around the ingress layer (TLS, WAF, routing, rate limits), and the node " +
		"network security group must allow the whole range. On AKS an ingress controller (the application " +
		"routing add-on, Application Gateway for Containers) or an internal LoadBalancer Service publishes a " +
		"workload with one managed entry point. LoadBalancer Services also take node ports, as the load " +
		"balancer's backend; they are judged by internal-load-balancer and load-balancer-serves-http.",
	Remediation: "Make the Service ClusterIP and publish it through an Ingress or Gateway API route, or, for non-HTTP traffic, a LoadBalancer Service with the azure-load-balancer-internal annotation.",
	Kinds:       []string{"Service"},
}, func(_ context.Context, _ *check.Env, o *subject.Object, svc *corev1.Service, r *check.Result) {
	switch svc.Spec.Type {
	case corev1.ServiceTypeExternalName:
		r.NotApplicable()
	case corev1.ServiceTypeNodePort:
		r.Failf("spec.type", "", "Service %s of type NodePort opens its ports on every node of the cluster", o.Name())
	}
})
