package live

import (
	"context"
	"fmt"
	"sort"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/akscheck/akscheck/internal/subject"
)

// InCluster names the cluster when akscheck runs in a pod and uses its service account.
const InCluster = "in-cluster"

// Target is one cluster to scan: the kube context that reaches it and its client config.
type Target struct {
	Context string
	Config  *rest.Config
	// Err says why the context's config could not be built (a missing user, a bad
	// certificate path): its scan is one error entry.
	Err error
}

// Load scans the target's cluster.
func Load(ctx context.Context, t Target, opts Options) *subject.Scan {
	if t.Err != nil {
		return failed(t.Context, t.Err.Error())
	}
	return LoadConfig(ctx, t.Config, t.Context, opts)
}

// Targets resolves the clusters to scan as kubectl does: $KUBECONFIG (or kubeconfig, the
// --kubeconfig flag, when set), ~/.kube/config, and the in-cluster config of a pod when there
// is no kubeconfig. Exec credential plugins (kubelogin) and auth providers of the kubeconfig
// are run by client-go as for kubectl. context picks a context (default: the current one);
// all picks every context of the kubeconfig, in name order.
func Targets(kubeconfig, context string, all bool) ([]Target, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	if all {
		raw, err := rules.Load()
		if err != nil {
			return nil, fmt.Errorf("reading kubeconfig: %w", err)
		}
		names := make([]string, 0, len(raw.Contexts))
		for name := range raw.Contexts {
			names = append(names, name)
		}
		sort.Strings(names)
		if len(names) == 0 {
			return nil, fmt.Errorf("the kubeconfig has no contexts")
		}
		out := make([]Target, 0, len(names))
		for _, name := range names {
			cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, rules).ClientConfig()
			if err != nil {
				err = fmt.Errorf("kube context %s: %w", name, err)
			}
			out = append(out, Target{Context: name, Config: cfg, Err: err})
		}
		return out, nil
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context})
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kube config: %w", err)
	}
	name := context
	if name == "" {
		raw, err := cc.RawConfig()
		if err == nil {
			name = raw.CurrentContext
		}
	}
	if name == "" {
		// No kubeconfig: client-go fell back to the pod's service account.
		name = InCluster
	}
	return []Target{{Context: name, Config: cfg}}, nil
}

// Contexts returns the context names of the kubeconfig (as Targets finds it), in name order:
// for shell completion of --context.
func Contexts(kubeconfig string) ([]string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	raw, err := rules.Load()
	if err != nil {
		return nil, fmt.Errorf("reading kubeconfig: %w", err)
	}
	names := make([]string, 0, len(raw.Contexts))
	for name := range raw.Contexts {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}
