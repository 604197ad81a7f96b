package object

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const internalLBAnnotation = "service.beta.kubernetes.io/azure-load-balancer-internal"

// InternalLoadBalancer finds LoadBalancer Services that get a public IP.
var InternalLoadBalancer = check.NewOf(check.Meta{
	ID:       "internal-load-balancer",
	Item:     "network.internal-load-balancer",
	Title:    "LoadBalancer Services are internal",
	Severity: check.Medium,
	Description: "A Service of type LoadBalancer without the annotation " +
		"service.beta.kubernetes.io/azure-load-balancer-internal: \"true\". AKS then gives it a public IP " +
		"on the cluster's load balancer, reachable from the whole Internet.",
	Remediation: "Annotate the Service with service.beta.kubernetes.io/azure-load-balancer-internal: \"true\", and publish what must be public through an ingress or gateway behind a WAF.",
	Example: `apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
  annotations:
    service.beta.kubernetes.io/azure-load-balancer-internal: "true"
spec:
  type: LoadBalancer
  selector:
    app.kubernetes.io/name: cart
  ports:
    - port: 80
      targetPort: 8080`,
	Kinds: []string{"Service"},
}, func(_ context.Context, _ *check.Env, o *subject.Object, svc *corev1.Service, r *check.Result) {
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		r.NotApplicable()
		return
	}
	if !strings.EqualFold(svc.Annotations[internalLBAnnotation], "true") {
		r.Failf("metadata.annotations", "", "Service %s of type LoadBalancer is public (no %s: \"true\")", o.Name(), internalLBAnnotation)
	}
})
