package workload

import (
	"context"
	"path"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// sensitiveHostPaths are the node paths a pod must not mount, with what they give it. A path
// ending in "/" covers everything under it as well; the others match only themselves (the
// root of the filesystem or /etc, not a log directory under /var).
var sensitiveHostPaths = []struct{ path, gives string }{
	{"/var/run/docker.sock", "the Docker socket: control of every container of the node"},
	{"/run/docker.sock", "the Docker socket: control of every container of the node"},
	{"/var/run/containerd/", "the containerd socket: control of every container of the node"},
	{"/run/containerd/", "the containerd socket: control of every container of the node"},
	{"/var/run/crio/", "the CRI-O socket: control of every container of the node"},
	{"/run/crio/", "the CRI-O socket: control of every container of the node"},
	{"/var/run", "the node's runtime sockets, the container runtime's among them"},
	{"/run", "the node's runtime sockets, the container runtime's among them"},
	{"/var/lib/kubelet/", "the kubelet's credentials and every pod's volumes and Secrets"},
	{"/etc/kubernetes/", "the node's Kubernetes configuration and credentials"},
	{"/var/lib/docker/", "the container runtime's images and container filesystems"},
	{"/var/lib/containerd/", "the container runtime's images and container filesystems"},
	{"/", "the node's root filesystem"},
	{"/etc", "the node's configuration, passwords and credentials"},
	{"/root/", "the node's root home directory"},
	{"/proc", "every process of the node"},
	{"/sys", "the node's kernel settings and devices"},
	{"/boot", "the node's kernel and boot loader"},
	{"/dev", "the node's devices"},
	{"/var/lib", "the state of the node's services, the kubelet's and container runtime's among them"},
	{"/var", "the state of the node's services, the kubelet's and container runtime's among them"},
	{"/usr", "the node's programs"},
	{"/lib", "the node's libraries"},
	{"/bin", "the node's programs"},
	{"/sbin", "the node's programs"},
}

// sensitiveHostPath says what a hostPath gives a pod when it is sensitive, or "".
func sensitiveHostPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		return ""
	}
	p = path.Clean(p)
	for _, s := range sensitiveHostPaths {
		tree := s.path != "/" && strings.HasSuffix(s.path, "/")
		if p == s.path || (tree && (p == strings.TrimSuffix(s.path, "/") || strings.HasPrefix(p, s.path))) {
			return s.gives
		}
	}
	return ""
}

// SensitiveHostMount finds pods that mount the node's sensitive paths.
var SensitiveHostMount = check.New(check.Meta{
	ID:       "sensitive-host-mount",
	Item:     "dev.security-context",
	Title:    "Pods do not mount sensitive paths of the node",
	Severity: check.High,
	Description: "A hostPath volume of the node's root filesystem, /etc, /proc, /sys, /boot, /dev, /usr, /var, /var/lib, " +
		"/var/run or /run, or anything under /var/lib/kubelet, /etc/kubernetes, /root, the container runtime's " +
		"state (/var/lib/docker, /var/lib/containerd) and sockets (/var/run/docker.sock, containerd, CRI-O). " +
		"The container runtime's socket hands over every container of the node, read-only or not; the " +
		"kubelet's directory holds every pod's Secrets and the node's credentials; the others let the pod " +
		"read or change the node itself. Other hostPath volumes (a collector's /var/log) are not flagged: the " +
		"baseline Pod Security Standard forbids every hostPath, so enforce it in namespaces whose pods need none.",
	Remediation: "Remove the hostPath volume; use a PersistentVolumeClaim, a ConfigMap, a Secret (from Key Vault) or an emptyDir for the data, and an agent of the platform (Defender, Container Insights) instead of mounting the runtime or the node.",
	Example: `spec:
  containers:
    - name: agent
      image: contoso.azurecr.io/ci/agent:3.2.0
      volumeMounts:
        - name: work
          mountPath: /work
  volumes:
    - name: work
      emptyDir: {}   # not hostPath /var/run/docker.sock: build images with ACR Tasks or BuildKit rootless`,
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for i, v := range w.Spec().Volumes {
		if v.HostPath == nil {
			continue
		}
		if gives := sensitiveHostPath(v.HostPath.Path); gives != "" {
			r.Failf(w.SpecPath()+".volumes["+itoa(i)+"].hostPath.path", "", "volume %q of %s mounts %s from the node: %s",
				v.Name, kindNoun(w), v.HostPath.Path, gives)
		}
	}
})
