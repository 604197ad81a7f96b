package arm

import (
	"strings"

	"github.com/akscheck/akscheck/internal/subject"
)

// tmplResource is one resource of a template (nested children and nested deployments
// flattened), with its expressions resolved.
type tmplResource struct {
	r     res
	typ   string // full type, lower-cased
	name  string // full name ("aks/pool1"), placeholders for unresolved parameters
	scope string // the scope property, resolved symbolically
}

// isTemplate reports whether a JSON document is an ARM deployment template (Bicep compiles
// to one too).
func isTemplate(n *node) bool {
	if n == nil || n.kind != kObj {
		return false
	}
	schema := strings.ToLower(n.get("$schema").strOr())
	if strings.Contains(schema, "deploymenttemplate") {
		return true
	}
	res := n.get("resources")
	return res != nil && (res.kind == kArr || res.kind == kObj) && n.get("contentVersion") != nil
}

// isParameters reports whether a JSON document is a deployment parameters file.
func isParameters(n *node) bool {
	if n == nil || n.kind != kObj {
		return false
	}
	return strings.Contains(strings.ToLower(n.get("$schema").strOr()), "deploymentparameters")
}

// parametersOf reads a deployment parameters file: {"parameters": {"x": {"value": …}}}.
func parametersOf(n *node) map[string]any {
	out := map[string]any{}
	ps := n.get("parameters")
	if ps == nil || ps.kind != kObj {
		return out
	}
	for i, k := range ps.keys {
		if v := ps.vals[i].get("value"); v != nil {
			out[normKey(k)] = v.toAny()
		}
	}
	return out
}

// collect flattens the resources of a template.
func collect(t *node, sc *scope, file string, depth int, out *[]tmplResource) {
	if depth > 16 {
		return
	}
	rs := t.get("resources")
	if rs == nil {
		return
	}
	var list []*node
	switch rs.kind {
	case kArr:
		list = rs.arr
	case kObj:
		// languageVersion 2.0 (Bicep with symbolic names): resources by symbolic name.
		list = rs.vals
	}
	for _, rn := range list {
		collectOne(rn, sc, file, "", "", depth, out)
	}
}

func collectOne(rn *node, sc *scope, file, parentType, parentName string, depth int, out *[]tmplResource) {
	if rn == nil || rn.kind != kObj || depth > 16 {
		return
	}
	sc.st.line = rn.line
	if cond := rn.get("condition"); cond != nil {
		switch v := cond.toAny().(type) {
		case bool:
			if !v {
				return
			}
		case string:
			if b, ok := sc.evalString(v).(bool); ok && !b {
				return
			}
		}
	}
	sym := sc.withSymbolic()
	typ, _ := sym.evalString(rn.get("type").strOr()).(string)
	name, _ := sym.evalString(rn.get("name").strOr()).(string)
	if parentType != "" && !strings.Contains(typ, ".") {
		typ = parentType + "/" + typ
		name = parentName + "/" + name
	}
	scopeStr := ""
	if s, ok := sym.evalString(rn.get("scope").strOr()).(string); ok {
		scopeStr = s
	}
	if strings.EqualFold(typ, "Microsoft.Resources/deployments") {
		inner := rn.get("properties", "template")
		if inner == nil {
			return
		}
		innerScope := sc
		if strings.EqualFold(rn.get("properties", "expressionEvaluationOptions", "scope").strOr(), "inner") {
			params := map[string]any{}
			if ps := rn.get("properties", "parameters"); ps != nil && ps.kind == kObj {
				for i, k := range ps.keys {
					if v := ps.vals[i].get("value"); v != nil {
						params[normKey(k)] = sc.resolve(v.toAny(), 0)
					} else {
						params[normKey(k)] = unknownVal{}
					}
				}
			}
			innerScope = &scope{params: params, defs: inner.get("parameters"), vars: inner.get("variables"), st: sc.st, syms: newSymbols()}
		}
		collect(inner, innerScope, file, depth+1, out)
		return
	}
	resolved := sc.resolveNode(withoutChildren(rn), 0)
	*out = append(*out, tmplResource{r: newRes(resolved, file, subject.FormTemplate, &sc.st.errs), typ: typeKey(typ), name: name, scope: scopeStr})
	if kids := rn.get("resources"); kids != nil && kids.kind == kArr {
		for _, k := range kids.arr {
			collectOne(k, sc, file, typ, name, depth+1, out)
		}
	}
}

// withoutChildren drops nested "resources" so that resolving a resource does not resolve
// its children twice.
func withoutChildren(n *node) *node {
	out := &node{kind: kObj, line: n.line}
	for i, k := range n.keys {
		if strings.EqualFold(k, "resources") {
			continue
		}
		out.keys = append(out.keys, k)
		out.vals = append(out.vals, n.vals[i])
	}
	return out
}

// nameKey is how template resources are tied together: by lower-cased name.
func nameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// firstSeg is the parent part of a child resource name ("aks" of "aks/pool1").
func firstSeg(s string) string {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i]
	}
	return s
}

// scopeTarget returns the name of the cluster that a scope (or a data source ID) names
// ("Microsoft.ContainerService/managedClusters/aks", a resourceId() result or a full ID).
func scopeTarget(scopeStr string) string {
	if scopeStr == "" {
		return ""
	}
	k := parentKey("/providers/"+strings.TrimPrefix(scopeStr, "/"), typeCluster)
	if k == "" {
		k = parentKey(scopeStr, typeCluster)
	}
	return lastSeg(k)
}

// fromTemplate maps a template's resources into assembled clusters and registries.
// Errors are what evaluating its expressions found: circular variables, values past the
// limits.
func fromTemplate(file string, t *node, params map[string]any) (subjects []subject.Subject, skipped int, errs []subject.LoadError) {
	sc := &scope{params: params, defs: t.get("parameters"), vars: t.get("variables"), st: newEvalState(file), syms: newSymbols()}
	var all []tmplResource
	collect(t, sc, file, 0, &all)
	defer func() { errs = dedupe(sc.st.errs) }()

	clusters := map[string]*subject.Cluster{}
	var clusterList []*subject.Cluster
	registries := map[string]*subject.Registry{}
	var registryList []*subject.Registry
	for _, tr := range all {
		switch tr.typ {
		case typeCluster:
			c := tr.r.cluster(subject.InputARM)
			c.Name = tr.name
			c.MaintenanceKnown, c.DiagnosticsKnown = true, true
			// A template declares every extension, Flux configuration and backup instance
			// it deploys with the cluster.
			c.ExtensionsKnown, c.FluxConfigsKnown, c.BackupsKnown = true, true, true
			clusters[nameKey(tr.name)] = c
			clusterList = append(clusterList, c)
		case typeRegistry:
			g := tr.r.registry(subject.InputARM)
			g.Name = tr.name
			registries[nameKey(tr.name)] = g
			registryList = append(registryList, g)
		}
	}
	clusterOf := func(name string) *subject.Cluster {
		if c, ok := clusters[nameKey(name)]; ok {
			return c
		}
		if len(clusterList) == 1 {
			return clusterList[0]
		}
		return nil
	}
	var pricings []*subject.DefenderPricing
	var subnets []*subject.Subnet
	for _, tr := range all {
		switch tr.typ {
		case typeCluster, typeRegistry:
		case typeAgentPool:
			if c := clusterOf(firstSeg(tr.name)); c != nil {
				p := tr.r.pool(subject.InputARM)
				p.Name = lastSeg(tr.name)
				mergePool(c, p)
			}
		case typeMaintenance:
			if c := clusterOf(firstSeg(tr.name)); c != nil {
				m := tr.r.maintenance(subject.InputARM)
				m.Name = lastSeg(tr.name)
				c.Maintenance = append(c.Maintenance, m)
			}
		case typeDiagNested:
			if c := clusterOf(firstSeg(tr.name)); c != nil {
				c.Diagnostics = append(c.Diagnostics, tr.r.diagnostic(subject.InputARM))
			}
		case typeDiag:
			if target := scopeTarget(tr.scope); target != "" {
				if c := clusterOf(target); c != nil {
					c.Diagnostics = append(c.Diagnostics, tr.r.diagnostic(subject.InputARM))
				}
			}
		case typeExtension, typeExtNested:
			target := scopeTarget(tr.scope)
			if tr.typ == typeExtNested {
				target = firstSeg(tr.name)
			}
			if c := clusterOf(target); c != nil {
				c.Extensions = append(c.Extensions, tr.r.extension(subject.InputARM))
			}
		case typeFlux, typeFluxNested:
			target := scopeTarget(tr.scope)
			if tr.typ == typeFluxNested {
				target = firstSeg(tr.name)
			}
			if c := clusterOf(target); c != nil {
				f := tr.r.fluxConfig(subject.InputARM)
				f.Name = lastSeg(tr.name)
				c.FluxConfigs = append(c.FluxConfigs, f)
			}
		case typeBackup:
			b := tr.r.backupInstance(subject.InputARM)
			if b == nil {
				skipped++
				continue
			}
			b.Name = lastSeg(tr.name)
			if c := clusterOf(scopeTarget(tr.r.str("dataSourceInfo", "resourceID").V)); c != nil {
				c.Backups = append(c.Backups, b)
			}
		case typeReplication, typeTask:
			g, ok := registries[nameKey(firstSeg(tr.name))]
			if !ok && len(registryList) == 1 {
				g, ok = registryList[0], true
			}
			if !ok {
				continue
			}
			if tr.typ == typeReplication {
				rep := tr.r.replication(subject.InputARM)
				rep.Name = lastSeg(tr.name)
				g.Replications = append(g.Replications, rep)
			} else {
				g.Tasks = append(g.Tasks, tr.r.task(subject.InputARM))
			}
		case typePrivateEndpoint:
			// A private endpoint of the template that targets a registry counts as its
			// approved connection (templates do not carry privateEndpointConnections).
			for _, key := range []string{"privateLinkServiceConnections", "manualPrivateLinkServiceConnections"} {
				conns := tr.r.prop(key)
				if conns == nil || conns.kind != kArr {
					continue
				}
				for _, conn := range conns.arr {
					target := conn.get("properties", "privateLinkServiceId").strOr()
					if target == "" {
						target = conn.get("privateLinkServiceId").strOr()
					}
					if g, ok := registries[nameKey(lastSeg(parentKey(target, typeRegistry)))]; ok {
						g.PrivateEndpoints.V++
					}
				}
			}
		case typeSubnet:
			sn := tr.r.subnet(subject.InputARM)
			sn.Name = tr.name
			if sn.ID == "" {
				sn.ID = "/providers/Microsoft.Network/virtualNetworks/" + firstSeg(tr.name) + "/subnets/" + lastSeg(tr.name)
			}
			subnets = append(subnets, sn)
		case typeVNet:
			subnets = append(subnets, tr.r.vnetSubnets(tr.name, subject.InputARM)...)
		case typeWAFAppGw, typeWAFFD:
			w := tr.r.wafPolicy(tr.typ, subject.InputARM)
			w.Name = tr.name
			subjects = append(subjects, w)
		case typeTMProfile, typeTMAzureEP, typeTMExternalEP, typeTMNestedEP, typeCdnProfile, typeFDOrigin:
			if ts := tr.r.trafficSubject(tr.typ, tr.name, subject.InputARM); ts != nil {
				subjects = append(subjects, ts)
			}
		case typePricing:
			p := tr.r.pricing(subject.InputARM)
			p.Plan = lastSeg(tr.name)
			pricings = append(pricings, p)
		case typePolicyAssignment:
			// An extension resource's scope property names the resource it is assigned to;
			// without one it is assigned at the deployment's scope.
			kind, target := templateScopeKind(t), ""
			if tr.scope != "" {
				kind, target = subject.ScopeResource, scopeTarget(tr.scope)
				if target == "" {
					target = lastSeg(tr.scope)
				}
			}
			subjects = append(subjects, tr.r.policyAssignment(tr.name, kind, target, subject.InputARM))
		default:
			skipped++
		}
	}
	for _, p := range pricings {
		if !strings.EqualFold(p.Plan, "Containers") {
			continue
		}
		for _, c := range clusterList {
			c.Pricing = p
		}
	}
	if strings.EqualFold(t.get("metadata", "_generator", "name").strOr(), "bicep") {
		// Compiled Bicep: remedies name the .bicep source.
		for _, c := range clusterList {
			c.Form = subject.FormBicep
			for _, p := range c.Pools {
				p.Form = subject.FormBicep
			}
		}
		for _, g := range registryList {
			g.Form = subject.FormBicep
		}
	}
	for _, c := range clusterList {
		subjects = append(subjects, c)
	}
	for _, g := range registryList {
		subjects = append(subjects, g)
	}
	for _, sn := range subnets {
		subjects = append(subjects, sn)
	}
	return subjects, skipped, errs
}

// mergePool adds a pool to a cluster, replacing the profile of the same name: an agentPools
// resource describes the pool in full.
func mergePool(c *subject.Cluster, p *subject.NodePool) {
	for i, q := range c.Pools {
		if strings.EqualFold(q.Name, p.Name) {
			c.Pools[i] = p
			return
		}
	}
	c.Pools = append(c.Pools, p)
}
