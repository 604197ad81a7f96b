package live

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// defenderSensor matches the DaemonSets of the Defender for Containers sensor:
// microsoft-defender-collector-ds and -publisher-ds, azuredefender-* on older clusters.
var defenderSensor = hasPrefix("microsoft-defender-", "azuredefender-")

// DefenderSensor checks that the Defender for Containers sensor runs on the nodes.
var DefenderSensor = check.New(check.Meta{
	ID:          "live-defender-sensor",
	CrossObject: true,
	Item:        "ops.defender",
	Title:       "The Defender for Containers sensor runs on every node",
	Severity:    check.High,
	Description: "Looks in kube-system for the DaemonSets of the Microsoft Defender for Containers " +
		"sensor (microsoft-defender-collector-ds, microsoft-defender-publisher-ds; azuredefender-* on " +
		"older clusters) and reads their readiness. Without the sensor Defender sees no runtime threats " +
		"on the nodes, whatever the subscription's plan says.",
	Remediation: "Enable the Defender sensor (az aks update --enable-defender) with the Defender for Containers plan on the subscription.",
	Evidence:    liveOnly,
	Requires:    []string{"DaemonSet"},
}, func(_ context.Context, env *check.Env, c *subject.LiveCluster, r *check.Result) {
	sensors := findAgents(env.Index, kubeSystem, []string{"DaemonSet"}, defenderSensor)
	if len(sensors) == 0 {
		r.Failf("", "", "no Defender for Containers sensor DaemonSet (microsoft-defender-*) runs in kube-system (evidence: the DaemonSets of kube-system)")
		return
	}
	failAgents(r, check.High, unhealthy(sensors), "the Defender sensor")
})

// runtimeSensor matches DaemonSets of runtime threat detection tools other than Defender.
var runtimeSensor = contains("falco", "tetragon", "sysdig", "neuvector-enforcer", "aqua-enforcer", "twistlock-defender")

// RuntimeSecuritySensor checks that some runtime security sensor watches the nodes.
var RuntimeSecuritySensor = check.New(check.Meta{
	ID:          "live-runtime-security-sensor",
	CrossObject: true,
	Item:        "container.runtime-security",
	Title:       "A runtime security sensor runs on every node",
	Severity:    check.High,
	Description: "Looks for the DaemonSet of a runtime threat detection sensor: Defender for Containers " +
		"in kube-system, or Falco, Tetragon, Sysdig, NeuVector, Aqua or Prisma Cloud in any namespace " +
		"(a heuristic on DaemonSet names), and reads its readiness. Image scanning finds known flaws " +
		"before deployment; only a runtime sensor sees a container that is attacked while it runs.",
	Remediation: "Enable the Defender for Containers sensor (az aks update --enable-defender) or deploy Falco as a DaemonSet on every node.",
	Evidence:    liveOnly,
	Requires:    []string{"DaemonSet"},
}, func(_ context.Context, env *check.Env, c *subject.LiveCluster, r *check.Result) {
	sensors := findAgents(env.Index, kubeSystem, []string{"DaemonSet"}, defenderSensor)
	sensors = append(sensors, findAgents(env.Index, "", []string{"DaemonSet"}, runtimeSensor)...)
	if len(sensors) == 0 {
		r.Failf("", "", "no runtime security sensor DaemonSet (Defender, Falco, Tetragon…) runs in the cluster (evidence: the names of %d DaemonSets)", len(daemonSets(env.Index, "")))
		return
	}
	failAgents(r, check.High, unhealthy(sensors), "the runtime sensor")
})
