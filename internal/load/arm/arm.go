// Package arm loads Azure resources as JSON: what the Azure CLI and the REST API return
// (az aks show, az aks nodepool list, az monitor diagnostic-settings list, az acr show…),
// ARM deployment templates and Bicep compiled with az bicep build. Every shape maps into
// the one cluster model of package subject.
//
// Resource JSON is read one file at a time and tied together across files by ARM IDs
// (Link); a template is self-contained and is assembled when it is read.
package arm

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

// Options tune the loader.
type Options struct {
	// ParameterFiles are deployment parameters files (--arm-parameters) whose values
	// resolve the parameters() of every template of the scan.
	ParameterFiles []string
}

// Kind is what a JSON document holds, as far as this package is concerned.
type Kind int

// Kinds of JSON documents.
const (
	// NotAzure is JSON this package does not read.
	NotAzure Kind = iota
	// Resources are Azure resources as the CLI or REST API return them.
	Resources
	// Template is an ARM deployment template (or compiled Bicep).
	Template
	// Parameters is a deployment parameters file: read through --arm-parameters only.
	Parameters
)

// Sniff tells whether a JSON document is Azure resource JSON, a template or a parameters
// file. It looks at the first resource only, as a person would.
func Sniff(data []byte) Kind {
	n, err := parseJSON(data)
	if err != nil {
		return NotAzure
	}
	switch {
	case isTemplate(n):
		return Template
	case isParameters(n):
		return Parameters
	}
	if list := resourceList(n); len(list) > 0 && looksAzure(list[0]) {
		return Resources
	}
	if isVersionList(n) {
		return Resources
	}
	return NotAzure
}

// looksAzure reports whether an object is an Azure resource: an ARM type
// ("Microsoft.X/y") or an ARM ID.
func looksAzure(r *node) bool {
	if isPolicyState(r) {
		return true
	}
	t := r.get("type").strOr()
	if strings.HasPrefix(strings.ToLower(t), "microsoft.") && strings.Contains(t, "/") {
		return true
	}
	return strings.HasPrefix(strings.ToLower(r.get("id").strOr()), "/subscriptions/") && r.get("apiVersion") == nil && r.get("kind").strOr() == ""
}

// isVersionList reports whether a document is az aks get-versions output.
func isVersionList(n *node) bool {
	v := n.get("values")
	return v != nil && v.kind == kArr && len(v.arr) > 0 && v.arr[0].get("version") != nil &&
		(v.arr[0].get("patchVersions") != nil || v.arr[0].get("capabilities") != nil)
}

// resourceList returns the resources of a document: one object, an array, or a
// {"value": [...]} list.
func resourceList(n *node) []*node {
	switch n.kind {
	case kArr:
		return n.arr
	case kObj:
		if v := n.get("value"); v != nil && v.kind == kArr && listKeys(n) <= 2 {
			return v.arr
		}
		return []*node{n}
	}
	return nil
}

// listKeys counts the keys of a list document other than OData's annotations
// (@odata.context, @odata.count, @odata.nextLink: Policy Insights' lists carry them).
func listKeys(n *node) int {
	c := 0
	for _, k := range n.keys {
		if !strings.HasPrefix(k, "@odata.") {
			c++
		}
	}
	return c
}

// lineError is a parse error with its line.
var lineRe = regexp.MustCompile(`^line (\d+): `)

func errorEntry(source string, err error) subject.LoadError {
	msg := err.Error()
	line := 0
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	return subject.LoadError{Source: source, Line: line, Message: msg}
}

// dedupe drops repeated errors (a setting read twice), keeping the order.
func dedupe(errs []subject.LoadError) []subject.LoadError {
	seen := map[subject.LoadError]bool{}
	out := errs[:0]
	for _, e := range errs {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// LoadBytes reads one JSON file of Azure resources or a template.
func LoadBytes(source string, data []byte, opts Options) *subject.Scan {
	scan := &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	n, err := parseJSON(data)
	if err != nil {
		scan.Errors = append(scan.Errors, errorEntry(source, err))
		return scan
	}
	var subjects []subject.Subject
	switch {
	case isParameters(n):
		return scan
	case isTemplate(n):
		params, errs := readParameters(opts.ParameterFiles)
		scan.Errors = append(scan.Errors, errs...)
		var skipped int
		var evalErrs []subject.LoadError
		subjects, skipped, evalErrs = fromTemplate(source, n, params)
		scan.Skipped += skipped
		scan.Errors = append(scan.Errors, evalErrs...)
	default:
		var skipped int
		var typeErrs []subject.LoadError
		subjects, skipped, typeErrs = fromResources(source, n)
		scan.Skipped += skipped
		scan.Errors = append(scan.Errors, typeErrs...)
	}
	scan.Others = append(scan.Others, subjects...)
	kind := subject.InputACR
	for _, s := range subjects {
		switch s := s.(type) {
		case *subject.Registry:
			scan.Evidence[catalog.ACR] = true
		case *part:
			if s.registrySide() {
				scan.Evidence[catalog.ACR] = true
				continue
			}
			scan.Evidence[catalog.ARM] = true
			kind = subject.InputARM
		default:
			scan.Evidence[catalog.ARM] = true
			kind = subject.InputARM
		}
	}
	if len(subjects) == 0 {
		kind = subject.InputARM
	}
	scan.Inputs = append(scan.Inputs, subject.Input{Kind: kind, Source: source, Objects: len(subjects)})
	return scan
}

func readParameters(files []string) (map[string]any, []subject.LoadError) {
	params := map[string]any{}
	var errs []subject.LoadError
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			errs = append(errs, subject.LoadError{Source: f, Message: fmt.Sprintf("reading ARM parameters: %v", err)})
			continue
		}
		n, err := parseJSON(data)
		if err != nil {
			errs = append(errs, errorEntry(f, err))
			continue
		}
		for k, v := range parametersOf(n) {
			params[k] = v
		}
	}
	return params, errs
}

// fromResources maps resource JSON. Clusters and registries become subjects; the pieces
// that belong to one (agent pools, diagnostic settings…) become parts that Link ties to it.
// Errors are the settings of a type Azure does not accept.
func fromResources(file string, n *node) (out []subject.Subject, skipped int, errs []subject.LoadError) {
	defer func() { errs = dedupe(errs) }()
	if isVersionList(n) {
		kv := versionsFrom(n, file, subject.InputARM)
		return []subject.Subject{&part{AzureResource: kv.AzureResource, versions: kv}}, 0, nil
	}
	for _, rn := range resourceList(n) {
		if rn == nil || rn.kind != kObj {
			skipped++
			continue
		}
		r := newRes(rn, file, subject.FormDeployed, &errs)
		t := typeKey(r.typ())
		if t == "" {
			t = typeFromID(r.n.get("id").strOr())
		}
		id := r.n.get("id").strOr()
		switch t {
		case typeCluster:
			out = append(out, r.cluster(subject.InputARM))
		case typeRegistry:
			out = append(out, r.registry(subject.InputACR))
		case typeAgentPool:
			p := r.pool(subject.InputARM)
			out = append(out, &part{AzureResource: p.AzureResource, parent: parentKey(id, typeCluster), pool: p})
		case typeMaintenance:
			m := r.maintenance(subject.InputARM)
			out = append(out, &part{AzureResource: m.AzureResource, parent: m.ClusterID, maintenance: m})
		case typeUpgrade:
			u := r.upgradeProfile(subject.InputARM)
			out = append(out, &part{AzureResource: u.AzureResource, parent: u.ClusterID, upgrade: u})
		case typePoolUpgrade:
			pu := &part{AzureResource: r.base(r.typ(), r.name(), subject.InputARM), parent: parentKey(id, typeCluster)}
			pu.poolName = poolOfID(id)
			pu.latestImage = r.str("latestNodeImageVersion")
			out = append(out, pu)
		case typeDiag, typeDiagNested:
			d := r.diagnostic(subject.InputARM)
			out = append(out, &part{AzureResource: d.AzureResource, parent: parentKey(d.TargetID, typeCluster), diagnostic: d})
		case typeSubnet:
			out = append(out, r.subnet(subject.InputARM))
		case typeVNet:
			for _, sn := range r.vnetSubnets(r.name(), subject.InputARM) {
				out = append(out, sn)
			}
		case typeWAFAppGw, typeWAFFD:
			out = append(out, r.wafPolicy(t, subject.InputARM))
		case typeTMProfile, typeTMAzureEP, typeTMExternalEP, typeTMNestedEP, typeCdnProfile, typeFDOrigin:
			if ts := r.trafficSubject(t, r.name(), subject.InputARM); ts != nil {
				out = append(out, ts)
			} else {
				skipped++
			}
		case typePricing:
			p := r.pricing(subject.InputARM)
			out = append(out, &part{AzureResource: p.AzureResource, pricing: p})
		case typeExtension, typeExtNested:
			e := r.extension(subject.InputARM)
			out = append(out, &part{AzureResource: e.AzureResource, parent: e.ClusterID, extension: e})
		case typeFlux, typeFluxNested:
			f := r.fluxConfig(subject.InputARM)
			out = append(out, &part{AzureResource: f.AzureResource, parent: f.ClusterID, flux: f})
		case typeBackup:
			if b := r.backupInstance(subject.InputARM); b != nil {
				out = append(out, &part{AzureResource: b.AzureResource, parent: b.ClusterID, backup: b})
			} else {
				skipped++
			}
		case typeReplication:
			rep := r.replication(subject.InputACR)
			out = append(out, &part{AzureResource: rep.AzureResource, parent: parentKey(id, typeRegistry), replication: rep})
		case typeTask:
			tk := r.task(subject.InputACR)
			out = append(out, &part{AzureResource: tk.AzureResource, parent: parentKey(id, typeRegistry), task: tk})
		case typePolicyAssignment:
			out = append(out, r.policyAssignment(r.name(), "", "", subject.InputARM))
		default:
			if isPolicyState(r.n) {
				out = append(out, r.policyState(subject.InputARM))
				continue
			}
			skipped++
		}
	}
	return out, skipped, errs
}

// typeFromID derives a resource type from an ARM ID when the JSON has no "type" (some CLI
// commands omit it).
func typeFromID(id string) string {
	low := strings.ToLower(id)
	i := strings.LastIndex(low, "/providers/")
	if i < 0 {
		return ""
	}
	segs := strings.Split(strings.Trim(low[i+len("/providers/"):], "/"), "/")
	if len(segs) < 3 {
		return ""
	}
	t := segs[0]
	for j := 1; j < len(segs); j += 2 {
		t += "/" + segs[j]
	}
	// A diagnostic setting's ID is the cluster's ID with the setting appended.
	if strings.HasSuffix(t, "/diagnosticsettings") {
		return typeDiag
	}
	if knownTypes[t] {
		return t
	}
	return ""
}

// poolOfID returns the agent pool name in an ARM ID (".../agentPools/<name>/..."), or "".
func poolOfID(id string) string {
	segs := strings.Split(id, "/")
	for i := 0; i+1 < len(segs); i++ {
		if strings.EqualFold(segs[i], "agentPools") {
			return segs[i+1]
		}
	}
	return ""
}
