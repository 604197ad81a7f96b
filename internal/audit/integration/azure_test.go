//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/akscheck/akscheck/internal/cli"
	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil/kubetest"
)

// serveCLI runs akscheck serve with args as main runs it (cli.Execute), its Azure requests
// going to the replay server, until the test ends; it returns the base URL of --listen and
// the logs.
func serveCLI(t *testing.T, srv *azuretest.Server, args ...string) (base string, logs *syncBuffer) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	kc := api.Kubeconfig(t, map[string]string{"kubetest": kubetest.AdminToken}, "kubetest")
	args = append(args, "--kubeconfig", kc, "--database", filepath.Join(t.TempDir(), "h.db"), "--listen", addr, "--probe-addr", "")
	logs = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- cli.Execute(ctx, args, cli.IO{In: strings.NewReader(""), Out: io.Discard, ErrOut: logs,
			Azure: &azure.Options{Credential: azuretest.Credential{}, ClientOptions: srv.ClientOptions()}})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != cli.ExitOK {
				t.Errorf("serve exited %d:\n%s", code, logs)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	return "http://" + addr, logs
}

// latestReport polls /api/v1/reports/latest until cond holds for it.
func latestReport(t *testing.T, base string, logs *syncBuffer, what string, cond func(report.Report) bool) report.Report {
	t.Helper()
	var rep report.Report
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/api/v1/reports/latest") //nolint:noctx // a loopback test server
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && json.Unmarshal(body, &rep) == nil && cond(rep) {
				return rep
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 60s; latest errors %+v; logs:\n%s", what, rep.Errors, logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func itemStatus(rep report.Report, id string) (string, string) {
	for _, it := range rep.Items {
		if it.ID == id {
			return it.Status, it.Reason
		}
	}
	return "", ""
}

// TestServeAuditAzure: serve --audit --azure --aks-resource-id, wired as the CLI wires it,
// against the real kube-apiserver and the ARM replay server: the API's report judges the
// AKS resource beside the cluster's objects, and the metrics say the Azure pass succeeded.
func TestServeAuditAzure(t *testing.T) {
	srv := azuretest.NewServer()
	defer srv.Close()
	base, logs := serveCLI(t, srv, "serve", "--audit", "--azure", "--aks-resource-id", azuretest.ClusterID, "--azure-interval", "1h", "--ready-after", "10s")
	rep := latestReport(t, base, logs, "an audit with the AKS resource", func(r report.Report) bool { return len(r.Items) > 0 })
	if st, why := itemStatus(rep, "cluster.private-cluster"); st != report.StatusFail {
		t.Errorf("cluster.private-cluster is %s (%s), want fail from the replayed AKS resource", st, why)
	}
	for _, e := range rep.Errors {
		if strings.Contains(e.Source, "azure") || strings.Contains(e.Source, "/subscriptions/") {
			t.Errorf("Azure error: %s: %s", e.Source, e.Message)
		}
	}
	kinds := map[string]int{}
	for _, in := range rep.Inputs {
		kinds[in.Kind]++
	}
	if kinds["cluster"] != 1 || kinds["arm"] == 0 {
		t.Errorf("inputs %+v: want the cluster's cache and the ARM resources", rep.Inputs)
	}
	_, metrics := get(t, base+"/metrics")
	if !strings.Contains(string(metrics), "akscheck_azure_pass_success 1") {
		t.Errorf("metrics:\n%s", grep(string(metrics), "akscheck_azure"))
	}
	if !strings.Contains(logs.String(), `"credential":"given by the caller"`) {
		t.Errorf("the log does not say which credential the pass uses:\n%s", logs)
	}
}

// TestServeAuditAzureFindsTheCluster: without --aks-resource-id, the audit finds the AKS
// resource from its Nodes (node resource group label, providerID), as in a pod where the API
// server is kubernetes.default.svc and no FQDN matches; a failing Azure leaves the audit
// running with an error entry.
func TestServeAuditAzureFindsTheCluster(t *testing.T) {
	ctx := t.Context()
	cs, err := kubernetes.NewForConfig(api.Config(kubetest.AdminToken))
	if err != nil {
		t.Fatal(err)
	}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "aks-system-12345678-vmss000000", Labels: map[string]string{
		"kubernetes.azure.com/agentpool": "system", "kubernetes.azure.com/mode": "system",
		"kubernetes.azure.com/cluster": azuretest.NodeResourceGroup, "kubernetes.io/os": "linux"}},
		Spec: corev1.NodeSpec{ProviderID: "azure:///subscriptions/" + azuretest.Subscription +
			"/resourceGroups/mc_rg-shop_aks-shop_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/aks-system-12345678-vmss/virtualMachines/0"}}
	if _, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Nodes().Delete(context.Background(), node.Name, metav1.DeleteOptions{}) })

	srv := azuretest.NewServer()
	defer srv.Close()
	base, logs := serveCLI(t, srv, "serve", "--audit", "--azure", "--ready-after", "10s")
	rep := latestReport(t, base, logs, "an audit with the AKS resource found by the Nodes", func(r report.Report) bool {
		st, _ := itemStatus(r, "cluster.private-cluster")
		return st == report.StatusFail
	})
	graph := false
	for _, r := range srv.Requests() {
		graph = graph || strings.Contains(r, "/providers/Microsoft.ResourceGraph/resources")
	}
	if !graph {
		t.Errorf("requests %v: want the cluster found through Resource Graph", srv.Requests())
	}
	for _, e := range rep.Errors {
		if strings.Contains(e.Message, "AKS resource") {
			t.Errorf("error: %s: %s", e.Source, e.Message)
		}
	}
}

// TestServeAuditAzureForbidden: an identity Azure refuses (403 on the cluster) does not stop
// the audit: the report judges the cluster's objects and says which items the Azure pass
// left not evaluated.
func TestServeAuditAzureForbidden(t *testing.T) {
	srv := azuretest.NewServer()
	defer srv.Close()
	srv.Fail(azuretest.ClusterID, http.StatusForbidden)
	base, logs := serveCLI(t, srv, "serve", "--audit", "--azure", "--aks-resource-id", azuretest.ClusterID, "--ready-after", "10s")
	rep := latestReport(t, base, logs, "an audit", func(r report.Report) bool { return len(r.Items) > 0 })
	msgs := ""
	for _, e := range rep.Errors {
		msgs += e.Source + ": " + e.Message + "\n"
	}
	if !strings.Contains(msgs, "forbidden") || !strings.Contains(msgs, "cluster.private-cluster") {
		t.Errorf("errors:\n%s", msgs)
	}
	if st, why := itemStatus(rep, "cluster.private-cluster"); st != report.StatusNotEvaluated || !strings.Contains(why, "Azure pass could not read") {
		t.Errorf("cluster.private-cluster: %s (%s)", st, why)
	}
	if st, _ := itemStatus(rep, "dev.security-context"); st == report.StatusNotEvaluated || st == "" {
		t.Errorf("the cluster's objects are not judged: dev.security-context %q", st)
	}
	_, metrics := get(t, base+"/metrics")
	if !strings.Contains(string(metrics), "akscheck_azure_pass_success 0") {
		t.Errorf("metrics:\n%s", grep(string(metrics), "akscheck_azure"))
	}
}
