package parity

import (
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// Spreading that spreads nothing: a topology spread constraint or pod anti-affinity term on
// hostname or zone counts only when its selector picks the workload's own pods in its own
// namespace (peers accept any such term).
func TestSpreadRulesMustSelectTheWorkloadsOwnPods(t *testing.T) {
	t.Parallel()
	const spreadPath = "spec.template.spec.topologySpreadConstraints[0]"
	const antiPath = "spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm"
	fails := []struct {
		name, spec, path, message string
	}{
		{"spread without labelSelector", `      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway`,
			spreadPath, "the topology spread constraint on topology.kubernetes.io/zone has no labelSelector, so it spreads nothing"},
		{"spread with matchLabelKeys only", `      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          matchLabelKeys: [app.kubernetes.io/name]`,
			spreadPath, "has no labelSelector, so it spreads nothing (matchLabelKeys only narrow a labelSelector"},
		{"spread selecting other pods", `      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: DoNotSchedule
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: orders`,
			spreadPath + ".labelSelector", "selects app.kubernetes.io/name=orders, not the workload's own pods (app.kubernetes.io/name=web), so it does not spread them"},
		{"anti-affinity selecting other pods", `      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    app.kubernetes.io/name: orders-db`,
			antiPath + ".labelSelector", "the pod anti-affinity on kubernetes.io/hostname selects app.kubernetes.io/name=orders-db, not the workload's own pods"},
		{"anti-affinity in another namespace", `      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                namespaces: [staging]
                labelSelector:
                  matchLabels:
                    app.kubernetes.io/name: web`,
			antiPath + ".namespaces", `applies to pods in "staging", not in the workload's namespace shop`},
	}
	for _, tc := range fails {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := scanAs(t, subject.InputManifest, spreadDeployment(tc.spec))
			spreadWant(t, rep, "pod-spread", tc.path, tc.message)
		})
	}
	// Deliberate: a namespaceSelector {} selects every namespace, the workload's own
	// included, so the term does keep its pods apart.
	t.Run("anti-affinity across all namespaces", func(t *testing.T) {
		t.Parallel()
		rep := scanAs(t, subject.InputManifest, spreadDeployment(`      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                namespaceSelector: {}
                labelSelector:
                  matchLabels:
                    app.kubernetes.io/name: web`))
		spreadNone(t, rep, "pod-spread")
	})
}

// HostProcess without a Windows node selector: hostProcess: true (here on the container only)
// makes the pod a Windows pod, so the Windows checks judge it.
func TestHostProcessIsAWindowsPod(t *testing.T) {
	t.Parallel()
	daemonSet := func(nodeSelector string) string {
		return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: kube-system
spec:
  selector:
    matchLabels:
      app: node-agent
  template:
    metadata:
      labels:
        app: node-agent
    spec:
      hostNetwork: true
` + nodeSelector + `      containers:
        - name: agent
          image: contoso.azurecr.io/platform/node-agent:1.2.0
          securityContext:
            windowsOptions:
              hostProcess: true
              runAsUserName: "NT AUTHORITY\\SYSTEM"
`
	}
	t.Run("no node selector", func(t *testing.T) {
		t.Parallel()
		rep := scanAs(t, subject.InputManifest, daemonSet(""))
		spreadWant(t, rep, "windows-build-selector", "spec.template.spec.nodeSelector",
			"runs HostProcess containers but does not select Windows nodes (kubernetes.io/os: windows)")
		f := spreadWant(t, rep, "windows-host-process", "spec.template.spec.containers[0].securityContext.windowsOptions.hostProcess",
			`Windows container "agent" of DaemonSet node-agent is a HostProcess container`)
		if f.Container != "agent" {
			t.Errorf("windows-host-process: container %q, want agent", f.Container)
		}
	})
	// Deliberate: HostProcess containers are not bound to the host's Windows build, so a
	// HostProcess pod that selects Windows nodes needs no node.kubernetes.io/windows-build.
	t.Run("Windows node selector", func(t *testing.T) {
		t.Parallel()
		rep := scanAs(t, subject.InputManifest, daemonSet("      nodeSelector:\n        kubernetes.io/os: windows\n"))
		spreadNone(t, rep, "windows-build-selector")
		spreadWant(t, rep, "windows-host-process", "spec.template.spec.containers[0].securityContext.windowsOptions.hostProcess", "is a HostProcess container")
	})
}

// Ephemeral containers: the security checks see a Pod's spec.ephemeralContainers (as a live
// scan reads the Pod after kubectl debug); the resource and probe checks deliberately do not,
// since the API forbids ephemeral containers resources and probes.
func TestEphemeralContainersAreChecked(t *testing.T) {
	t.Parallel()
	rep := scanAs(t, subject.InputCluster, `apiVersion: v1
kind: Pod
metadata:
  name: web-7d4b9c6f8d-x2kqp
  namespace: shop
  uid: 6f1d2a4e-3b7c-4e8a-9d21-5c0f7a9b1e34
  labels:
    app.kubernetes.io/name: web
  ownerReferences:
    - apiVersion: apps/v1
      kind: ReplicaSet
      name: web-7d4b9c6f8d
      uid: 0b9e8d7c-6a5f-4e3d-2c1b-0a9f8e7d6c5b
      controller: true
spec:
  containers:
    - name: web
      image: contoso.azurecr.io/shop/web:1.4.2
      resources:
        requests: {cpu: 250m, memory: 256Mi}
        limits: {cpu: 500m, memory: 256Mi}
      livenessProbe:
        httpGet: {path: /healthz, port: 8080}
      readinessProbe:
        httpGet: {path: /ready, port: 8080}
  ephemeralContainers:
    - name: debugger-h7xkq
      image: contoso.azurecr.io/tools/busybox:1.36.1
      targetContainerName: web
      securityContext:
        privileged: true
status:
  phase: Running
`)
	f := spreadWant(t, rep, "privileged-container", "spec.ephemeralContainers[0].securityContext.privileged", `container "debugger-h7xkq" of Pod web-7d4b9c6f8d-x2kqp`)
	if f.Container != "debugger-h7xkq" {
		t.Errorf("privileged-container: container %q, want debugger-h7xkq", f.Container)
	}
	for _, id := range []string{"requests-limits", "cpu-limits", "memory-limits", "liveness-probe", "readiness-probe"} {
		spreadNone(t, rep, id)
	}
}
