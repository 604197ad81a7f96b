package kubetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// NamespaceController is the kube-controller-manager's name of the controller that empties a
// deleted namespace and removes its finalizer, so that the namespace goes (kube-controller-manager
// --help lists the names of the pinned version).
const NamespaceController = "namespace-controller"

// ControllerManager is a kube-controller-manager on loopback running only the controllers a
// test asked for: the harness runs none by default (tests seed pods with their status), but
// some behaviour, such as a deleted namespace going away, is a controller's.
type ControllerManager struct {
	proc *proc
}

// Stop ends the controller manager (SIGTERM, then SIGKILL after 10 s).
func (c *ControllerManager) Stop() { c.proc.stop() }

// Tail is the end of the controller manager's output, for failure messages.
func (c *ControllerManager) Tail() string { return c.proc.tail() }

// StartControllerManager starts a kube-controller-manager (built by .ci/kube-test-env.sh
// beside kube-apiserver) against api with the admin token, running only controllers (names
// as kube-controller-manager --help lists them, e.g. NamespaceController), without leader
// election, and waits until it is healthy. Stop it with Stop.
func (e *Env) StartControllerManager(api *APIServer, controllers ...string) (*ControllerManager, error) {
	if len(controllers) == 0 {
		return nil, fmt.Errorf("no controller named: the harness runs only those a test asks for")
	}
	bin := filepath.Join(e.Bin, "kube-controller-manager")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%w (run .ci/kube-test-env.sh, which builds it beside kube-apiserver)", err)
	}
	dir, err := os.MkdirTemp(e.Dir, "kcm-")
	if err != nil {
		return nil, err
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["local"] = &clientcmdapi.Cluster{Server: api.URL, CertificateAuthorityData: api.CAPEM}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: AdminToken}
	cfg.Contexts["admin"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: "admin"}
	cfg.CurrentContext = "admin"
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, kubeconfig); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p, err := start(bin,
		"--kubeconfig="+kubeconfig,
		// The same identity checks who calls its own endpoints (only /healthz here, which
		// is always allowed).
		"--authentication-kubeconfig="+kubeconfig,
		"--authorization-kubeconfig="+kubeconfig,
		"--controllers="+strings.Join(controllers, ","),
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(port),
		// The API server's certificate is for 127.0.0.1 and signed by the CA the harness's
		// clients trust: /healthz is checked over verified TLS.
		"--tls-cert-file="+e.certs.cert,
		"--tls-private-key-file="+e.certs.key,
		"--cert-dir="+dir,
		"--profiling=false",
	)
	if err != nil {
		return nil, err
	}
	url := fmt.Sprintf("https://127.0.0.1:%d/healthz", port)
	if err := waitReady(p, api.client(), url, "", 60*time.Second); err != nil {
		p.stop()
		return nil, err
	}
	return &ControllerManager{proc: p}, nil
}
