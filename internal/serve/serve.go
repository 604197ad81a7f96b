// Package serve is akscheck serve: an HTTPS server that answers the API server's validating
// admission requests at /validate, with /healthz, /readyz and Prometheus metrics at /metrics.
// It is a thin front-end: admission.Decode reads the request, admit.Reviewer decides it with
// the scan engine, and the server turns the decision into an AdmissionReview, within a time
// budget, under the failure policy the webhook configuration declares.
package serve

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/akscheck/akscheck/internal/admit"
	"github.com/akscheck/akscheck/internal/load/admission"
	"github.com/akscheck/akscheck/internal/render/sanitize"
)

// Failure policies: what the server answers when a review fails or runs out of time. They
// should equal the webhook configuration's failurePolicy, so that the API server and the
// webhook fail the same way.
const (
	Ignore = "Ignore"
	Fail   = "Fail"
)

// Options configure a server.
type Options struct {
	// Addr is the HTTPS address of /validate, /healthz, /readyz and /metrics.
	Addr string
	// ProbeAddr is a plain-HTTP address of /healthz, /readyz and /metrics, for the kubelet
	// and Prometheus; "" serves them on Addr only.
	ProbeAddr string
	// CertFile and KeyFile are the serving certificate, read again when they change.
	CertFile, KeyFile string
	// Timeout is the budget of one answer; past it the failure policy answers.
	Timeout time.Duration
	// FailurePolicy is Ignore (admit, with a warning) or Fail (deny).
	FailurePolicy string
	// ReadyAfter is how long /readyz waits for the cluster cache to sync before it reports
	// ready anyway (the checks that need what is missing then say they were not evaluated).
	ReadyAfter time.Duration
	// Log receives the server's structured logs; nil discards them.
	Log *slog.Logger

	// API, when set, is served under /api/ and at / (the audit's dashboard) on Listen (plain
	// HTTP) with /healthz, /readyz and /metrics: the audit's (akscheck serve --audit).
	API    http.Handler
	Listen string
	// Collectors are registered in the server's Prometheus registry beside its own.
	Collectors []prometheus.Collector
	// Degraded, when set, says why the server works in a degraded mode (the audit's history
	// database unavailable): /readyz still answers 200, with the reason, since what the
	// server serves (the webhook, the latest audit from memory) is still right.
	Degraded func() error
}

// CacheState is what the server reports of the cluster cache: which kinds have synced.
type CacheState interface {
	Synced() map[string]bool
}

// Server answers admission requests.
type Server struct {
	reviewer *admit.Reviewer
	cache    CacheState
	opts     Options
	log      *slog.Logger
	metrics  *metrics
	started  time.Time
	// slots bounds the reviews running at once; a review that outlives its budget keeps its
	// slot until it ends, so that a slow check cannot pile up work.
	slots chan struct{}
	certs *certReloader
}

// New returns a server for the reviewer; cache may be nil (no cluster is read). r may be nil
// when the server serves only the audit's API (Options.API): then it has no /validate and
// needs no certificate.
func New(r *admit.Reviewer, cache CacheState, opts Options) (*Server, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 3 * time.Second
	}
	if opts.ReadyAfter <= 0 {
		opts.ReadyAfter = 30 * time.Second
	}
	switch opts.FailurePolicy {
	case "":
		opts.FailurePolicy = Ignore
	case Ignore, Fail:
	default:
		return nil, fmt.Errorf("failure policy %q: want %s or %s", opts.FailurePolicy, Ignore, Fail)
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{reviewer: r, cache: cache, opts: opts, log: log, started: time.Now(),
		slots: make(chan struct{}, 4*runtime.GOMAXPROCS(0))}
	s.metrics = newMetrics(cache)
	for _, c := range opts.Collectors {
		if err := s.metrics.registry.Register(c); err != nil {
			return nil, fmt.Errorf("registering metrics: %w", err)
		}
	}
	if opts.CertFile != "" || opts.KeyFile != "" {
		c, err := newCertReloader(opts.CertFile, opts.KeyFile, log)
		if err != nil {
			return nil, err
		}
		s.certs = c
	}
	return s, nil
}

// Handler serves /validate, /healthz, /readyz and /metrics.
func (s *Server) Handler() http.Handler {
	mux := s.probes()
	if s.reviewer != nil {
		mux.HandleFunc("/validate", s.validate)
	}
	return mux
}

// APIHandler serves Options.API under /api/ and at / (exactly), with /healthz, /readyz and
// /metrics.
func (s *Server) APIHandler() http.Handler {
	mux := s.probes()
	if s.opts.API != nil {
		mux.Handle("/api/", s.opts.API)
		mux.Handle("/{$}", s.opts.API)
	}
	return mux
}

// ProbeHandler serves /healthz, /readyz and /metrics.
func (s *Server) ProbeHandler() http.Handler { return s.probes() }

func (s *Server) probes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("/readyz", s.readyz)
	mux.Handle("/metrics", s.metrics.handler())
	return mux
}

// Run listens on the options' addresses and serves until ctx ends, then shuts down within
// 10 s: Addr and ProbeAddr for the webhook, Listen for the audit's API.
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	var ls []net.Listener
	listen := func(addr string) (net.Listener, error) {
		ln, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			for _, l := range ls {
				l.Close()
			}
			return nil, fmt.Errorf("listening on %s: %w", addr, err)
		}
		ls = append(ls, ln)
		return ln, nil
	}
	var ln, probe, api net.Listener
	var err error
	if s.reviewer != nil {
		if ln, err = listen(s.opts.Addr); err != nil {
			return err
		}
		if s.opts.ProbeAddr != "" {
			if probe, err = listen(s.opts.ProbeAddr); err != nil {
				return err
			}
		}
	}
	if s.opts.API != nil {
		if api, err = listen(s.opts.Listen); err != nil {
			return err
		}
	}
	return s.ServeAll(ctx, ln, probe, api)
}

// Serve serves the webhook on listeners already open (probe may be nil) until ctx ends.
func (s *Server) Serve(ctx context.Context, ln, probe net.Listener) error {
	return s.ServeAll(ctx, ln, probe, nil)
}

// ServeAll serves on listeners already open until ctx ends: the webhook on ln (HTTPS) and
// probe, the audit's API on api; any may be nil.
func (s *Server) ServeAll(ctx context.Context, ln, probe, api net.Listener) error {
	var servers []*http.Server
	errs := make(chan error, 3)
	if ln != nil {
		if s.certs == nil {
			return errors.New("no TLS certificate: give the certificate and key files (or a self-signed directory)")
		}
		main := s.httpServer(s.Handler())
		main.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: s.certs.GetCertificate}
		servers = append(servers, main)
		go func() { errs <- main.ServeTLS(ln, "", "") }()
		s.log.Info("serving admission reviews", "addr", ln.Addr().String(), "failurePolicy", s.opts.FailurePolicy, "timeout", s.opts.Timeout.String())
	}
	if api != nil {
		as := s.httpServer(s.APIHandler())
		servers = append(servers, as)
		go func() { errs <- as.Serve(api) }()
		s.log.Info("serving the audit's API, probes and metrics", "addr", api.Addr().String())
	}
	if len(servers) == 0 && probe == nil {
		return errors.New("nothing to serve: no webhook listener and no API listener")
	}
	if probe != nil {
		ps := s.httpServer(s.ProbeHandler())
		servers = append(servers, ps)
		go func() { errs <- ps.Serve(probe) }()
		s.log.Info("serving probes and metrics", "addr", probe.Addr().String())
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errs:
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, srv := range servers {
		_ = srv.Shutdown(shutdown)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func (s *Server) httpServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: s.opts.Timeout + 10*time.Second, IdleTimeout: 90 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
}

// readyz is ready once the cluster cache has synced, or ReadyAfter after the start.
func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	var pending []string
	if s.cache != nil {
		for kind, ok := range s.cache.Synced() {
			if !ok {
				pending = append(pending, kind)
			}
		}
	}
	slices.Sort(pending)
	degraded := ""
	if s.opts.Degraded != nil {
		if err := s.opts.Degraded(); err != nil {
			degraded = "degraded: " + err.Error() + "\n"
		}
	}
	if len(pending) == 0 {
		if degraded != "" {
			_, _ = io.WriteString(w, "ok; "+degraded)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
		return
	}
	msg := "cluster cache not synced: " + strings.Join(pending, ", ") + "\n" + degraded
	if time.Since(s.started) >= s.opts.ReadyAfter {
		// Serving beats waiting: the checks that need these kinds say they were not evaluated.
		_, _ = io.WriteString(w, "ok; "+msg)
		return
	}
	http.Error(w, msg, http.StatusServiceUnavailable)
}

// validate answers one AdmissionReview.
func (s *Server) validate(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodPost {
		s.refuse(w, http.StatusMethodNotAllowed, "POST an admission.k8s.io/v1 AdmissionReview")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		s.refuse(w, http.StatusUnsupportedMediaType, "the body must be application/json")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, admission.MaxReviewSize))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.refuse(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the review is larger than %d bytes", admission.MaxReviewSize))
			return
		}
		s.refuse(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	rv, err := admission.Decode(body)
	if err != nil {
		s.refuse(w, http.StatusBadRequest, err.Error())
		return
	}
	req := rv.Request
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.Timeout)
	defer cancel()
	d, err := s.review(ctx, rv)
	resp := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: true}
	result := "allowed"
	dryRun := req.DryRun != nil && *req.DryRun
	attrs := []any{"uid", string(req.UID), "user", req.UserInfo.Username, "operation", string(req.Operation),
		"kind", req.Kind.Kind, "namespace", req.Namespace, "name", nameOf(rv), "dryRun", dryRun}
	switch {
	case err != nil:
		result = "error"
		msg := "akscheck could not check the object (" + err.Error() + ")"
		if s.opts.FailurePolicy == Fail {
			resp.Allowed = false
			resp.Result = &metav1.Status{Status: metav1.StatusFailure, Code: http.StatusInternalServerError,
				Reason: metav1.StatusReasonInternalError, Message: msg + "; the failure policy is Fail"}
		} else {
			resp.Warnings = []string{msg + "; admitted unchecked, as the failure policy is Ignore"}
		}
		s.log.Warn("review failed", append(attrs, "error", err.Error(), "failurePolicy", s.opts.FailurePolicy)...)
	case d.Skipped != "":
		result = "skipped"
		s.log.Debug("not reviewed", append(attrs, "reason", d.Skipped)...)
	default:
		s.metrics.indexes.WithLabelValues(d.Index).Inc()
		resp.Allowed = d.Allowed
		// kubectl prints both on a terminal: names from the object must not carry control
		// or bidi characters there.
		for _, w := range d.Warnings() {
			resp.Warnings = append(resp.Warnings, sanitize.Text(w))
		}
		if !d.Allowed {
			result = "denied"
			resp.Result = &metav1.Status{Status: metav1.StatusFailure, Code: http.StatusForbidden,
				Reason: metav1.StatusReasonForbidden, Message: sanitize.Lines(d.Message(ref(rv)))}
			s.log.Info("denied", append(attrs, "checks", verdictChecks(d.Denied), "warned", verdictChecks(d.Warned))...)
		} else if len(resp.Warnings) > 0 {
			s.log.Debug("admitted with warnings", append(attrs, "warned", verdictChecks(d.Warned), "notEvaluated", len(d.NotEvaluated))...)
		}
		if !dryRun {
			s.metrics.decided(req.Namespace, d)
		}
	}
	s.metrics.requests.WithLabelValues(string(req.Operation), result).Inc()
	s.metrics.latency.Observe(time.Since(start).Seconds())
	s.write(w, http.StatusOK, admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: admission.APIVersion, Kind: admission.Kind}, Response: resp})
}

// review runs the reviewer within ctx's deadline. A review that panics is an error; one that
// outlives the deadline goes on in the background (holding its slot) while the failure policy
// answers.
func (s *Server) review(ctx context.Context, rv *admission.Review) (admit.Decision, error) {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return admit.Decision{}, fmt.Errorf("every review slot was busy for %s", s.opts.Timeout)
	}
	type answer struct {
		d   admit.Decision
		err error
	}
	done := make(chan answer, 1)
	go func() {
		defer func() { <-s.slots }()
		defer func() {
			if p := recover(); p != nil {
				done <- answer{err: fmt.Errorf("internal error: %v", p)}
			}
		}()
		done <- answer{d: s.reviewer.Review(ctx, rv)}
	}()
	select {
	case a := <-done:
		return a.d, a.err
	case <-ctx.Done():
		return admit.Decision{}, fmt.Errorf("the review took longer than %s", s.opts.Timeout)
	}
}

// refuse answers a request that is no review this webhook can answer.
func (s *Server) refuse(w http.ResponseWriter, code int, msg string) {
	s.metrics.requests.WithLabelValues("", "invalid").Inc()
	s.log.Warn("invalid admission request", "status", code, "error", msg)
	http.Error(w, msg, code)
}

func (s *Server) write(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

func nameOf(rv *admission.Review) string {
	if rv.Request.Name != "" {
		return rv.Request.Name
	}
	if rv.Object != nil && rv.Object.Meta != nil {
		// A generateName object has no name yet; its prefix names it in logs.
		if rv.Object.Meta.Name != "" {
			return rv.Object.Meta.Name
		}
		return rv.Object.Meta.GenerateName
	}
	return ""
}

// ref is Kind namespace/name, for messages.
func ref(rv *admission.Review) string {
	if rv.Request.Namespace == "" {
		return rv.Request.Kind.Kind + " " + nameOf(rv)
	}
	return rv.Request.Kind.Kind + " " + rv.Request.Namespace + "/" + nameOf(rv)
}

func verdictChecks(vs []admit.Verdict) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if !slices.Contains(out, v.Check) {
			out = append(out, v.Check)
		}
	}
	return out
}
