package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServeUsageErrors(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{
		"no --webhook":           {"serve"},
		"audit without cluster":  {"serve", "--audit", "--no-cluster"},
		"audit, no resync":       {"serve", "--audit", "--resync", "0s", "--kubeconfig", "/nonexistent/kubeconfig"},
		"audit, no reports kept": {"serve", "--audit", "--report-retention", "0s", "--kubeconfig", "/nonexistent/kubeconfig"},
		"events without audit":   {"serve", "--webhook", "--events", "--no-cluster", "--tls-self-signed", t.TempDir()},
		"no certificate":         {"serve", "--webhook", "--no-cluster"},
		"both TLS sources":       {"serve", "--webhook", "--no-cluster", "--tls-self-signed", t.TempDir(), "--tls-cert-file", "a", "--tls-key-file", "b"},
		"bad failure policy":     {"serve", "--webhook", "--no-cluster", "--tls-self-signed", t.TempDir(), "--failure-policy", "Maybe"},
		"bad log level":          {"serve", "--webhook", "--no-cluster", "--tls-self-signed", t.TempDir(), "--log-level", "loud"},
		"missing certificate":    {"serve", "--webhook", "--no-cluster", "--tls-cert-file", "/nonexistent/tls.crt", "--tls-key-file", "/nonexistent/tls.key"},
		"unreadable kubeconfig":  {"serve", "--webhook", "--tls-self-signed", t.TempDir(), "--kubeconfig", "/nonexistent/kubeconfig"},
		"cluster name, no audit": {"serve", "--webhook", "--no-cluster", "--tls-self-signed", t.TempDir(), "--cluster-name", "prod"},
		"bad cluster name":       {"serve", "--audit", "--kubeconfig", badDatabaseKubeconfig(t), "--cluster-name", "a\x1bb"},
	} {
		code, _, stderr := run(t, "", args...)
		if code != ExitUsage || !strings.Contains(stderr, "akscheck: ") {
			t.Errorf("%s: exit %d, stderr %q", name, code, stderr)
		}
	}
}

// badDatabaseKubeconfig is a kubeconfig of a cluster nobody serves: the audit opens its
// database before it reads the cluster.
func badDatabaseKubeconfig(t *testing.T) string {
	t.Helper()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`), 0o600); err != nil {
		t.Fatal(err)
	}
	return kubeconfig
}

// serveUntilLogged runs akscheck serve with args until its logs hold want, then stops it
// and returns the logs.
func serveUntilLogged(t *testing.T, want string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, append(args, "--listen", "127.0.0.1:0", "--probe-addr", ""),
			IO{In: strings.NewReader(""), Out: io.Discard, ErrOut: logs}, testNow)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), want) {
		select {
		case code := <-done:
			t.Fatalf("serve stopped (exit %d) before logging %q:\n%s", code, want, logs)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the logs:\n%s", want, logs)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Errorf("exit %d after cancel; logs:\n%s", code, logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	return logs.String()
}

// TestServeAuditBadDatabase: a database that cannot be opened does not stop the audit: the
// server starts, logs why (naming the file and what to do) and retries it.
func TestServeAuditBadDatabase(t *testing.T) {
	t.Parallel()
	kubeconfig := badDatabaseKubeconfig(t)
	logs := serveUntilLogged(t, "history database unavailable; retrying", "serve", "--audit", "--kubeconfig", kubeconfig, "--database", "/nonexistent/dir/h.db")
	if !strings.Contains(logs, "/nonexistent/dir/h.db") || !strings.Contains(logs, "directory must exist") {
		t.Errorf("logs: %s", logs)
	}
}

// deadDatabaseURL is a PostgreSQL URL with a password, to a loopback port nobody listens on.
func deadDatabaseURL(t *testing.T) (url, hostPort, password string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hostPort = l.Addr().String()
	l.Close()
	password = "Pg-Secr3t-do-not-print"
	return "postgres://akscheck:" + password + "@" + hostPort + "/akscheck?sslmode=disable", hostPort, password
}

// TestServeAuditDatabaseURL: --database-url opens PostgreSQL; one that cannot be reached
// is logged (and retried) with host:port and never the password;
// --database and --database-url together are a usage error.
func TestServeAuditDatabaseURL(t *testing.T) {
	t.Parallel()
	kubeconfig := badDatabaseKubeconfig(t)
	url, hostPort, password := deadDatabaseURL(t)
	logs := serveUntilLogged(t, "history database unavailable; retrying", "serve", "--audit", "--kubeconfig", kubeconfig, "--database-url", url)
	if !strings.Contains(logs, hostPort) || strings.Contains(logs, password) {
		t.Errorf("a dead PostgreSQL: logs %q", logs)
	}
	code, _, stderr := run(t, "", "serve", "--audit", "--kubeconfig", kubeconfig, "--database", "h.db", "--database-url", url)
	if code != ExitUsage || !strings.Contains(stderr, "give one") || strings.Contains(stderr, password) {
		t.Errorf("both databases: exit %d, stderr %q", code, stderr)
	}
}

// TestServeAuditDatabaseURLFromEnv: $AKSCHECK_DATABASE_URL (from a Secret) stands for
// --database-url. Not parallel: it sets the environment.
func TestServeAuditDatabaseURLFromEnv(t *testing.T) {
	kubeconfig := badDatabaseKubeconfig(t)
	url, hostPort, password := deadDatabaseURL(t)
	t.Setenv("AKSCHECK_DATABASE_URL", url)
	logs := serveUntilLogged(t, "history database unavailable; retrying", "serve", "--audit", "--kubeconfig", kubeconfig)
	if !strings.Contains(logs, hostPort) || strings.Contains(logs, password) {
		t.Errorf("logs %q", logs)
	}
}

// syncBuffer is a buffer the server's logger and the test read at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeWebhook runs akscheck serve --webhook as the CLI starts it, with the config file's
// admission section, and asks it for a review over HTTPS.
func TestServeWebhook(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".akscheck.yaml")
	if err := os.WriteFile(cfg, []byte("admission:\n  checks: {privileged-container: warn}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(t.Context())
	logs := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, []string{"serve", "--webhook", "--config", cfg, "--no-cluster", "--tls-self-signed", filepath.Join(dir, "certs"),
			"--addr", addr, "--probe-addr", ""}, IO{In: strings.NewReader(""), Out: io.Discard, ErrOut: logs}, testNow)
	}()
	var client *http.Client
	body := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","kind":{"group":"apps","version":"v1","kind":"Deployment"},
"namespace":"shop","operation":"CREATE","object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
"spec":{"template":{"spec":{"containers":[{"name":"app","image":"x","securityContext":{"privileged":true,"allowPrivilegeEscalation":false,"runAsNonRoot":true}}]}}}}}}`
	var answer string
	deadline := time.Now().Add(20 * time.Second)
	for answer == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no answer; logs:\n%s", logs)
		}
		time.Sleep(50 * time.Millisecond)
		if client == nil {
			pem, err := os.ReadFile(filepath.Join(dir, "certs", "ca.crt"))
			if err != nil {
				continue
			}
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM(pem)
			client = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		}
		resp, err := client.Post("https://"+addr+"/validate", "application/json", strings.NewReader(body))
		if err != nil {
			continue
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answer = fmt.Sprintf("%d %s", resp.StatusCode, data)
	}
	// The config's admission section made privileged-container a warning.
	if !strings.HasPrefix(answer, "200 ") || !strings.Contains(answer, `"akscheck: [privileged-container] dev.security-context (critical)`) ||
		strings.Contains(answer, `- [privileged-container]`) {
		t.Errorf("answer: %s", answer)
	}
	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Errorf("exit %d after cancel; logs:\n%s", code, logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(logs.String(), `"msg":"serving admission reviews"`) {
		t.Errorf("logs:\n%s", logs)
	}
}

// TestServeAuditClusterName: the audit's cluster in its history is --cluster-name, else
// --aks-resource-id (lowercased), else the kube context's name; the log of the start says
// which.
func TestServeAuditClusterName(t *testing.T) {
	t.Parallel()
	kubeconfig := badDatabaseKubeconfig(t)
	const id = "/subscriptions/0000/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/Prod"
	for want, extra := range map[string][]string{"prod-weu": {"--cluster-name", "prod-weu"}, "c": nil,
		strings.ToLower(id): {"--azure", "--aks-resource-id", id}} {
		logs := serveUntilLogged(t, `"msg":"auditing the cluster"`, append([]string{"serve", "--audit", "--kubeconfig", kubeconfig,
			"--database", filepath.Join(t.TempDir(), "h.db")}, extra...)...)
		if !strings.Contains(logs, `"cluster":"`+want+`"`) {
			t.Errorf("%v: logs %s, want cluster %q", extra, logs, want)
		}
	}
}
