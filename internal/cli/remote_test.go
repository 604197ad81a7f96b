package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestScanRefusesRemoteKustomizeResources: scan sends no request for a kustomization's URL
// unless --allow-remote.
func TestScanRefusesRemoteKustomizeResources(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		_, _ = w.Write([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: kube-system}\n"))
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte("resources:\n- "+srv.URL+"/cm.yaml\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "", "scan", "-o", "json", dir)
	if code != ExitUsage || requests.Load() != 0 || !strings.Contains(stderr, "kustomization.yaml:2: remote resource") || !strings.Contains(stderr, "--allow-remote") {
		t.Errorf("without --allow-remote: exit %d, %d request(s), stderr %s", code, requests.Load(), stderr)
	}
	code, _, stderr = run(t, "", "scan", "-o", "json", "--allow-remote", dir)
	if code != ExitOK || requests.Load() == 0 {
		t.Errorf("with --allow-remote: exit %d, %d request(s), stderr %s", code, requests.Load(), stderr)
	}
}

// TestScanMaxTotalSize: --max-total-size stops reading and says so; a size of 0 or less is a
// usage error.
func TestScanMaxTotalSize(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: kube-system}\n"
	for _, n := range []string{"a.yaml", "b.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(cm), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr := run(t, "", "scan", "-o", "json", "--max-total-size", "100", dir)
	if code != ExitPartial || !strings.Contains(stderr, "b.yaml: not scanned: with it the inputs pass the 100-byte total limit") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
	if code, _, _ := run(t, "", "scan", "--max-total-size", "0", dir); code != ExitUsage {
		t.Errorf("--max-total-size 0: exit %d", code)
	}
}
