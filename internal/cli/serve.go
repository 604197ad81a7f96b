package cli

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"

	"github.com/akscheck/akscheck/internal/admit"
	"github.com/akscheck/akscheck/internal/audit"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/serve"
)

type serveFlags struct {
	webhook, audit    bool
	events            bool
	database          string
	databaseURL       string
	clusterName       string
	listen            string
	retention         time.Duration
	reportRetention   time.Duration
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
	azure             serveAzureFlags
}

func (a *app) serveCommand() *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve --webhook | --audit",
		Short: "Run the validating admission webhook and/or the in-cluster audit with history",
		Long: `serve --webhook runs an HTTPS server that answers the API server's validating admission
requests (POST /validate, admission.k8s.io/v1) with the checks, settings and policy of
akscheck scan and the same config file. Each finding is denied, warned about or let
through as the config's admission section says (default: deny at high and above, warn
below). The checks that read other objects (network policies, PDBs, quotas) read them
from a cache of the cluster; while a kind is not cached they are warned about as not
evaluated, never passed. /healthz, /readyz and /metrics (Prometheus) are served too.

Install it with the Helm chart in charts/akscheck (docs/admission.md).

serve --audit judges the whole cluster, from the same cache, with the same checks: once
the cache has synced and every --resync; after changes, only what they may affect (2 s
after a change in a namespace, 30 s after a cluster-wide one; docs/audit.md). Each report
is stored in an SQLite database (--database) or in PostgreSQL (--database-url, or
$AKSCHECK_DATABASE_URL from a Secret; audits older than --retention are deleted,
the first-seen time of open findings is kept). On --listen (plain HTTP) it serves
GET /api/v1/reports/latest (the JSON report contract), /api/v1/reports?since=RFC3339&limit=N,
/api/v1/findings?new-since=RFC3339 or ?fixed-since=RFC3339, a dashboard at / (the
scorecard, the score over time, the findings new and fixed since ?since=24h), and /healthz, /readyz and
/metrics (akscheck_score, akscheck_item_status, akscheck_findings, ...). Several clusters'
audits may share one database, each under its --cluster-name: /fleet and /api/v1/fleet rank
them by score. Both flags may be given: one process, one cache, one metrics registry
(docs/audit.md).

serve --audit --azure also reads the AKS resource through Azure Resource Manager every
--azure-interval (workload identity in a pod; --aks-resource-id, or found by the Nodes'
node resource group) and judges it with each audit; without --azure the items that need
it are not evaluated, and their reasons say so.`,
		Example: `  akscheck serve --webhook --tls-cert-file /tls/tls.crt --tls-key-file /tls/tls.key
  akscheck serve --webhook --tls-self-signed ./certs --kubeconfig ~/.kube/config   # try it locally
  akscheck serve --audit --database /data/akscheck-history.db --listen :8090
  akscheck serve --audit --azure --aks-resource-id /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/NAME`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runServe(cmd, f) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.webhook, "webhook", false, "serve the validating admission webhook")
	fl.BoolVar(&f.audit, "audit", false, "audit the whole cluster continuously, keep the history and serve it on --listen")
	fl.BoolVar(&f.events, "events", false, fmt.Sprintf("with --audit: publish each finding an audit sees first as a Warning Event (reason %s) on its object, at most %d an audit", audit.EventReason, audit.DefaultMaxEvents))
	fl.StringVar(&f.database, "database", "./akscheck-history.db", "the audit's history: an SQLite file (in a cluster, on a PersistentVolume)")
	// Not defaulted from the environment here: --help would print the password.
	fl.StringVar(&f.databaseURL, "database-url", "", "the audit's history in PostgreSQL instead: postgres://user:password@host:port/database (default: $AKSCHECK_DATABASE_URL, which keeps the password out of the pod's arguments)")
	fl.DurationVar(&f.retention, "retention", audit.DefaultRetention, "how long the audit keeps its reports (its own cluster's, in a shared history)")
	fl.DurationVar(&f.reportRetention, "report-retention", audit.DefaultReportRetention, "how long the audit keeps every audit's whole report; after that, the last of each UTC day (scores, items and findings stay for --retention)")
	fl.StringVar(&f.clusterName, "cluster-name", "", "the cluster's identity in the history, which several clusters' audits may share (default: --aks-resource-id when given, else the kube context's name; give a unique name when they share it)")
	fl.StringVar(&f.listen, "listen", ":8090", "plain-HTTP address of the audit's /api/v1/..., /healthz, /readyz and /metrics")
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
	fl.DurationVar(&f.resync, "resync", audit.DefaultResync, "interval of the audit's full re-evaluation (the cache itself is kept current by its watch)")
	fl.StringVar(&f.namespace, "namespace", os.Getenv("POD_NAMESPACE"), "the webhook's own namespace, never reviewed (default: $POD_NAMESPACE)")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level of the JSON logs on standard error: debug, info, warn or error")
	f.azure.register(fl)
	return cmd
}

func (a *app) runServe(cmd *cobra.Command, f *serveFlags) error {
	if !f.webhook && !f.audit {
		return usageErr("serve needs --webhook, --audit or both")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return usageErr("--log-level %q: want debug, info, warn or error", f.logLevel)
	}
	log := slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
	if f.databaseURL == "" {
		f.databaseURL = os.Getenv("AKSCHECK_DATABASE_URL")
	}
	if err := f.azure.validate(cmd.Flags(), f.audit); err != nil {
		return err
	}
	switch {
	case f.events && !f.audit:
		return usageErr("--events publishes the audit's findings: add --audit")
	case f.audit && f.noCluster:
		return usageErr("--audit reads the cluster: leave out --no-cluster")
	case f.audit && f.resync <= 0:
		return usageErr("--resync %s: want a positive interval", f.resync)
	case f.audit && f.retention <= 0:
		return usageErr("--retention %s: want a positive duration", f.retention)
	case f.audit && f.reportRetention <= 0:
		return usageErr("--report-retention %s: want a positive duration", f.reportRetention)
	case !f.audit && f.clusterName != "":
		return usageErr("--cluster-name names the audit's cluster in its history: add --audit")
	case f.audit && cmd.Flags().Changed("database") && f.databaseURL != "":
		return usageErr("--database and --database-url (or $AKSCHECK_DATABASE_URL) name two databases: give one")
	case !f.webhook:
	case f.selfSignedDir != "" && (f.certFile != "" || f.keyFile != ""):
		return usageErr("--tls-self-signed writes its own certificate: leave out --tls-cert-file and --tls-key-file")
	case f.selfSignedDir == "" && (f.certFile == "" || f.keyFile == ""):
		return usageErr("serve needs --tls-cert-file and --tls-key-file (or --tls-self-signed DIR)")
	case f.failurePolicy != serve.Ignore && f.failurePolicy != serve.Fail:
		return usageErr("--failure-policy %q: want %s or %s", f.failurePolicy, serve.Ignore, serve.Fail)
	}
	resolved := a.resolved
	req := scan.Request{Catalog: resolved.Catalog, Checks: resolved.Checks, Settings: resolved.Settings,
		Policy: resolved.Policy, Version: Version()}
	var reviewer *admit.Reviewer
	if f.webhook {
		reviewer = &admit.Reviewer{Scan: req, Enforce: resolved.Admission, OwnNamespace: f.namespace}
	}
	ctx := cmd.Context()
	var state serve.CacheState
	var cache *live.Cache
	var auditor *audit.Auditor
	if !f.noCluster {
		targets, err := live.Targets(f.kubeconfig, f.ctx, false)
		if err != nil {
			return usageErr("%v (or run with --no-cluster)", err)
		}
		var kinds []live.Kind
		if f.webhook {
			kinds = admit.CacheKinds(resolved.Checks)
		}
		if f.audit {
			kinds = unionKinds(kinds, audit.Kinds(resolved.Checks))
		}
		// The informers' own resync only replays the cache; the watch keeps it current.
		if cache, err = live.NewCache(targets[0].Config, kinds, 0, check.StatusReaders(resolved.Checks)); err != nil {
			return usageErr("%v", err)
		}
		state = cache
		if reviewer != nil {
			reviewer.Cluster = cache
		}
		log.Info("caching the cluster's objects", "server", targets[0].Config.Host, "context", targets[0].Context, "kinds", len(kinds))
		if f.audit {
			name, err := auditClusterName(f.clusterName, f.azure.resourceID, targets[0].Context)
			if err != nil {
				return usageErr("%v", err)
			}
			if name == live.InCluster {
				log.Warn("the audit's cluster is named in-cluster in its history: give --cluster-name (the chart's audit.clusterName) if several clusters share the database")
			}
			// Opened by the auditor, which retries it while it fails: a database unavailable
			// at the start or gone away does not stop the server (docs/audit.md).
			openStore := func(ctx context.Context) (*history.Store, error) {
				return history.Open(ctx, f.database, history.WithCluster(name))
			}
			database := f.database
			if f.databaseURL != "" {
				openStore = func(ctx context.Context) (*history.Store, error) {
					return history.OpenURL(ctx, f.databaseURL, history.WithCluster(name))
				}
				// Not the URL: its password stays out of the log.
				database = "PostgreSQL (--database-url)"
			}
			cfg := targets[0].Config
			var events *audit.Events
			if f.events {
				cs, err := kubernetes.NewForConfig(cfg)
				if err != nil {
					return usageErr("%v", err)
				}
				// In a pod the host name is the pod's name: the Events' reportingInstance.
				host, _ := os.Hostname()
				events = &audit.Events{Client: cs.EventsV1(), Instance: cmp.Or(host, "akscheck")}
			}
			azureOpts, err := f.azure.options(a.io.Azure, log)
			if err != nil {
				return err
			}
			auditor, err = audit.New(audit.Options{Scan: req, Cluster: cache, Open: openStore, Context: targets[0].Context,
				Server: cfg.Host, Version: func(ctx context.Context) (string, error) { return live.ServerVersion(ctx, cfg) },
				Resync: f.resync, Retention: f.retention, ReportRetention: f.reportRetention, SyncWait: f.readyAfter, Log: log, Events: events, Azure: azureOpts})
			if err != nil {
				return usageErr("%v", err)
			}
			if err := cache.OnChange(auditor.Changed); err != nil {
				return usageErr("%v", err)
			}
			defer func() { _ = auditor.Close() }()
			log.Info("auditing the cluster", "cluster", name, "database", database, "resync", f.resync.String(), "retention", f.retention.String(), "events", f.events)
		}
	}
	if f.selfSignedDir != "" {
		ca, cert, key, err := serve.SelfSigned(f.selfSignedDir, f.sans, 365*24*time.Hour)
		if err != nil {
			return usageErr("--tls-self-signed %s: %v", f.selfSignedDir, err)
		}
		log.Info("self-signed certificate written; use the CA as the webhook configuration's caBundle", "ca", ca, "hosts", f.sans)
		f.certFile, f.keyFile = cert, key
	}
	opts := serve.Options{Addr: f.addr, ProbeAddr: f.probeAddr, CertFile: f.certFile,
		KeyFile: f.keyFile, Timeout: f.timeout, FailurePolicy: f.failurePolicy, ReadyAfter: f.readyAfter, Log: log}
	if auditor != nil {
		opts.API, opts.Listen, opts.Collectors = auditor.Handler(), f.listen, auditor.Collectors()
		opts.Degraded = auditor.StoreErr
	}
	srv, err := serve.New(reviewer, state, opts)
	if err != nil {
		return usageErr("%v", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	if cache != nil {
		wg.Go(func() { cache.Run(ctx) })
	}
	if auditor != nil {
		wg.Go(func() { _ = auditor.Run(ctx) })
	}
	err = srv.Run(ctx)
	// The audit may be writing: let it end before the database closes.
	cancel()
	wg.Wait()
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	return nil
}

// unionKinds returns a's kinds and those of b not in a (by Kind.Key: Calico's two
// NetworkPolicy APIs are two kinds).
func unionKinds(a, b []live.Kind) []live.Kind {
	out := slices.Clone(a)
	for _, k := range b {
		if !slices.ContainsFunc(out, func(o live.Kind) bool { return o.Key() == k.Key() }) {
			out = append(out, k)
		}
	}
	return out
}
