package cli

import (
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/akscheck/akscheck/internal/admit"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/serve"
)

type serveFlags struct {
	webhook           bool
	addr, probeAddr   string
	certFile, keyFile string
	selfSignedDir     string
	sans              []string
	timeout           time.Duration
	readyAfter        time.Duration
	failurePolicy     string
	kubeconfig, ctx   string
	noCluster         bool
	resync            time.Duration
	namespace         string
	logLevel          string
}

func (a *app) serveCommand() *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve --webhook",
		Short: "Run the validating admission webhook: the scan's checks, at the door",
		Long: `serve --webhook runs an HTTPS server that answers the API server's validating admission
requests (POST /validate, admission.k8s.io/v1) with the checks, settings and policy of
akscheck scan and the same config file. Each finding is denied, warned about or let
through as the config's admission section says (default: deny at high and above, warn
below). The checks that read other objects (network policies, PDBs, quotas) read them
from a cache of the cluster; while a kind is not cached they are warned about as not
evaluated, never passed. /healthz, /readyz and /metrics (Prometheus) are served too.

Install it with the Helm chart in charts/akscheck (docs/admission.md).`,
		Example: `  akscheck serve --webhook --tls-cert-file /tls/tls.crt --tls-key-file /tls/tls.key
  akscheck serve --webhook --tls-self-signed ./certs --kubeconfig ~/.kube/config   # try it locally`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runServe(cmd, f) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.webhook, "webhook", false, "serve the validating admission webhook (required)")
	fl.StringVar(&f.addr, "addr", ":8443", "HTTPS address of /validate, /healthz, /readyz and /metrics")
	fl.StringVar(&f.probeAddr, "probe-addr", ":8080", `plain-HTTP address of /healthz, /readyz and /metrics ("" turns it off)`)
	fl.StringVar(&f.certFile, "tls-cert-file", "", "serving certificate (PEM), read again when it changes (cert-manager renewals)")
	fl.StringVar(&f.keyFile, "tls-key-file", "", "its private key (PEM)")
	fl.StringVar(&f.selfSignedDir, "tls-self-signed", "", "write a CA (ca.crt, the webhook configuration's caBundle) and a certificate it signs (tls.crt, tls.key) to DIR and serve with them")
	fl.StringSliceVar(&f.sans, "tls-san", []string{"localhost", "127.0.0.1"}, "DNS names and IP addresses of the self-signed certificate")
	fl.DurationVar(&f.timeout, "timeout", 3*time.Second, "budget of one answer; keep it below the webhook configuration's timeoutSeconds")
	fl.StringVar(&f.failurePolicy, "failure-policy", serve.Ignore, "answer when a review fails or runs out of time: Ignore (admit, with a warning) or Fail (deny); set it as the webhook configuration's failurePolicy")
	fl.DurationVar(&f.readyAfter, "ready-after", 30*time.Second, "report ready after this long even if the cluster cache has not synced")
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig of the cluster to cache (default: the pod's service account in a cluster, else $KUBECONFIG or ~/.kube/config)")
	fl.StringVar(&f.ctx, "context", "", "kube context (default: the current one)")
	fl.BoolVar(&f.noCluster, "no-cluster", false, "read no cluster: the checks that need other objects are warned about as not evaluated")
	fl.DurationVar(&f.resync, "resync", 0, "resync period of the cluster cache (0: the watch alone keeps it current)")
	fl.StringVar(&f.namespace, "namespace", os.Getenv("POD_NAMESPACE"), "the webhook's own namespace, never reviewed (default: $POD_NAMESPACE)")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level of the JSON logs on standard error: debug, info, warn or error")
	return cmd
}

func (a *app) runServe(cmd *cobra.Command, f *serveFlags) error {
	if !f.webhook {
		return usageErr("serve needs --webhook")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return usageErr("--log-level %q: want debug, info, warn or error", f.logLevel)
	}
	log := slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
	switch {
	case f.selfSignedDir != "" && (f.certFile != "" || f.keyFile != ""):
		return usageErr("--tls-self-signed writes its own certificate: leave out --tls-cert-file and --tls-key-file")
	case f.selfSignedDir == "" && (f.certFile == "" || f.keyFile == ""):
		return usageErr("serve needs --tls-cert-file and --tls-key-file (or --tls-self-signed DIR)")
	case f.failurePolicy != serve.Ignore && f.failurePolicy != serve.Fail:
		return usageErr("--failure-policy %q: want %s or %s", f.failurePolicy, serve.Ignore, serve.Fail)
	}
	resolved := a.resolved
	reviewer := &admit.Reviewer{
		Scan: scan.Request{Catalog: resolved.Catalog, Checks: resolved.Checks, Settings: resolved.Settings,
			Policy: resolved.Policy, Version: Version()},
		Enforce: resolved.Admission, OwnNamespace: f.namespace,
	}
	ctx := cmd.Context()
	var state serve.CacheState
	var cache *live.Cache
	if !f.noCluster {
		targets, err := live.Targets(f.kubeconfig, f.ctx, false)
		if err != nil {
			return usageErr("%v (or run with --no-cluster)", err)
		}
		if cache, err = live.NewCache(targets[0].Config, admit.CacheKinds(resolved.Checks), f.resync); err != nil {
			return usageErr("%v", err)
		}
		reviewer.Cluster, state = cache, cache
		log.Info("caching the cluster's objects", "server", targets[0].Config.Host, "context", targets[0].Context)
	}
	if f.selfSignedDir != "" {
		ca, cert, key, err := serve.SelfSigned(f.selfSignedDir, f.sans, 365*24*time.Hour)
		if err != nil {
			return usageErr("--tls-self-signed %s: %v", f.selfSignedDir, err)
		}
		log.Info("self-signed certificate written; use the CA as the webhook configuration's caBundle", "ca", ca, "hosts", f.sans)
		f.certFile, f.keyFile = cert, key
	}
	srv, err := serve.New(reviewer, state, serve.Options{Addr: f.addr, ProbeAddr: f.probeAddr, CertFile: f.certFile,
		KeyFile: f.keyFile, Timeout: f.timeout, FailurePolicy: f.failurePolicy, ReadyAfter: f.readyAfter, Log: log})
	if err != nil {
		return usageErr("%v", err)
	}
	if cache != nil {
		go cache.Run(ctx)
	}
	if err := srv.Run(ctx); err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	return nil
}
