package subject

import (
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
)

// ingressControllerKind is one ingress controller (or gateway data plane) akscheck knows,
// with the ways its workloads show it.
type ingressControllerKind struct {
	name string
	// controllers are the spec.controller values of the IngressClasses it serves (and the
	// controllerName of its GatewayClasses).
	controllers []string
	// classes are the IngressClass names its installs create by default, for the Ingresses
	// of a scan that holds no IngressClass of it.
	classes []string
	// labels are label pairs (key=value) of its pods.
	labels []string
	// images are its images' repositories (registry/path; Docker Hub's official images as
	// docker.io/library/name).
	images []string
}

// ingressControllers is the one table of ingress controllers: their IngressClass
// controllers, well-known pod labels and images.
var ingressControllers = []ingressControllerKind{
	{name: "ingress-nginx", controllers: []string{"k8s.io/ingress-nginx"}, classes: []string{"nginx"},
		labels: []string{"app.kubernetes.io/name=ingress-nginx", "app=ingress-nginx", "app=nginx-ingress"},
		images: []string{"registry.k8s.io/ingress-nginx/controller", "k8s.gcr.io/ingress-nginx/controller",
			"mcr.microsoft.com/oss/kubernetes/ingress/nginx-ingress-controller",
			"mcr.microsoft.com/oss/v2/kubernetes/ingress/nginx-ingress-controller"}},
	{name: "application routing (nginx)", controllers: []string{"webapprouting.kubernetes.azure.com/nginx"},
		classes: []string{"webapprouting.kubernetes.azure.com"},
		labels:  []string{"app.kubernetes.io/managed-by=aks-app-routing-operator"}},
	{name: "NGINX Ingress Controller", controllers: []string{"nginx.org/ingress-controller"}, classes: []string{"nginx"},
		labels: []string{"app.kubernetes.io/name=nginx-ingress"},
		images: []string{"docker.io/nginx/nginx-ingress", "private-registry.nginx.com/nginx-ic/nginx-plus-ingress"}},
	{name: "traefik", controllers: []string{"traefik.io/ingress-controller"}, classes: []string{"traefik"},
		labels: []string{"app.kubernetes.io/name=traefik", "app=traefik"},
		images: []string{"docker.io/library/traefik", "docker.io/traefik/traefik"}},
	{name: "Application Gateway Ingress Controller", controllers: []string{"azure/application-gateway"},
		classes: []string{"azure-application-gateway"},
		labels:  []string{"app=ingress-appgw", "app.kubernetes.io/name=ingress-azure"},
		images:  []string{"mcr.microsoft.com/azure-application-gateway/kubernetes-ingress"}},
	{name: "HAProxy", controllers: []string{"haproxy.org/ingress-controller", "haproxy-ingress.github.io/controller"},
		classes: []string{"haproxy"},
		labels:  []string{"app.kubernetes.io/name=haproxy-ingress", "app.kubernetes.io/name=kubernetes-ingress", "app=haproxy-ingress"},
		images:  []string{"docker.io/haproxytech/kubernetes-ingress", "quay.io/jcmoraisjr/haproxy-ingress", "docker.io/jcmoraisjr/haproxy-ingress"}},
	{name: "Contour", controllers: []string{"projectcontour.io/ingress-controller", "projectcontour.io/contour"},
		classes: []string{"contour"},
		labels:  []string{"app.kubernetes.io/name=contour", "app=envoy", "app=contour"},
		images:  []string{"ghcr.io/projectcontour/contour", "docker.io/envoyproxy/envoy"}},
	{name: "Kong", controllers: []string{"ingress-controllers.konghq.com/kong"}, classes: []string{"kong"},
		labels: []string{"app.kubernetes.io/name=kong", "app=kong"},
		images: []string{"docker.io/library/kong", "docker.io/kong/kong-gateway", "docker.io/kong/kubernetes-ingress-controller"}},
	{name: "Istio ingress gateway", controllers: []string{"istio.io/ingress-controller", "istio.io/gateway-controller"},
		classes: []string{"istio"},
		labels:  []string{"istio=ingressgateway", "app=istio-ingressgateway", "gateway.istio.io/managed=istio.io-gateway-controller"}},
	{name: "Envoy Gateway", controllers: []string{"gateway.envoyproxy.io/gatewayclass-controller"},
		labels: []string{"app.kubernetes.io/managed-by=envoy-gateway"},
		images: []string{"docker.io/envoyproxy/gateway"}},
}

// IngressController is what a workload is when it runs an ingress controller.
type IngressController struct {
	// Name names the controller ("ingress-nginx").
	Name string
	// Classes are the IngressClass names it serves: those of the scan whose controller is
	// its own (or named in its arguments), else the class names its installs create.
	Classes []string
	// defaultClass is set when one of its IngressClasses is the cluster's default.
	defaultClass bool
}

// IngressControllerOf returns the ingress controller a workload runs (known by its labels,
// its images, or an IngressClass of the scan whose controller its arguments name), or nil.
func (ix *Index) IngressControllerOf(w *Workload) *IngressController {
	kind, ok := knownIngressController(w)
	// The arguments are read only when a class's controller is not the workload's known
	// one: they are in the pod template, a decode of a packed body read from another
	// subject's checks.
	var args []string
	argsRead := false
	var out *IngressController
	for _, o := range ix.OfKind("IngressClass") {
		ic, isClass := o.Body().(*networkingv1.IngressClass)
		if !isClass || ic.Spec.Controller == "" {
			continue
		}
		mine := ok && contains(kind.controllers, ic.Spec.Controller)
		if !mine && !argsRead {
			args, argsRead = workloadArgs(w), true
		}
		if !mine && !argNames(args, ic.Spec.Controller) {
			continue
		}
		if out == nil {
			out = &IngressController{Name: kind.name}
			if !ok {
				out.Name = ic.Spec.Controller
			}
		}
		out.Classes = append(out.Classes, o.Name())
		out.defaultClass = out.defaultClass || o.Meta.Annotations[networkingv1.AnnotationIsDefaultIngressClass] == "true"
	}
	if out == nil && ok {
		out = &IngressController{Name: kind.name, Classes: kind.classes}
	}
	return out
}

// Serves reports whether an Ingress is one of the controller's: its class (ingressClassName
// or the older kubernetes.io/ingress.class annotation) is one of the controller's, or it
// names none and the controller's class is the default.
func (c *IngressController) Serves(ing *networkingv1.Ingress) bool {
	class := ing.Annotations["kubernetes.io/ingress.class"]
	if ing.Spec.IngressClassName != nil {
		class = *ing.Spec.IngressClassName
	}
	if class == "" {
		return c.defaultClass
	}
	return contains(c.Classes, class)
}

// knownIngressController finds the controller a workload runs by its pod labels first (the
// application routing add-on runs the ingress-nginx image under its own labels), then by its
// images.
func knownIngressController(w *Workload) (ingressControllerKind, bool) {
	podLabels := w.PodLabels()
	for _, k := range ingressControllers {
		for _, pair := range k.labels {
			key, value, _ := strings.Cut(pair, "=")
			if v, set := podLabels[key]; set && v == value {
				return k, true
			}
		}
	}
	for _, k := range ingressControllers {
		for _, ref := range w.AppImages() {
			if ref.Valid && slices.ContainsFunc(k.images, func(image string) bool { return namesImage(image, ref) }) {
				return k, true
			}
		}
	}
	return ingressControllerKind{}, false
}

// workloadArgs returns the command and args of the app containers.
func workloadArgs(w *Workload) []string {
	var out []string
	for _, c := range w.AppContainers() {
		out = append(out, c.Command...)
		out = append(out, c.Args...)
	}
	return out
}

// argNames reports whether an argument gives a flag the value v (--controller-class=v).
func argNames(args []string, v string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, "-") && strings.HasSuffix(a, "="+v) {
			return true
		}
	}
	return false
}

// namesImage reports whether image is the registry and repository of ref, joined by a
// slash, without joining them for each comparison.
func namesImage(image string, ref ImageRef) bool {
	rest, ok := strings.CutPrefix(image, ref.Registry)
	return ok && len(rest) == 1+len(ref.Repository) && rest[0] == '/' && rest[1:] == ref.Repository
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// leaderElectionFlags are the flags with which controllers (controller-runtime, client-go's
// leaderelection, kube-controller-manager style) take a lease so that one replica works at a
// time.
var leaderElectionFlags = []string{"leader-elect", "leader-election", "enable-leader-election", "leader-elect-enabled"}

// leaderElectedImages are the repositories of operators that elect a leader by default
// (without a flag in the manifest).
var leaderElectedImages = []string{
	"quay.io/prometheus-operator/prometheus-operator",
	"quay.io/jetstack/cert-manager-controller",
	"quay.io/jetstack/cert-manager-cainjector",
	"docker.elastic.co/eck/eck-operator",
	"ghcr.io/cloudnative-pg/cloudnative-pg",
	"quay.io/strimzi/operator",
	"docker.io/rabbitmqoperator/cluster-operator",
	"ghcr.io/kedacore/keda",
	"ghcr.io/external-secrets/external-secrets",
	"registry.k8s.io/external-dns/external-dns",
	"ghcr.io/fluxcd/source-controller",
	"ghcr.io/fluxcd/kustomize-controller",
	"ghcr.io/fluxcd/helm-controller",
	"ghcr.io/fluxcd/notification-controller",
	"ghcr.io/fluxcd/image-reflector-controller",
	"ghcr.io/fluxcd/image-automation-controller",
	"registry.k8s.io/autoscaling/cluster-autoscaler",
}

// LeaderElected says why the workload runs a controller that elects a leader (one replica
// works, the others wait), or "" when it does not: a container passes a leader election
// flag (--leader-elect, --leader-election, --enable-leader-election, bare or =true), or runs
// an operator that elects one by default. Adding replicas to such a controller adds standbys,
// not capacity.
func (w *Workload) LeaderElected() string {
	for _, c := range w.AppContainers() {
		for _, a := range append(append([]string(nil), c.Command...), c.Args...) {
			if flag, ok := leaderElectionFlag(a); ok {
				return "it passes " + flag
			}
		}
		if c.ImageRef.Valid && contains(leaderElectedImages, c.ImageRef.Registry+"/"+c.ImageRef.Repository) {
			return "it runs " + c.ImageRef.Repository + ", an operator that elects a leader"
		}
	}
	return ""
}

// leaderElectionFlag reports whether an argument switches leader election on, and returns
// the flag as written without its value.
func leaderElectionFlag(arg string) (string, bool) {
	if !strings.HasPrefix(arg, "-") {
		return "", false
	}
	name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	if !contains(leaderElectionFlags, name) {
		return "", false
	}
	if hasValue && !strings.EqualFold(value, "true") {
		return "", false
	}
	return "--" + name, true
}
