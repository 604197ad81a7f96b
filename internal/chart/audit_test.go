package chart

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// TestAuditOff: with the audit off (the default) the chart renders nothing of it; turned on,
// the chart only adds objects: every object of the webhook and the scan is rendered as before,
// byte for byte.
func TestAuditOff(t *testing.T) {
	t.Parallel()
	base := []string{"scan.cronJob.enabled=true", "config=checks:\n  disable: [latest-tag]\n"}
	off := render(t, base...)
	for _, d := range off.docs {
		if strings.Contains(d.Name, "audit") || d.Kind == "PersistentVolumeClaim" || d.Kind == "ServiceMonitor" {
			t.Errorf("audit.enabled=false renders %s %s", d.Kind, d.Name)
		}
	}
	on := render(t, append(base, "audit.enabled=true", "audit.events=true", "metrics.serviceMonitor.enabled=true")...)
	text := map[string]string{}
	for _, d := range on.docs {
		text[d.Kind+"/"+d.Name] = d.Text
	}
	for _, d := range off.docs {
		if got, ok := text[d.Kind+"/"+d.Name]; !ok || got != d.Text {
			t.Errorf("turning the audit on changes %s %s:\n%s\nwant\n%s", d.Kind, d.Name, got, d.Text)
		}
	}
	if len(on.docs) <= len(off.docs) {
		t.Errorf("audit.enabled=true adds no object")
	}
}

// TestAudit renders the audit with its storage modes and checks the Deployment, its
// storage, Service, RBAC and network policy against each other and against the code.
func TestAudit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		set     []string
		storage string // pvc, emptyDir or postgres
		events  bool
		cluster string // --cluster-name, "" when absent
	}{
		{"persistence", nil, "pvc", false, ""},
		{"persistence with a storage class, events", []string{"audit.persistence.storageClassName=managed-csi", "audit.persistence.size=5Gi", "audit.events=true"}, "pvc", true, ""},
		{"no persistence", []string{"audit.persistence.enabled=false"}, "emptyDir", false, ""},
		{"postgres", []string{"audit.database.existingSecret=akscheck-db", "audit.database.key=dsn"}, "postgres", false, ""},
		{"postgres shared by a fleet", []string{"audit.database.existingSecret=akscheck-db", "audit.database.key=dsn",
			"audit.clusterName=/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/prod: #1"},
			"postgres", false, "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/prod: #1"},
		{"audit alone", []string{"webhook.enabled=false", "certManager.enabled=false", "audit.resync=5m", "audit.port=9090"}, "pvc", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := render(t, append([]string{"audit.enabled=true"}, tc.set...)...)
			dep := get[appsv1.Deployment](t, r, "Deployment", "akscheck-audit")
			checkHardened(t, "Deployment akscheck-audit", &dep.Spec.Template.Spec)
			if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 1 || dep.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
				t.Errorf("the audit's Deployment: replicas %v, strategy %s; want 1 and Recreate (one writer of the history)",
					dep.Spec.Replicas, dep.Spec.Strategy.Type)
			}
			if dep.Spec.Template.Spec.ServiceAccountName != "akscheck-audit" {
				t.Errorf("serviceAccountName %q", dep.Spec.Template.Spec.ServiceAccountName)
			}
			c := dep.Spec.Template.Spec.Containers[0]
			args := map[string]string{}
			for _, a := range c.Args {
				k, v, _ := strings.Cut(a, "=")
				args[k] = v
			}
			if c.Args[0] != "serve" || !slices.Contains(c.Args, "--audit") || slices.Contains(c.Args, "--webhook") {
				t.Errorf("args %v, want serve --audit ...", c.Args)
			}
			if _, ok := args["--events"]; ok != tc.events {
				t.Errorf("args %v: --events %v, want %v", c.Args, ok, tc.events)
			}
			if args["--cluster-name"] != tc.cluster {
				t.Errorf("args %v: --cluster-name %q, want %q", c.Args, args["--cluster-name"], tc.cluster)
			}
			port := c.Ports[0]
			if len(c.Ports) != 1 || port.Name != "http" || args["--listen"] != ":"+strconv.Itoa(int(port.ContainerPort)) {
				t.Errorf("--listen=%s, container ports %+v", args["--listen"], c.Ports)
			}
			for name, p := range map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
				if p == nil || p.HTTPGet == nil || p.HTTPGet.Port.String() != "http" {
					t.Errorf("%s probe %+v, want an HTTP GET on the http port", name, p)
				}
			}
			svc := get[corev1.Service](t, r, "Service", "akscheck-audit")
			if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != port.ContainerPort || svc.Spec.Ports[0].TargetPort.String() != "http" {
				t.Errorf("Service ports %+v, want %d to the container's http port", svc.Spec.Ports, port.ContainerPort)
			}
			pods := labels(dep.Spec.Template.Labels)
			if !pods.selectedBy(svc.Spec.Selector) {
				t.Errorf("the Service selects %v, not the audit's pods %v", svc.Spec.Selector, pods)
			}
			if r.has("Deployment", "akscheck-webhook") && labels(get[appsv1.Deployment](t, r, "Deployment", "akscheck-webhook").Spec.Template.Labels).selectedBy(svc.Spec.Selector) {
				t.Errorf("the audit's Service selects the webhook's pods too")
			}
			np := get[networkingv1.NetworkPolicy](t, r, "NetworkPolicy", "akscheck-audit-ingress")
			if np.Spec.PodSelector.MatchLabels == nil || !pods.selectedBy(np.Spec.PodSelector.MatchLabels) ||
				len(np.Spec.Ingress) != 1 || len(np.Spec.Ingress[0].Ports) != 1 || np.Spec.Ingress[0].Ports[0].Port.IntValue() != int(port.ContainerPort) {
				t.Errorf("the audit's ingress policy %+v, want its pods' port %d", np.Spec, port.ContainerPort)
			}
			checkAuditRole(t, get[rbacv1.ClusterRole](t, r, "ClusterRole", "akscheck-audit"), tc.events)
			binding := get[rbacv1.ClusterRoleBinding](t, r, "ClusterRoleBinding", "akscheck-audit")
			if binding.RoleRef.Name != "akscheck-audit" || len(binding.Subjects) != 1 || binding.Subjects[0].Name != "akscheck-audit" || binding.Subjects[0].Namespace != namespace {
				t.Errorf("akscheck-audit is bound %+v to %+v", binding.RoleRef, binding.Subjects)
			}
			get[corev1.ServiceAccount](t, r, "ServiceAccount", "akscheck-audit")
			checkAuditStorage(t, r, dep, args, tc.storage)
		})
	}
}

// checkAuditStorage checks where the history is: the SQLite file on the claim or on an
// emptyDir, or PostgreSQL with its URL from the Secret (never in the args).
func checkAuditStorage(t *testing.T, r rendered, dep *appsv1.Deployment, args map[string]string, storage string) {
	t.Helper()
	spec := dep.Spec.Template.Spec
	c := spec.Containers[0]
	i := slices.IndexFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == "data" })
	mounted := slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == "data" && m.MountPath == "/data" && !m.ReadOnly })
	pvc := r.has("PersistentVolumeClaim", "akscheck-audit-history")
	env := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "AKSCHECK_DATABASE_URL" })
	if storage == "postgres" {
		if _, ok := args["--database"]; ok || i >= 0 || mounted || pvc {
			t.Errorf("PostgreSQL: --database %q, data volume %v, mounted %v, claim %v; want none", args["--database"], i >= 0, mounted, pvc)
		}
		if env < 0 || c.Env[env].Value != "" || c.Env[env].ValueFrom == nil || c.Env[env].ValueFrom.SecretKeyRef == nil ||
			c.Env[env].ValueFrom.SecretKeyRef.Name != "akscheck-db" || c.Env[env].ValueFrom.SecretKeyRef.Key != "dsn" {
			t.Errorf("AKSCHECK_DATABASE_URL does not come from the Secret akscheck-db, key dsn: %+v", c.Env)
		}
		egress := get[networkingv1.NetworkPolicy](t, r, "NetworkPolicy", "akscheck-audit-database")
		if len(egress.Spec.Egress) != 1 || egress.Spec.Egress[0].Ports[0].Port.IntValue() != 5432 {
			t.Errorf("the database's egress policy %+v, want port 5432", egress.Spec.Egress)
		}
		return
	}
	if env >= 0 || r.has("NetworkPolicy", "akscheck-audit-database") {
		t.Errorf("SQLite: AKSCHECK_DATABASE_URL or the database's egress policy is rendered")
	}
	if args["--database"] != "/data/akscheck-history.db" || i < 0 || !mounted {
		t.Fatalf("SQLite: --database=%s, data volume %v, mounted read-write on /data %v", args["--database"], i >= 0, mounted)
	}
	v := spec.Volumes[i]
	switch storage {
	case "pvc":
		claim := get[corev1.PersistentVolumeClaim](t, r, "PersistentVolumeClaim", "akscheck-audit-history")
		if v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != claim.Name {
			t.Errorf("the data volume %+v is not the claim %s", v, claim.Name)
		}
		if !slices.Equal(claim.Spec.AccessModes, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}) || claim.Spec.Resources.Requests.Storage().IsZero() {
			t.Errorf("the claim %+v, want ReadWriteOnce with a size", claim.Spec)
		}
	case "emptyDir":
		if pvc || v.EmptyDir == nil {
			t.Errorf("persistence off: claim %v, data volume %+v; want an emptyDir", pvc, v)
		}
	}
}

// checkAuditRole checks that the audit's ClusterRole grants get, list and watch on exactly
// the kinds its cache watches (add-on kinds included, watched once installed), and create and patch on events.k8s.io Events when
// it publishes them.
func checkAuditRole(t *testing.T, role *rbacv1.ClusterRole, events bool) {
	t.Helper()
	var got []string
	for _, rule := range role.Rules {
		if len(rule.NonResourceURLs) > 0 || len(rule.ResourceNames) > 0 {
			t.Errorf("the audit's role has rule %+v", rule)
		}
		for _, g := range rule.APIGroups {
			for _, res := range rule.Resources {
				for _, v := range rule.Verbs {
					got = append(got, g+"/"+res+"/"+v)
				}
			}
		}
	}
	var want []string
	for _, k := range CurrentKinds().Audited {
		for _, v := range []string{"get", "list", "watch"} {
			want = append(want, k.Group+"/"+k.Resource+"/"+v)
		}
	}
	if events {
		want = append(want, "events.k8s.io/events/create", "events.k8s.io/events/patch")
	}
	sortedEqual(t, "the audit's role (group/resource/verb)", got, want)
}

// TestServiceMonitor: the ServiceMonitor scrapes the audit's Service, on its port, and
// carries the labels the Prometheus selects it by.
func TestServiceMonitor(t *testing.T) {
	t.Parallel()
	r := render(t, "audit.enabled=true", "metrics.serviceMonitor.enabled=true", "metrics.serviceMonitor.labels.release=prometheus")
	var sm struct {
		Metadata struct {
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			NamespaceSelector struct {
				MatchNames []string `json:"matchNames"`
			} `json:"namespaceSelector"`
			Endpoints []struct {
				Port, Path, Interval string
			} `json:"endpoints"`
		} `json:"spec"`
	}
	i := slices.IndexFunc(r.docs, func(d Doc) bool { return d.Kind == "ServiceMonitor" })
	if i < 0 {
		t.Fatal("metrics.serviceMonitor.enabled=true renders no ServiceMonitor")
	}
	if r.docs[i].APIVersion != "monitoring.coreos.com/v1" {
		t.Errorf("ServiceMonitor apiVersion %s", r.docs[i].APIVersion)
	}
	if err := yaml.Unmarshal([]byte(r.docs[i].Text), &sm); err != nil {
		t.Fatal(err)
	}
	svc := get[corev1.Service](t, r, "Service", "akscheck-audit")
	if !labels(svc.Labels).selectedBy(sm.Spec.Selector.MatchLabels) || labels(get[corev1.Service](t, r, "Service", "akscheck-webhook").Labels).selectedBy(sm.Spec.Selector.MatchLabels) {
		t.Errorf("the ServiceMonitor selects %v: want the audit's Service (%v) alone", sm.Spec.Selector.MatchLabels, svc.Labels)
	}
	if !slices.Equal(sm.Spec.NamespaceSelector.MatchNames, []string{namespace}) {
		t.Errorf("namespaceSelector %v", sm.Spec.NamespaceSelector.MatchNames)
	}
	if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Port != svc.Spec.Ports[0].Name || sm.Spec.Endpoints[0].Path != "/metrics" {
		t.Errorf("endpoints %+v, want the Service's port %s, /metrics", sm.Spec.Endpoints, svc.Spec.Ports[0].Name)
	}
	if sm.Metadata.Labels["release"] != "prometheus" {
		t.Errorf("the ServiceMonitor's labels %v lack metrics.serviceMonitor.labels", sm.Metadata.Labels)
	}
	if render(t, "audit.enabled=true").has("ServiceMonitor", "akscheck-audit") {
		t.Error("a ServiceMonitor is rendered by default")
	}
}

// TestAuditAzure: audit.azure turns on the Azure pass as a workload identity: the server's
// flags, the ServiceAccount's client ID annotation, the pod's label the workload identity
// webhook looks for, and an egress policy to Entra ID and ARM on 443 that keeps the node's
// metadata service out. Off, none of them is rendered.
func TestAuditAzure(t *testing.T) {
	t.Parallel()
	const (
		clientID = "44444444-4444-4444-4444-444444444444"
		tenantID = "22222222-2222-2222-2222-222222222222"
		id       = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-shop"
	)
	for _, tc := range []struct {
		name string
		set  []string
		args []string
	}{
		{"found by the nodes", []string{"audit.azure.workloadIdentity.clientID=" + clientID}, []string{"--azure", "--azure-interval=1h"}},
		{"resource ID, interval, tenant", []string{"audit.azure.workloadIdentity.clientID=" + clientID, "audit.azure.workloadIdentity.tenantID=" + tenantID,
			"audit.azure.resourceID=" + id, "audit.azure.interval=30m"}, []string{"--azure", "--azure-interval=30m", "--aks-resource-id=" + id}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := render(t, append([]string{"audit.enabled=true", "audit.azure.enabled=true"}, tc.set...)...)
			dep := get[appsv1.Deployment](t, r, "Deployment", "akscheck-audit")
			checkHardened(t, "Deployment akscheck-audit", &dep.Spec.Template.Spec)
			args := dep.Spec.Template.Spec.Containers[0].Args
			for _, a := range tc.args {
				if !slices.Contains(args, a) {
					t.Errorf("args %v lack %s", args, a)
				}
			}
			if !slices.ContainsFunc(tc.args, func(a string) bool { return strings.HasPrefix(a, "--aks-resource-id") }) &&
				slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--aks-resource-id") }) {
				t.Errorf("args %v: --aks-resource-id without audit.azure.resourceID", args)
			}
			if dep.Spec.Template.Labels["azure.workload.identity/use"] != "true" {
				t.Errorf("pod labels %v lack azure.workload.identity/use: \"true\"", dep.Spec.Template.Labels)
			}
			if _, ok := dep.Spec.Selector.MatchLabels["azure.workload.identity/use"]; ok {
				t.Error("the workload identity label is in the Deployment's selector (immutable)")
			}
			sa := get[corev1.ServiceAccount](t, r, "ServiceAccount", "akscheck-audit")
			if sa.Annotations["azure.workload.identity/client-id"] != clientID {
				t.Errorf("ServiceAccount annotations %v", sa.Annotations)
			}
			if tenant := sa.Annotations["azure.workload.identity/tenant-id"]; (tenant != "") != slices.Contains(tc.set, "audit.azure.workloadIdentity.tenantID="+tenantID) {
				t.Errorf("tenant annotation %q", tenant)
			}
			np := get[networkingv1.NetworkPolicy](t, r, "NetworkPolicy", "akscheck-audit-azure")
			eg := np.Spec.Egress
			if len(eg) != 1 || len(eg[0].Ports) != 1 || eg[0].Ports[0].Port.IntValue() != 443 || len(eg[0].To) != 1 || eg[0].To[0].IPBlock == nil ||
				!slices.Contains(eg[0].To[0].IPBlock.Except, "169.254.169.254/32") {
				t.Errorf("the Azure egress policy %+v: want 443 anywhere but the metadata service", np.Spec)
			}
			if !labels(dep.Spec.Template.Labels).selectedBy(np.Spec.PodSelector.MatchLabels) {
				t.Errorf("the Azure egress policy selects %v, not the audit's pods", np.Spec.PodSelector.MatchLabels)
			}
		})
	}
	off := render(t, "audit.enabled=true")
	dep := get[appsv1.Deployment](t, off, "Deployment", "akscheck-audit")
	if slices.Contains(dep.Spec.Template.Spec.Containers[0].Args, "--azure") || dep.Spec.Template.Labels["azure.workload.identity/use"] != "" {
		t.Errorf("audit.azure off: args %v, labels %v", dep.Spec.Template.Spec.Containers[0].Args, dep.Spec.Template.Labels)
	}
	if sa := get[corev1.ServiceAccount](t, off, "ServiceAccount", "akscheck-audit"); len(sa.Annotations) > 0 || off.has("NetworkPolicy", "akscheck-audit-azure") {
		t.Errorf("audit.azure off: ServiceAccount annotations %v, Azure egress policy %v", sa.Annotations, off.has("NetworkPolicy", "akscheck-audit-azure"))
	}
}
