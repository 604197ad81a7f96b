package network

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const (
	internalLBAnnotation  = "service.beta.kubernetes.io/azure-load-balancer-internal"
	serviceTagsAnnotation = "service.beta.kubernetes.io/azure-allowed-service-tags"
	// agicClass is the ingress class of the Application Gateway Ingress Controller (the
	// ingressApplicationGateway add-on or its Helm chart), and agicController its
	// IngressClass controller.
	agicClass      = "azure-application-gateway"
	agicController = "azure/application-gateway"
	// agicWAFAnnotation attaches an Application Gateway WAF policy to an Ingress's paths.
	agicWAFAnnotation = "appgw.ingress.kubernetes.io/waf-policy-for-path"
	// albGroup is Application Gateway for Containers' API group: its
	// WebApplicationFirewallPolicy attaches a WAF policy to a Gateway or an HTTPRoute.
	albGroup     = "alb.networking.azure.io"
	gatewayGroup = "gateway.networking.k8s.io"
	// agcClass is Application Gateway for Containers' GatewayClass, the one whose Gateways
	// its WAF policies apply to.
	agcClass = "azure-alb-external"
)

// WAF finds public entry points that no web application firewall fronts.
var WAF = check.New(check.Meta{
	ID:          "public-ingress-waf",
	CrossObject: true,
	Item:        "network.waf",
	Title:       "Public entry points are behind a web application firewall",
	Severity:    check.High,
	Description: "Every public entry point has a WAF in front. An Ingress of the Application Gateway Ingress " +
		"Controller (class azure-application-gateway, or an IngressClass of controller " +
		"azure/application-gateway) or one with appgw.ingress.kubernetes.io/waf-policy-for-path passes, and " +
		"a Gateway API Gateway of Application Gateway for Containers (class azure-alb-external) passes when its WebApplicationFirewallPolicy " +
		"(alb.networking.azure.io) targets it (a policy on one HTTPRoute covers that route only). Other Ingresses and Gateways, " +
		"and LoadBalancer Services whose traffic is limited to a front (loadBalancerSourceRanges, or the " +
		"azure-allowed-service-tags annotation), pass when the scan holds a WAF: the App Gateway ingress " +
		"add-on on an AKS cluster (addonProfiles.ingressApplicationGateway, Terraform " +
		"ingress_application_gateway), or an Application Gateway or Front Door WAF policy in Prevention mode " +
		"(Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies, " +
		"FrontDoorWebApplicationFirewallPolicies, azurerm_web_application_firewall_policy, " +
		"azurerm_cdn_frontdoor_firewall_policy; with --azure, the WAF policies of the cluster's subscription); " +
		"they fail when the scan holds the Azure configuration (a cluster or a WAF policy) and no such WAF, and " +
		"are not evaluated when it holds only manifests, or when --azure could not list the WAF policies. " +
		"A LoadBalancer Service that is not internal (no service.beta.kubernetes.io/azure-load-balancer-internal: " +
		"\"true\") and accepts every address fails whatever the scan holds: clients reach its public IP " +
		"directly, around any WAF.",
	Remediation: "Publish HTTP applications through Application Gateway (AGIC or Application Gateway for Containers) with a WAF policy in Prevention mode, or behind Front Door with a WAF policy, and make other LoadBalancer Services internal.",
	Kinds:       []string{"Service", "Ingress", "Gateway"},
	Evidence:    []catalog.Evidence{catalog.Manifest, catalog.ARM, catalog.Terraform},
	Requires:    []string{"IngressClass", "WebApplicationFirewallPolicy"},
}, func(_ context.Context, env *check.Env, o *subject.Object, r *check.Result) {
	switch o.Kind {
	case "Service":
		svc, ok := o.Body().(*corev1.Service)
		if !ok || svc.Spec.Type != corev1.ServiceTypeLoadBalancer || strings.EqualFold(svc.Annotations[internalLBAnnotation], "true") {
			r.NotApplicable()
			return
		}
		if !fronted(svc) {
			r.Failf("spec.type", "", "Service %s of type LoadBalancer is public and accepts every address: clients reach it directly, around any WAF", o.Name())
			return
		}
		behindWAF(env, "Service "+o.Name()+", whose traffic is limited to a front,", "metadata.annotations", r)
	case "Ingress":
		ing, ok := o.Body().(*networkingv1.Ingress)
		if !ok {
			r.NotApplicable()
			return
		}
		if _, ok := ing.Annotations[agicWAFAnnotation]; ok || agicIngress(env, ing) {
			return
		}
		behindWAF(env, "Ingress "+o.Name(), "spec", r)
	case "Gateway":
		if o.Group() != gatewayGroup {
			r.NotApplicable()
			return
		}
		covered, err := albWAFCovers(env, o)
		if err != nil {
			r.Error(err)
			return
		}
		if covered {
			return
		}
		behindWAF(env, "Gateway "+o.Name(), "spec", r)
	default:
		r.NotApplicable()
	}
})

// fronted reports whether a public LoadBalancer Service takes traffic only from some
// sources (a WAF's addresses, Front Door's service tag) rather than from every address.
func fronted(svc *corev1.Service) bool {
	if strings.TrimSpace(svc.Annotations[serviceTagsAnnotation]) != "" {
		return true
	}
	if len(svc.Spec.LoadBalancerSourceRanges) == 0 {
		return false
	}
	return !slices.ContainsFunc(svc.Spec.LoadBalancerSourceRanges, func(s string) bool {
		s = strings.TrimSpace(s)
		return s == "0.0.0.0/0" || s == "::/0"
	})
}

// agicIngress reports whether the Application Gateway Ingress Controller serves an Ingress:
// its class is azure-application-gateway, or an IngressClass of the scan of that name has
// the AGIC controller.
func agicIngress(env *check.Env, ing *networkingv1.Ingress) bool {
	class := ing.Annotations["kubernetes.io/ingress.class"]
	if ing.Spec.IngressClassName != nil {
		class = *ing.Spec.IngressClassName
	}
	if class == agicClass {
		return true
	}
	if o := env.Index.Get("IngressClass", "", class); o != nil && class != "" {
		if ic, ok := o.Body().(*networkingv1.IngressClass); ok && ic.Spec.Controller == agicController {
			return true
		}
	}
	return false
}

// albWAFCovers reports whether the Gateway is Application Gateway for Containers' and a WAF
// policy of its namespace targets it (all its listeners). A policy on an HTTPRoute covers that
// route only: the Gateway then counts as fronted only by a WAF the scan shows otherwise.
func albWAFCovers(env *check.Env, gw *subject.Object) (bool, error) {
	var spec struct {
		Spec struct {
			GatewayClassName string `json:"gatewayClassName"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(gw.Raw(), &spec); err != nil {
		return false, fmt.Errorf("reading Gateway %s: %w", gw.Name(), err)
	}
	if spec.Spec.GatewayClassName != agcClass {
		return false, nil
	}
	targeted := map[string]bool{}
	for _, p := range env.Index.InNamespace("WebApplicationFirewallPolicy", gw.Namespace) {
		if p.Group() != albGroup {
			continue
		}
		var doc struct {
			Spec struct {
				TargetRef struct {
					Kind      string `json:"kind"`
					Name      string `json:"name"`
					Namespace string `json:"namespace"`
				} `json:"targetRef"`
			} `json:"spec"`
		}
		if err := json.Unmarshal(p.Raw(), &doc); err != nil {
			return false, fmt.Errorf("reading WebApplicationFirewallPolicy %s: %w", p.Name(), err)
		}
		t := doc.Spec.TargetRef
		if t.Namespace != "" && t.Namespace != gw.Namespace {
			continue
		}
		targeted[t.Kind+"/"+t.Name] = true
	}
	return targeted["Gateway/"+gw.Name()], nil
}

// behindWAF judges an entry point that a WAF outside the manifests may front: it passes when
// the scan holds one (the App Gateway ingress add-on, a WAF policy that blocks), fails when the
// scan holds the Azure configuration without one, and is undecided when it holds manifests
// only.
func behindWAF(env *check.Env, what, path string, r *check.Result) {
	azure := false
	var detection, unread []string
	for _, s := range env.Index.Subjects(subject.TypeOf[*subject.Cluster]()) {
		c, ok := s.(*subject.Cluster)
		if !ok {
			continue
		}
		azure = true
		if why := c.Reads.Unread[subject.UnreadWAF]; why != "" {
			unread = append(unread, c.Name+": "+why)
		}
		if on := c.AddonEnabled("ingressApplicationGateway"); on.True() {
			return
		} else if on.IsUnknown() {
			r.Undecided("whether the App Gateway ingress add-on is on for cluster " + c.Name + " (addonProfiles.ingressApplicationGateway is not known)")
			return
		}
	}
	for _, s := range env.Index.Subjects(subject.TypeOf[*subject.WAFPolicy]()) {
		w, ok := s.(*subject.WAFPolicy)
		if !ok {
			continue
		}
		azure = true
		if w.Blocks() {
			return
		}
		detection = append(detection, w.Service+" WAF policy "+w.Name)
	}
	if !azure {
		r.Undecided("a WAF in front of " + what + " (not in the input: give the cluster's configuration with its " +
			"ingressApplicationGateway add-on, or the ARM or Terraform of an Application Gateway or Front Door WAF policy)")
		return
	}
	if len(unread) > 0 {
		// --azure could not list the WAF policies: one may front it unseen.
		r.Undecided("a WAF in front of " + what + " (" + subject.UnreadWAF + " could not be read: " + strings.Join(unread, "; ") + ")")
		return
	}
	why := "the configuration in the scan has no App Gateway ingress add-on and no WAF policy"
	if len(detection) > 0 {
		why = "its WAF policies only detect (" + strings.Join(detection, ", ") + ": off, or in Detection mode)"
	}
	r.Failf(path, "", "%s is public and no WAF fronts it: %s", what, why)
}
