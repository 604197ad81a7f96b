package network

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// LoadBalancerServesHTTP finds LoadBalancer Services that expose HTTP(S) ports directly.
var LoadBalancerServesHTTP = check.NewOf(check.Meta{
	ID:          "load-balancer-serves-http",
	CrossObject: true,
	Item:        "network.ingress",
	Title:       "HTTP is routed through an ingress, not a LoadBalancer Service",
	Severity:    check.Medium,
	Description: "A Service of type LoadBalancer serving port 80 or 443. Each such Service takes its own " +
		"public or private IP, bypasses the ingress layer (TLS, WAF, routing, rate limits) and multiplies " +
		"the entry points to secure. The Service of an ingress controller (its pods run a known controller: " +
		"ingress-nginx, the application routing add-on, traefik, HAProxy, Contour, Kong, an Istio ingress " +
		"gateway…, known by an IngressClass of the scan, their labels or their images) is the ingress layer: " +
		"it is judged by its TLS instead, and fails only when it serves port 80 without 443 and no Ingress " +
		"of its class has TLS (port 80 beside 443 serves redirects and ACME challenges). Whether its load " +
		"balancer is internal is the internal-load-balancer check's question.",
	Remediation: "Expose HTTP(S) apps through an Ingress (application routing add-on, AGIC) or a Gateway API HTTPRoute, and make the Service ClusterIP; give an ingress controller's Service port 443 and its Ingresses TLS.",
	Kinds:       []string{"Service"},
	// The workloads it selects (is it an ingress controller?), the IngressClasses they
	// serve and the Ingresses of those classes (do they have TLS?).
	Requires: append(append([]string(nil), subject.WorkloadKinds...), "IngressClass", "Ingress"),
}, func(_ context.Context, env *check.Env, o *subject.Object, svc *corev1.Service, r *check.Result) {
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		r.NotApplicable()
		return
	}
	if ctrl := ingressControllerBehind(env, o.Namespace, svc); ctrl != nil {
		judgeIngressControllerTLS(env, o, svc, ctrl, r)
		return
	}
	for i, p := range svc.Spec.Ports {
		if p.Port == 80 || p.Port == 443 {
			r.Failf("spec.ports["+itoa(i)+"]", "", "Service %s of type LoadBalancer serves port %d directly", o.Name(), p.Port)
		}
	}
})

// ingressControllerBehind returns the ingress controller the Service's pods run, or nil.
func ingressControllerBehind(env *check.Env, namespace string, svc *corev1.Service) *subject.IngressController {
	if len(svc.Spec.Selector) == 0 {
		return nil
	}
	for _, w := range env.Index.WorkloadsSelectedBy(namespace, svc.Spec.Selector) {
		if c := env.Index.IngressControllerOf(w); c != nil {
			return c
		}
	}
	return nil
}

// judgeIngressControllerTLS fails an ingress controller's Service that serves port 80
// while neither the Service serves 443 nor any Ingress of the controller's classes has TLS.
func judgeIngressControllerTLS(env *check.Env, o *subject.Object, svc *corev1.Service, ctrl *subject.IngressController, r *check.Result) {
	http := -1
	for i, p := range svc.Spec.Ports {
		switch p.Port {
		case 443:
			return
		case 80:
			if http < 0 {
				http = i
			}
		}
	}
	if http < 0 {
		return
	}
	for _, io := range env.Index.OfKind("Ingress") {
		if ing, ok := io.Body().(*networkingv1.Ingress); ok && len(ing.Spec.TLS) > 0 && ctrl.Serves(ing) {
			return
		}
	}
	r.Failf("spec.ports["+itoa(http)+"]", "", "Service %s of type LoadBalancer fronts ingress controller %s and serves port 80 without 443, and no Ingress of its class has TLS: the controller serves no TLS",
		o.Name(), ctrl.Name)
}

// IngressTLS finds Ingresses without TLS.
var IngressTLS = check.NewOf(check.Meta{
	ID:          "ingress-tls",
	Item:        "network.ingress",
	Title:       "Ingresses terminate TLS",
	Severity:    check.Medium,
	Description: "An Ingress without a tls section serves plain HTTP: credentials and session cookies cross the network in clear text.",
	Remediation: "Add spec.tls with the hosts and a certificate Secret (cert-manager, or the Key Vault integration of the application routing add-on).",
	Kinds:       []string{"Ingress"},
}, func(_ context.Context, _ *check.Env, o *subject.Object, ing *networkingv1.Ingress, r *check.Result) {
	if len(ing.Spec.TLS) == 0 {
		r.Failf("spec.tls", "", "Ingress %s has no TLS", o.Name())
	}
})

// IngressHostnames finds Ingress and HTTPRoute hosts outside the allowed domains.
var IngressHostnames = check.New(check.Meta{
	ID:       "ingress-hostnames",
	Item:     "network.ingress-hostnames",
	Title:    "Ingress and HTTPRoute hosts belong to allowed domains",
	Severity: check.Medium,
	Description: "Every Ingress rule host and TLS host, and every Gateway API HTTPRoute hostname, is in the " +
		"allowed domains (ingressDomains parameter: the domain itself or a subdomain). With no allowed " +
		"domains configured, only rules without a host (catch-all: they answer for any name pointed at " +
		"the IP) and wildcard hosts are flagged.",
	Remediation: "Give every rule an explicit host in your own domains, and set checks.params.ingressDomains in .akscheck.yaml.",
	Kinds:       []string{"Ingress", "HTTPRoute"},
	Settings:    []check.Setting{IngressDomainsSetting},
}, func(_ context.Context, env *check.Env, o *subject.Object, r *check.Result) {
	domains := IngressDomainsSetting.Get(env)
	judge := func(path, host string) {
		switch {
		case host == "":
			r.Failf(path, "", "%s %s has a rule without a host (catch-all)", o.Kind, o.Name())
		case len(domains) > 0 && !inDomains(host, domains):
			r.Failf(path, "", "%s %s serves host %q, outside the allowed domains (%s)", o.Kind, o.Name(), host, strings.Join(domains, ", "))
		case len(domains) == 0 && strings.HasPrefix(host, "*"):
			r.Failf(path, "", "%s %s serves wildcard host %q", o.Kind, o.Name(), host)
		}
	}
	switch t := o.Body().(type) {
	case *networkingv1.Ingress:
		for i, rule := range t.Spec.Rules {
			judge("spec.rules["+itoa(i)+"].host", rule.Host)
		}
		for i, tls := range t.Spec.TLS {
			for j, h := range tls.Hosts {
				judge("spec.tls["+itoa(i)+"].hosts["+itoa(j)+"]", h)
			}
		}
		if len(t.Spec.Rules) == 0 && t.Spec.DefaultBackend != nil {
			judge("spec.defaultBackend", "")
		}
	default:
		if o.Kind != "HTTPRoute" || !strings.HasPrefix(o.APIVersion, "gateway.networking.k8s.io/") {
			r.NotApplicable()
			return
		}
		hosts, err := httpRouteHostnames(o)
		if err != nil {
			r.NotApplicable()
			return
		}
		if len(hosts) == 0 {
			judge("spec.hostnames", "")
		}
		for i, h := range hosts {
			judge("spec.hostnames["+itoa(i)+"]", h)
		}
	}
})

func inDomains(host string, domains []string) bool {
	host = strings.ToLower(strings.TrimPrefix(host, "*."))
	for _, d := range domains {
		d = strings.ToLower(strings.TrimPrefix(d, "."))
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// IngressDomainsSetting are the domains Ingress and HTTPRoute hosts must belong to.
var IngressDomainsSetting = check.NewParam[[]string]("ingressDomains",
	"domains Ingress and HTTPRoute hosts must belong to (the domain or a subdomain, e.g. [contoso.com]); empty allows any host but flags catch-all rules and wildcard hosts",
	nil, nil)
