package parity

import (
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/check"
)

// The cases below are the misses of issue 20 that concern RBAC, credentials in environment
// values, Services, network policies, host mounts and run-as-root: each states what the peer
// tool flags and asserts what akscheck finds (or the difference it keeps on purpose).

const peersNamespace = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
`

const peersDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: cart
  template:
    metadata:
      labels:
        app.kubernetes.io/name: cart
    spec:
      containers:
        - name: cart
          image: contoso.azurecr.io/shop/cart:1.4.2
`

// cluster-admin bound to a ServiceAccount: Polaris (clusterrolebindingClusterAdmin) and
// kube-linter (cluster-admin-role-binding) flag it; akscheck passed it because the subject was
// not a User. A workload identity is never an admin.
func TestPeersClusterAdminToServiceAccount(t *testing.T) {
	t.Parallel()
	rep := scan(t, `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: deployer-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: deployer
    namespace: ci
`)
	peersExpect(t, rep, "cluster-admin-binding", 1, "ServiceAccount ci/deployer", "cluster-admin across the cluster")
}

// A ClusterRole with every verb on every resource is cluster-admin in all but name (kube-linter's
// wildcard-in-rules flags the role itself). Bound to a user or to everyone it fails; bound to an
// Entra group it passes, as cluster-admin does.
func TestPeersWildcardClusterRole(t *testing.T) {
	t.Parallel()
	const role = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: superuser
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
---
`
	binding := func(kind, name string) string {
		return role + `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: superusers
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: superuser
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: ` + kind + `
    name: ` + name + "\n"
	}
	peersExpect(t, scan(t, binding("User", "carol@contoso.com")), "cluster-admin-binding", 1,
		"user carol@contoso.com", "ClusterRole superuser", "cluster-admin in all but name")
	rep := scan(t, binding("Group", "system:authenticated"))
	peersExpect(t, rep, "cluster-admin-binding", 1, "every signed-in caller")
	if f := findingsOf(rep, "cluster-admin-binding"); f[0].Severity != check.Critical {
		t.Errorf("admin for every signed-in caller is %s, want critical", f[0].Severity)
	}
	peersExpect(t, scan(t, binding("Group", "3f2a9c1e-0000-4000-8000-00000000a001")), "cluster-admin-binding", 0)
	peersExpect(t, scan(t, binding("Group", "system:masters")), "cluster-admin-binding", 0)
}

// Credentials in environment values under harmless names: kube-linter's env-var-secret reads
// names only, as akscheck did; the shapes of the values are what catch them. The finding
// names the variable and the kind of credential and never any part of the value, in any format.
func TestPeersCredentialValuesUnderHarmlessNames(t *testing.T) {
	t.Parallel()
	secrets := map[string]struct{ value, kind string }{
		"TLS_CONFIG":    {"-----BEGIN PRIVATE KEY-----\\nUEVFUlMtRklYVFVSRS1LRVktQk9EWQ==\\n-----END PRIVATE KEY-----", "a PEM private key"},
		"UPSTREAM_AUTH": {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwZWVycy1maXh0dXJlIn0.UEVFUlMtRklYVFVSRS1TSUc", "a JSON Web Token"},
		"ORDERS_DB":     {"Server=tcp:db;Database=orders;User ID=orders;Password=PeersFixture-7f3a;", "a connection string with a password or key"},
		"BROKER":        {"amqp://orders:PeersFixture-9c1d@rabbitmq:5672/", "a URL with a password"},
		"BACKUP_ID":     {"AKIAPEERSFIXTURE7F3A", "an AWS access key ID"},
		"REPO_ACCESS":   {"ghp_PeersFixtureNotARealTokenPeersFixtur", "a GitHub token"},
	}
	// The parts of the values that must never be shown.
	cores := []string{"UEVFUlMtRklYVFVSRS1LRVktQk9EWQ", "eyJzdWIiOiJwZWVycy1maXh0dXJlIn0", "UEVFUlMtRklYVFVSRS1TSUc",
		"PeersFixture-7f3a", "PeersFixture-9c1d", "AKIAPEERSFIXTURE7F3A", "PeersFixtureNotARealToken"}
	var env strings.Builder
	for name, s := range secrets {
		env.WriteString("            - name: " + name + "\n              value: \"" + s.value + "\"\n")
	}
	rep := scan(t, peersDeployment+"          env:\n"+env.String())
	got := findingsOf(rep, "env-literal-secret")
	if len(got) != len(secrets) {
		t.Fatalf("env-literal-secret: %d findings, want %d", len(got), len(secrets))
	}
	for _, f := range got {
		_, rest, _ := strings.Cut(f.Message, " sets ")
		name, _, _ := strings.Cut(rest, " ")
		if want := secrets[name].kind; !strings.Contains(f.Message, "looks like "+want) {
			t.Errorf("finding on %s says %q, want it to name %q", name, f.Message, want)
		}
	}
	outputs := peersRenderAll(t, rep)
	for _, format := range []string{"json", "table"} {
		if !strings.Contains(outputs[format], "UPSTREAM_AUTH") {
			t.Errorf("the %s output does not name the variable: the assertions below prove nothing", format)
		}
	}
	for format, out := range outputs {
		for _, core := range cores {
			if strings.Contains(out, core) {
				t.Errorf("the %s output shows a credential value (%.4s...)", format, core)
			}
		}
	}
}

// A Service whose selector matches no pods: kube-score's "Service Targets Pod" and kube-linter's
// dangling-service. A Service without a selector is not judged.
func TestPeersDanglingService(t *testing.T) {
	t.Parallel()
	rep := scan(t, peersDeployment+`---
apiVersion: v1
kind: Service
metadata:
  name: carts
  namespace: shop
spec:
  selector:
    app.kubernetes.io/name: carts
  ports:
    - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
spec:
  selector:
    app.kubernetes.io/name: cart
  ports:
    - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: external-db
  namespace: shop
spec:
  ports:
    - port: 1433
`)
	peersExpect(t, rep, "service-targets-pods", 1, "Service carts selects no pods", "app.kubernetes.io/name=carts")
}

// A NetworkPolicy that selects no pods (kube-score's "NetworkPolicy targets Pod"): the pods it
// was written for are not protected by it.
func TestPeersNetworkPolicySelectsNoPods(t *testing.T) {
	t.Parallel()
	rep := scan(t, peersNamespace+"---\n"+peersDeployment+`---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: carts-ingress
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: carts
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`)
	peersExpect(t, rep, "network-policy-selects-pods", 1, "NetworkPolicy carts-ingress selects no pods")
}

// NodePort Services: kube-score's "Service Type" and kube-linter's exposed-services.
func TestPeersNodePortService(t *testing.T) {
	t.Parallel()
	rep := scan(t, peersDeployment+`---
apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
spec:
  type: NodePort
  selector:
    app.kubernetes.io/name: cart
  ports:
    - port: 80
      nodePort: 30080
`)
	peersExpect(t, rep, "node-port-service", 1, "Service cart of type NodePort")
}

// Sensitive hostPath mounts: kube-linter's sensitive-host-mounts and docker-sock, Polaris's
// hostPathSet (which flags every hostPath; akscheck flags the sensitive ones and leaves the
// rest to the baseline Pod Security Standard).
func TestPeersSensitiveHostMounts(t *testing.T) {
	t.Parallel()
	for path, gives := range map[string]string{
		"/var/run/docker.sock":            "Docker socket",
		"/run/containerd/containerd.sock": "containerd socket",
		"/etc":                            "configuration",
		"/var/lib/kubelet":                "kubelet",
		"/":                               "root filesystem",
	} {
		rep := scan(t, peersDeployment+`          volumeMounts:
            - name: host
              mountPath: /host
      volumes:
        - name: host
          hostPath:
            path: `+path+"\n")
		peersExpect(t, rep, "sensitive-host-mount", 1, `volume "host"`, "mounts "+path+" ", gives)
		if f := findingsOf(rep, "sensitive-host-mount"); f[0].Severity != check.High {
			t.Errorf("%s: severity %s, want high", path, f[0].Severity)
		}
	}
	rep := scan(t, peersDeployment+`      volumes:
        - name: logs
          hostPath:
            path: /var/log
`)
	peersExpect(t, rep, "sensitive-host-mount", 0)
}

// run-as-root on a non-zero runAsUser without runAsNonRoot: kube-score and Polaris accept the
// UID alone. akscheck keeps failing it on purpose (the restricted Pod Security Standard asks
// for runAsNonRoot: true, and PodSecurity admission rejects the pod without it), and the
// message says exactly what is missing.
func TestPeersRunAsNonZeroUserWithoutRunAsNonRoot(t *testing.T) {
	t.Parallel()
	rep := scan(t, strings.Replace(peersDeployment, "    spec:\n      containers:",
		"    spec:\n      securityContext:\n        runAsUser: 10001\n      containers:", 1))
	peersExpect(t, rep, "run-as-root", 1, `container "cart"`, "sets runAsUser 10001 but not runAsNonRoot: true",
		"restricted Pod Security Standard")
}
