package admissionpolicy

import (
	"slices"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

// resource is where the API serves a kind.
type resource struct{ group, version, name string }

// workloadResources are the kinds that run pods, as the subject model reads them.
var workloadResources = map[string]resource{
	"Pod":                   {"", "v1", "pods"},
	"ReplicationController": {"", "v1", "replicationcontrollers"},
	"Deployment":            {"apps", "v1", "deployments"},
	"StatefulSet":           {"apps", "v1", "statefulsets"},
	"DaemonSet":             {"apps", "v1", "daemonsets"},
	"ReplicaSet":            {"apps", "v1", "replicasets"},
	"Job":                   {"batch", "v1", "jobs"},
	"CronJob":               {"batch", "v1", "cronjobs"},
}

// workloadKinds lists workloadResources' kinds in order.
func workloadKinds() []string {
	kinds := make([]string, 0, len(workloadResources))
	for k := range workloadResources {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return kinds
}

// workloadVariables returns the variables every policy computes once for the checks'
// expressions (check.AdmissionCEL documents them), in the order they depend on each other.
func workloadVariables() []admissionregistrationv1.Variable {
	return []admissionregistrationv1.Variable{
		{Name: "podTemplate", Expression: "object.kind == 'Pod' ? object : " +
			"object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template : object.spec.?template.orValue({})"},
		{Name: "podSpec", Expression: "variables.podTemplate.?spec.orValue({})"},
		// As subject.Workload.Containers and ResourceContainers: ephemeral containers run in the
		// pod but take no resources.
		{Name: "resourceContainers", Expression: "variables.podSpec.?initContainers.orValue([]) + variables.podSpec.?containers.orValue([])"},
		{Name: "containers", Expression: "variables.resourceContainers + variables.podSpec.?ephemeralContainers.orValue([])"},
		{Name: "appContainers", Expression: "variables.podSpec.?containers.orValue([])"},
		// As subject.Workload.TargetsWindows: spec.os, a node selector or required node
		// affinity on kubernetes.io/os=windows, or hostProcess on the pod or a container.
		{Name: "targetsWindows", Expression: "variables.podSpec.?os.?name.orValue('') == 'windows' || " +
			"variables.podSpec.?nodeSelector.orValue({})[?'kubernetes.io/os'].orValue('') == 'windows' || " +
			"variables.podSpec.?affinity.?nodeAffinity.?requiredDuringSchedulingIgnoredDuringExecution.?nodeSelectorTerms.orValue([]).exists(t, " +
			"t.?matchExpressions.orValue([]).exists(e, e.key == 'kubernetes.io/os' && e.operator == 'In' && 'windows' in e.?values.orValue([]))) || " +
			"variables.podSpec.?securityContext.?windowsOptions.?hostProcess.orValue(false) == true || " +
			"variables.containers.exists(c, c.?securityContext.?windowsOptions.?hostProcess.orValue(false) == true)"},
		{Name: "subject", Expression: "object.kind + ' ' + object.metadata.name"},
	}
}

// resourceRules are the rules that match kinds, one per API group.
func resourceRules(kinds []string) []admissionregistrationv1.NamedRuleWithOperations {
	byGroup := map[string][]string{}
	versions := map[string]string{}
	for _, k := range kinds {
		r := workloadResources[k]
		byGroup[r.group] = append(byGroup[r.group], r.name)
		versions[r.group] = r.version
	}
	groups := make([]string, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	var rules []admissionregistrationv1.NamedRuleWithOperations
	for _, g := range groups {
		names := byGroup[g]
		slices.Sort(names)
		rules = append(rules, admissionregistrationv1.NamedRuleWithOperations{
			RuleWithOperations: admissionregistrationv1.RuleWithOperations{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{g}, APIVersions: []string{versions[g]}, Resources: names},
			},
		})
	}
	return rules
}
