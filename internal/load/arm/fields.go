package arm

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/akscheck/akscheck/internal/subject"
)

// res is one Azure resource as JSON. The REST API, Resource Graph and templates nest its
// settings under "properties"; the Azure CLI prints them at the top level. prop looks in
// both places.
//
// Every setting carries its path as the input spells it: the keys as written, under
// "properties" when the resource nests its settings there; for a setting that is not
// written, the keys written on the way and the missing rest in the input's spelling (the
// CLI's casing for az output: enableRbac, nodeOsUpgradeChannel).
type res struct {
	n    *node
	file string
	// prefix is the path of n inside its resource ("properties.agentPoolProfiles[system].").
	prefix string
	// cli is true for az CLI output (no "properties").
	cli bool
	// form is the form of the input: resources as Azure returns them, or a template.
	form subject.Form
	// errs collects the settings of a type that Azure does not accept ("enableRbac":
	// "yes"): shared by the resource's sub-objects; nil drops them.
	errs *[]subject.LoadError
}

// newRes is a resource at the root of its JSON; wrong types of its settings go to errs.
func newRes(n *node, file string, form subject.Form, errs *[]subject.LoadError) res {
	return res{n: n, file: file, cli: n.get("properties") == nil, form: form, errs: errs}
}

// kindName names a JSON kind in an error.
var kindName = map[nodeKind]string{kStr: "a string", kNum: "a number", kBool: "a boolean", kObj: "an object", kArr: "an array"}

// wrongType reports a setting whose value has a type Azure rejects there; the setting is
// read as unknown.
func (r res) wrongType(v *node, path, want string) {
	if r.errs == nil || v == nil || kindName[v.kind] == "" {
		return
	}
	what := kindName[v.kind]
	if v.kind == kStr {
		what = fmt.Sprintf("the string %.40q", v.s)
	}
	*r.errs = append(*r.errs, subject.LoadError{Source: r.file, Line: v.line,
		Message: fmt.Sprintf("%s: %s is not valid here (want %s); the setting is read as unknown", path, what, want)})
}

// armTop are the keys ARM keeps outside "properties".
var armTop = map[string]bool{"id": true, "name": true, "type": true, "location": true, "tags": true, "sku": true,
	"identity": true, "etag": true, "kind": true, "zones": true, "extendedLocation": true, "plan": true,
	"managedBy": true, "apiVersion": true}

// pathOf is the path of a setting as the input spells it (see res).
func (r res) pathOf(path ...string) string {
	if len(path) == 0 {
		return strings.TrimSuffix(r.prefix, ".")
	}
	props := r.n.get("properties")
	under := false
	switch {
	case props == nil:
	case props.get(path...) != nil:
		under = true
	case r.n.get(path...) != nil:
	case props.get(path[0]) != nil:
		under = true
	case r.n.get(path[0]) != nil:
	default:
		under = !armTop[path[0]]
	}
	var b strings.Builder
	b.WriteString(r.prefix)
	cur := r.n
	if under {
		b.WriteString(props.keyOf("properties", r.n))
		cur = props
	}
	for i, k := range path {
		if i > 0 || under {
			b.WriteByte('.')
		}
		if cur != nil {
			if sk, next := cur.lookup(k); next != nil {
				b.WriteString(sk)
				cur = next
				continue
			}
		}
		cur = nil
		if r.cli {
			k = CLIKey(k)
		}
		b.WriteString(k)
	}
	return b.String()
}

// keyOf returns the spelling of the key under which parent holds n, or def.
func (n *node) keyOf(def string, parent *node) string {
	for i, v := range parent.vals {
		if v == n {
			return parent.keys[i]
		}
	}
	return def
}

// lookup returns the key as written and the value of a key (any spelling), or nil.
func (n *node) lookup(k string) (string, *node) {
	if n == nil || n.kind != kObj {
		return "", nil
	}
	nk := normKey(k)
	for i, key := range n.keys {
		if normKey(key) == nk {
			return key, n.vals[i]
		}
	}
	return "", nil
}

// cliKeys are the keys the Azure CLI prints otherwise than cliKey would spell them.
var cliKeys = map[string]string{"adminGroupObjectIDs": "adminGroupObjectIDs"}

// CLIKey spells a REST key as the Azure CLI prints it: enableRBAC → enableRbac,
// nodeOSUpgradeChannel → nodeOsUpgradeChannel.
func CLIKey(k string) string {
	if s, ok := cliKeys[k]; ok {
		return s
	}
	rs := []rune(k)
	var b strings.Builder
	for i := 0; i < len(rs); {
		if !unicode.IsUpper(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && unicode.IsUpper(rs[j]) {
			j++
		}
		run := rs[i:j]
		b.WriteRune(run[0])
		if j < len(rs) && unicode.IsLower(rs[j]) && len(run) > 1 {
			b.WriteString(strings.ToLower(string(run[1 : len(run)-1])))
			b.WriteRune(run[len(run)-1])
		} else {
			b.WriteString(strings.ToLower(string(run[1:])))
		}
		i = j
	}
	return b.String()
}

func (r res) prop(path ...string) *node {
	if v := r.n.get(append([]string{"properties"}, path...)...); v != nil {
		return v
	}
	return r.n.get(path...)
}

// blockLine is the line of the deepest object on the path that exists (where a missing
// setting would go).
func (r res) blockLine(path ...string) int {
	if p := r.n.get("properties"); p != nil && p.kind == kObj {
		if l := p.deepest(path...); l > 0 {
			return l
		}
	}
	return r.n.deepest(path...)
}

func (r res) loc(line int) subject.Location { return subject.Location{File: r.file, Line: line} }

// locAt is a location with the path of a setting.
func (r res) locAt(line int, path ...string) subject.Location {
	return subject.Location{File: r.file, Line: line, Path: r.pathOf(path...)}
}

// value reads a setting at path and converts it.
func (r res) attr(path []string) (*node, subject.Attr) {
	v := r.prop(path...)
	switch {
	case v == nil:
		return nil, subject.Attr{State: subject.Absent, Loc: r.locAt(r.blockLine(path...), path...)}
	case v.kind == kNull:
		return nil, subject.Attr{State: subject.Absent, Loc: r.locAt(v.line, path...)}
	case v.kind == kUnknown:
		return nil, subject.Attr{State: subject.Unknown, Loc: r.locAt(v.line, path...)}
	}
	return v, subject.Attr{State: subject.Known, Loc: r.locAt(v.line, path...)}
}

func (r res) str(path ...string) subject.String {
	v, a := r.attr(path)
	out := subject.String{Attr: a}
	if v == nil {
		return out
	}
	// Versions, names and modes are strings: a number (1.29) lost its trailing zeros
	// and is not what Azure accepts; an object or array is no string either.
	if v.kind != kStr {
		r.wrongType(v, a.Loc.Path, "a string")
		out.State = subject.Unknown
		return out
	}
	return nodeString(v, out)
}

// scalar reads a setting of a string map (an add-on's config) as a string: templates write
// "enableSecretRotation": true as often as "true", and Azure takes both.
func (r res) scalar(path ...string) subject.String {
	v, a := r.attr(path)
	out := subject.String{Attr: a}
	if v == nil {
		return out
	}
	out = nodeString(v, out)
	if out.State == subject.Unknown {
		r.wrongType(v, a.Loc.Path, "a string")
	}
	return out
}

// nodeString reads a scalar as a string: a number as written, a boolean as true or false.
func nodeString(v *node, out subject.String) subject.String {
	switch v.kind {
	case kStr, kNum:
		out.V = v.s
	case kBool:
		out.V = strconv.FormatBool(v.b)
	case kNull:
		out.State = subject.Absent
	default:
		out.State = subject.Unknown
	}
	return out
}

func (r res) boolean(path ...string) subject.Bool {
	v, a := r.attr(path)
	out := subject.Bool{Attr: a}
	if v == nil {
		return out
	}
	out = nodeBool(v, out)
	if out.State == subject.Unknown {
		r.wrongType(v, a.Loc.Path, "a boolean")
	}
	return out
}

func nodeBool(v *node, out subject.Bool) subject.Bool {
	switch v.kind {
	case kBool:
		out.V = v.b
	case kStr:
		b, err := strconv.ParseBool(strings.TrimSpace(v.s))
		if err != nil {
			out.State = subject.Unknown
		}
		out.V = b
	default:
		out.State = subject.Unknown
	}
	return out
}

func (r res) integer(path ...string) subject.Int {
	v, a := r.attr(path)
	out := subject.Int{Attr: a}
	if v == nil {
		return out
	}
	switch v.kind {
	case kNum, kStr:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.s), 64)
		if err != nil {
			out.State = subject.Unknown
		}
		out.V = int64(f)
	default:
		out.State = subject.Unknown
	}
	if out.State == subject.Unknown {
		r.wrongType(v, a.Loc.Path, "a number")
	}
	return out
}

func (r res) list(path ...string) subject.List {
	v, a := r.attr(path)
	out := subject.List{Attr: a}
	if v == nil {
		return out
	}
	if v.kind != kArr {
		r.wrongType(v, a.Loc.Path, "an array")
		out.State = subject.Unknown
		return out
	}
	out.V = []string{}
	for _, x := range v.arr {
		switch x.kind {
		case kStr, kNum:
			out.V = append(out.V, x.s)
		case kNull:
		default:
			out.State = subject.Unknown
		}
	}
	return out
}

func (r res) tags(path ...string) subject.Tags {
	v, a := r.attr(path)
	out := subject.Tags{Attr: a}
	if v == nil {
		return out
	}
	if v.kind != kObj {
		r.wrongType(v, a.Loc.Path, "an object")
		out.State = subject.Unknown
		return out
	}
	out.V = map[string]subject.String{}
	for i, k := range v.keys {
		x := v.vals[i]
		loc := r.loc(x.line)
		loc.Path = a.Loc.Path + "." + k
		out.V[k] = nodeString(x, subject.String{Attr: subject.Attr{State: subject.Known, Loc: loc}})
	}
	return out
}

// sub is a nested object as a resource of its own (agent pool profiles, add-ons, log
// entries) at a path, keeping the file and the spelling.
func (r res) sub(n *node, path string) res {
	return res{n: n, file: r.file, prefix: path + ".", cli: r.cli, form: r.form, errs: r.errs}
}

// typeKey is the lower-cased resource type.
func typeKey(t string) string { return strings.ToLower(strings.TrimSpace(t)) }

// lastSeg returns the part after the last '/'.
func lastSeg(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// parentKey returns the lower-cased ARM ID of the resource of a provider type that an ID
// lies under ("/subscriptions/…/managedclusters/aks" for an agent pool's ID), or "".
func parentKey(id, providerType string) string {
	low := strings.ToLower(id)
	marker := "/providers/" + strings.ToLower(providerType) + "/"
	i := strings.Index(low, marker)
	if i < 0 {
		return ""
	}
	rest := low[i+len(marker):]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		rest = rest[:j]
	}
	if rest == "" {
		return ""
	}
	return low[:i+len(marker)] + rest
}

const (
	typeCluster     = "microsoft.containerservice/managedclusters"
	typeAgentPool   = "microsoft.containerservice/managedclusters/agentpools"
	typeMaintenance = "microsoft.containerservice/managedclusters/maintenanceconfigurations"
	typeUpgrade     = "microsoft.containerservice/managedclusters/upgradeprofiles"
	typePoolUpgrade = "microsoft.containerservice/managedclusters/agentpools/upgradeprofiles"
	typeDiag        = "microsoft.insights/diagnosticsettings"
	typeDiagNested  = "microsoft.containerservice/managedclusters/providers/diagnosticsettings"
	typeRegistry    = "microsoft.containerregistry/registries"
	typeReplication = "microsoft.containerregistry/registries/replications"
	typeTask        = "microsoft.containerregistry/registries/tasks"
	typePricing     = "microsoft.security/pricings"
	typeExtension   = "microsoft.kubernetesconfiguration/extensions"
	typeExtNested   = "microsoft.containerservice/managedclusters/providers/extensions"
	typeSubnet      = "microsoft.network/virtualnetworks/subnets"
	typeVNet        = "microsoft.network/virtualnetworks"
	typeWAFAppGw    = "microsoft.network/applicationgatewaywebapplicationfirewallpolicies"
	typeWAFFD       = "microsoft.network/frontdoorwebapplicationfirewallpolicies"
	typeFlux        = "microsoft.kubernetesconfiguration/fluxconfigurations"
	typeFluxNested  = "microsoft.containerservice/managedclusters/providers/fluxconfigurations"
	typeBackup      = "microsoft.dataprotection/backupvaults/backupinstances"
	// typePrivateEndpoint is read in templates only, to tie endpoints to registries.
	typePrivateEndpoint = "microsoft.network/privateendpoints"
)

// knownTypes are the resource types akscheck maps into its model.
var knownTypes = map[string]bool{
	typeCluster: true, typeAgentPool: true, typeMaintenance: true, typeUpgrade: true,
	typePoolUpgrade: true, typeDiag: true, typeDiagNested: true, typeRegistry: true,
	typeReplication: true, typeTask: true, typePricing: true, typeExtension: true, typeExtNested: true,
	typeSubnet: true, typeVNet: true, typeWAFAppGw: true, typeWAFFD: true,
	typeFlux: true, typeFluxNested: true, typeBackup: true,
	typeTMProfile: true, typeTMAzureEP: true, typeTMExternalEP: true, typeTMNestedEP: true,
	typeCdnProfile: true, typeFDOrigin: true, typePolicyAssignment: true,
}
