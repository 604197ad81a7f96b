// Package kubetest starts a real control plane for integration tests: etcd and kube-apiserver
// on loopback, built by .ci/kube-test-env.sh from tools/kube-apiserver (pinned versions). The
// tests that use it are behind the integration build tag; without the binaries they fail
// rather than skip:
//
//	export AKSCHECK_KUBE_BIN=$(.ci/kube-test-env.sh | tail -n 1)
package kubetest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Tokens of the token file (--token-auth-file): the admin seeds the cluster; the others get
// the rights their test gives them through RBAC.
const (
	AdminToken   = "admin-token-0123456789"
	LimitedToken = "limited-token-0123456789"
	ReaderToken  = "reader-token-0123456789"
	LimitedUser  = "limited"
	ReaderUser   = "akscheck-reader"
)

// binDir returns the directory of kube-apiserver and etcd. The integration tests must not
// pass by skipping: without the binaries they fail.
func binDir() (string, error) {
	dir := os.Getenv("AKSCHECK_KUBE_BIN")
	if dir == "" {
		return "", errors.New("AKSCHECK_KUBE_BIN is not set: run .ci/kube-test-env.sh and export AKSCHECK_KUBE_BIN to the directory it prints")
	}
	for _, b := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
			return "", fmt.Errorf("%w (run .ci/kube-test-env.sh)", err)
		}
	}
	return dir, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// proc is a process the harness started, with its output kept for failures.
type proc struct {
	name string
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func start(name string, args ...string) (*proc, error) {
	p := &proc{name: filepath.Base(name), done: make(chan struct{})}
	p.cmd = exec.Command(name, args...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	// The servers die with the test binary, whatever ends it.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	return p, nil
}

// stop ends the process: SIGTERM, then SIGKILL after 10 s.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// kill ends the process at once, as a crash would.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

func (p *proc) tail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.out.String()
	if len(s) > 4000 {
		s = s[len(s)-4000:]
	}
	return p.name + " output (tail):\n" + s
}

// waitReady polls url until it answers 200 or the process exits.
func waitReady(p *proc, client *http.Client, url, token string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited\n%s", p.name, p.tail())
		default:
		}
		if time.Now().After(deadline) {
			p.stop()
			return fmt.Errorf("%s not ready after %s\n%s", p.name, limit, p.tail())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// etcdServer is an etcd on loopback.
type etcdServer struct {
	url  string
	proc *proc
}

func startEtcd(bin, dir string) (*etcdServer, error) {
	cp, err := freePort()
	if err != nil {
		return nil, err
	}
	pp, err := freePort()
	if err != nil {
		return nil, err
	}
	client, peer := fmt.Sprintf("http://127.0.0.1:%d", cp), fmt.Sprintf("http://127.0.0.1:%d", pp)
	p, err := start(filepath.Join(bin, "etcd"), "-data-dir", filepath.Join(dir, "etcd"), "-listen-client-url", client, "-listen-peer-url", peer)
	if err != nil {
		return nil, err
	}
	if err := waitReady(p, &http.Client{Timeout: 2 * time.Second}, client+"/health", "", 60*time.Second); err != nil {
		return nil, err
	}
	return &etcdServer{url: client, proc: p}, nil
}

// certs are the files a kube-apiserver needs: its serving certificate (self-signed, for
// 127.0.0.1, which clients trust as their CA), the service account signing key and the
// token file.
type certs struct {
	dir, cert, key, saKey, tokens string
	caPEM                         []byte
}

func writeCerts(dir string) (certs, error) {
	c := certs{dir: dir, cert: filepath.Join(dir, "apiserver.crt"), key: filepath.Join(dir, "apiserver.key"),
		saKey: filepath.Join(dir, "sa.key"), tokens: filepath.Join(dir, "tokens.csv")}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return c, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kube-apiserver"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return c, err
	}
	c.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return c, err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return c, err
	}
	files := map[string][]byte{
		c.cert:  c.caPEM,
		c.key:   pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		c.saKey: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(saKey)}),
		c.tokens: []byte(AdminToken + ",admin,1,\"system:masters\"\n" +
			LimitedToken + "," + LimitedUser + ",2\n" +
			ReaderToken + "," + ReaderUser + ",3\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			return c, err
		}
	}
	return c, nil
}

// APIServer is a kube-apiserver on loopback.
type APIServer struct {
	// URL is https://127.0.0.1:PORT; CAPEM is the CA that signed its serving certificate.
	URL   string
	CAPEM []byte
	// bin and args start it again (Start) exactly as it first started.
	bin  string
	args []string
	proc *proc
}

// Stop ends the server (SIGTERM, then SIGKILL after 10 s).
func (s *APIServer) Stop() { s.proc.stop() }

// Kill ends the server at once, as a crash would.
func (s *APIServer) Kill() { s.proc.kill() }

// Start starts the server again after Stop or Kill, with the same flags: the same port (its
// clients reconnect to the same URL), certificates, token file and etcd data and prefix, so
// that it serves the objects it served. It waits until the server is ready.
func (s *APIServer) Start() error {
	select {
	case <-s.proc.done:
	default:
		return errors.New("kube-apiserver is running: Stop or Kill it first")
	}
	var err error
	// The port was the server's a moment ago, but a client's connection may have taken it as
	// its local port since: try again for a while.
	for range 10 {
		if err = s.run(); err == nil || !strings.Contains(err.Error(), "address already in use") {
			return err
		}
		time.Sleep(time.Second)
	}
	return err
}

// Tail is the end of the server's output, for failure messages.
func (s *APIServer) Tail() string { return s.proc.tail() }

// startAPIServer starts a kube-apiserver on etcd, keeping its objects under its own etcd
// prefix so that several can share one etcd.
func startAPIServer(bin string, etcd *etcdServer, c certs, prefix string, extra []string) (*APIServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &APIServer{URL: fmt.Sprintf("https://127.0.0.1:%d", port), CAPEM: c.caPEM, bin: filepath.Join(bin, "kube-apiserver"),
		args: append([]string{
			"--etcd-servers=" + etcd.url,
			"--etcd-prefix=/" + prefix,
			"--bind-address=127.0.0.1",
			"--advertise-address=127.0.0.1",
			"--secure-port=" + strconv.Itoa(port),
			"--tls-cert-file=" + c.cert,
			"--tls-private-key-file=" + c.key,
			"--cert-dir=" + filepath.Join(c.dir, prefix+"-certs"),
			"--token-auth-file=" + c.tokens,
			"--anonymous-auth=false",
			"--authorization-mode=RBAC",
			"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
			"--service-account-key-file=" + c.saKey,
			"--service-account-signing-key-file=" + c.saKey,
			"--service-cluster-ip-range=10.96.0.0/16",
			// No controller manager runs (unless a test starts one): the tests seed pods with
			// their node and status, and the ServiceAccount admission would wait for default
			// service accounts.
			"--disable-admission-plugins=ServiceAccount",
			"--endpoint-reconciler-type=none",
			"--enable-priority-and-fairness=false",
			"--profiling=false",
			// AKS runs privileged containers (node agents); without this flag the API server
			// would reject them itself, before any admission check could judge them.
			"--allow-privileged=true",
			"--max-requests-inflight=800",
			"--max-mutating-requests-inflight=400",
		}, extra...)}
	if err := s.run(); err != nil {
		return nil, err
	}
	return s, nil
}

// run starts the server's process and waits until it is ready.
func (s *APIServer) run() error {
	p, err := start(s.bin, s.args...)
	if err != nil {
		return err
	}
	s.proc = p
	return waitReady(p, s.client(), s.URL+"/readyz", AdminToken, 180*time.Second)
}

// client trusts the server's certificate.
func (s *APIServer) client() *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CAPEM)
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// Config returns a client config for a token.
func (s *APIServer) Config(token string) *rest.Config {
	return &rest.Config{Host: s.URL, BearerToken: token, TLSClientConfig: rest.TLSClientConfig{CAData: s.CAPEM},
		QPS: 1000, Burst: 2000, Timeout: 60 * time.Second}
}

// Kubeconfig writes a kubeconfig with one context per token.
func (s *APIServer) Kubeconfig(t testing.TB, contexts map[string]string, current string) string {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["local"] = &clientcmdapi.Cluster{Server: s.URL, CertificateAuthorityData: s.CAPEM}
	for name, token := range contexts {
		cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: token}
		cfg.Contexts[name] = &clientcmdapi.Context{Cluster: "local", AuthInfo: name}
	}
	cfg.CurrentContext = current
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// Env is a control plane: one etcd and a kube-apiserver on it (API), with the tokens of the
// token file. More API servers can share the etcd under their own prefix.
type Env struct {
	Bin, Dir string
	API      *APIServer
	etcd     *etcdServer
	certs    certs
}

// Start starts etcd and a kube-apiserver (prefix "main"). On error, what was started is
// stopped.
func Start() (*Env, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "akscheck-kube-")
	if err != nil {
		return nil, err
	}
	e := &Env{Bin: bin, Dir: dir}
	if err := e.start(); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

func (e *Env) start() error {
	var err error
	if e.etcd, err = startEtcd(e.Bin, e.Dir); err != nil {
		return err
	}
	if e.certs, err = writeCerts(e.Dir); err != nil {
		return err
	}
	e.API, err = startAPIServer(e.Bin, e.etcd, e.certs, "main", nil)
	return err
}

// StartAPIServer starts another kube-apiserver on the same etcd, keeping its objects under
// prefix; extra are more kube-apiserver flags.
func (e *Env) StartAPIServer(prefix string, extra ...string) (*APIServer, error) {
	return startAPIServer(e.Bin, e.etcd, e.certs, prefix, extra)
}

// Stop stops the servers and removes their files.
func (e *Env) Stop() {
	if e.API != nil {
		e.API.Stop()
	}
	if e.etcd != nil {
		e.etcd.proc.stop()
	}
	_ = os.RemoveAll(e.Dir)
}

// Main runs a package's integration tests against a control plane it starts, after setup
// (which may keep the Env, seed the cluster or start more API servers), and stops it after
// them. It returns the exit code for os.Exit.
func Main(m *testing.M, setup func(*Env) error) int {
	e, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration: setting up kube-apiserver and etcd:", err)
		return 1
	}
	defer e.Stop()
	if setup != nil {
		if err := setup(e); err != nil {
			fmt.Fprintf(os.Stderr, "integration: %v\n%s\n", err, e.API.Tail())
			return 1
		}
	}
	return m.Run()
}

// Warnings collects the warnings the API server sends a client (rest.Config.WarningHandler):
// what admission webhooks and policies return as warnings.
type Warnings struct {
	mu   sync.Mutex
	list []string
}

// HandleWarningHeader implements rest.WarningHandler.
func (w *Warnings) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

// Take returns the warnings received since the last Take.
func (w *Warnings) Take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.list
	w.list = nil
	return out
}
