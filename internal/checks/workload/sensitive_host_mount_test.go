package workload

import "testing"

func TestSensitiveHostPath(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]bool{
		"/": true, "/etc": true, "/etc/": true, "/etc/kubernetes/azure.json": true, "/var/lib/kubelet": true,
		"/var/lib/kubelet/pods": true, "/var/run/docker.sock": true, "/run/containerd/containerd.sock": true,
		"/var/run": true, "/proc": true, "/sys": true, "/root/.ssh": true, "/var/lib/containerd": true,
		"/var/log": false, "/var/log/pods": false, "/etc/ssl/certs": false, "/sys/fs/cgroup": false,
		"/var/lib/kubelet-plugins": false, "/data/cache": false, "relative": false, "/var/run/secrets-store": false,
	} {
		if got := sensitiveHostPath(p) != ""; got != want {
			t.Errorf("sensitiveHostPath(%q) sensitive = %v, want %v", p, got, want)
		}
	}
}
