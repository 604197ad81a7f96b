package arm

import (
	"strconv"
	"strings"

	"github.com/akscheck/akscheck/internal/subject"
)

// res is one Azure resource as JSON. The REST API, Resource Graph and templates nest its
// settings under "properties"; the Azure CLI prints them at the top level. prop looks in
// both places.
type res struct {
	n    *node
	file string
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

// value reads a setting at path and converts it.
func (r res) attr(path []string) (*node, subject.Attr) {
	v := r.prop(path...)
	switch {
	case v == nil:
		return nil, subject.Attr{State: subject.Absent, Loc: r.loc(r.blockLine(path...))}
	case v.kind == kNull:
		return nil, subject.Attr{State: subject.Absent, Loc: r.loc(v.line)}
	case v.kind == kUnknown:
		return nil, subject.Attr{State: subject.Unknown, Loc: r.loc(v.line)}
	}
	return v, subject.Attr{State: subject.Known, Loc: r.loc(v.line)}
}

func (r res) str(path ...string) subject.String {
	v, a := r.attr(path)
	out := subject.String{Attr: a}
	if v == nil {
		return out
	}
	switch v.kind {
	case kStr, kNum:
		out.V = v.s
	case kBool:
		out.V = strconv.FormatBool(v.b)
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
	return nodeBool(v, out)
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
	return out
}

func (r res) list(path ...string) subject.List {
	v, a := r.attr(path)
	out := subject.List{Attr: a}
	if v == nil {
		return out
	}
	if v.kind != kArr {
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
		out.State = subject.Unknown
		return out
	}
	out.V = map[string]subject.String{}
	for i, k := range v.keys {
		x := v.vals[i]
		s := subject.String{Attr: subject.Attr{State: subject.Known, Loc: r.loc(x.line)}}
		switch x.kind {
		case kStr, kNum:
			s.V = x.s
		case kBool:
			s.V = strconv.FormatBool(x.b)
		case kNull:
			s.State = subject.Absent
		default:
			s.State = subject.Unknown
		}
		out.V[k] = s
	}
	return out
}

// sub is a nested object as a resource of its own (agent pool profiles, add-ons, log
// entries), keeping the file.
func (r res) sub(n *node) res { return res{n: n, file: r.file} }

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
	// typePrivateEndpoint is read in templates only, to tie endpoints to registries.
	typePrivateEndpoint = "microsoft.network/privateendpoints"
)

// knownTypes are the resource types akscheck maps into its model.
var knownTypes = map[string]bool{
	typeCluster: true, typeAgentPool: true, typeMaintenance: true, typeUpgrade: true,
	typePoolUpgrade: true, typeDiag: true, typeDiagNested: true, typeRegistry: true,
	typeReplication: true, typeTask: true, typePricing: true, typeExtension: true, typeExtNested: true,
}
