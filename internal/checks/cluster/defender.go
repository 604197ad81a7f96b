package cluster

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// DefenderForContainers finds clusters without the Defender sensor or the Standard plan.
var DefenderForContainers = check.New(check.Meta{
	ID:       "defender-for-containers",
	Item:     "ops.defender",
	Title:    "Microsoft Defender for Containers monitors the cluster",
	Severity: check.High,
	Description: "securityProfile.defender.securityMonitoring.enabled must be true (Terraform: a microsoft_defender " +
		"block) and, when the subscription's Containers plan is in the input (az security pricing show -n " +
		"Containers; azurerm_security_center_subscription_pricing), its tier must be Standard.",
	Remediation: "Enable Defender for Containers on the subscription (Standard tier) and its sensor on the cluster (az aks update --enable-defender).",
	Evidence:    clusterEvidence,
}, defenderSensor)

// DefenderRuntimeSensor is the same rule for container.runtime-security.
var DefenderRuntimeSensor = check.New(check.Meta{
	ID:       "defender-runtime-sensor",
	Item:     "container.runtime-security",
	Title:    "A runtime sensor watches the containers (Defender for Containers)",
	Severity: check.High,
	Description: "The Defender sensor detects threats in running containers: securityProfile.defender." +
		"securityMonitoring.enabled (Terraform: microsoft_defender) with the Containers plan on Standard when " +
		"the plan is in the input. Another runtime sensor (Falco…) is visible only to a live scan.",
	Remediation: "Enable the Defender sensor (az aks update --enable-defender) with the Containers plan on Standard, or run another runtime security sensor on every node.",
	Evidence:    clusterEvidence,
}, defenderSensor)

// defenderSensor wants the Defender sensor on and, when the input holds it, the Containers
// plan on Standard.
func defenderSensor(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	wantOn(r, c, c.DefenderMonitoring, "whether the Defender sensor is enabled", "the Defender for Containers sensor is not enabled")
	pricingStandard(c, r)
}

func pricingStandard(c *subject.Cluster, r *check.Result) {
	switch p := c.Pricing; {
	case p == nil:
	case p.Tier.IsUnknown():
		undecided(r, c, "the tier of the subscription's Defender for Containers plan", p.Tier.Attr)
	case p.Tier.IsKnown() && !p.Tier.Is("Standard"):
		fail(r, p, p.Tier.Attr, "the Defender for Containers plan of the subscription is %s, not Standard", p.Tier.V)
	}
}

// pricingInput names the inputs that hold a subscription's Defender for Containers plan.
const pricingInput = "az security pricing show -n Containers output, or Terraform azurerm_security_center_subscription_pricing"

// DefenderPlan finds subscriptions whose Containers plan is not Standard.
var DefenderPlan = check.New(check.Meta{
	ID:       "defender-plan",
	Item:     "ops.security-center",
	Title:    "The cluster's subscription has Defender for Containers on the Standard tier",
	Severity: check.High,
	Description: "The Microsoft.Security/pricings Containers plan (az security pricing show -n Containers; " +
		"Terraform azurerm_security_center_subscription_pricing with resource_type Containers) has pricingTier " +
		"Standard. Without the plan in the input the item is not evaluated.",
	Remediation: "Turn on the Containers plan of Defender for Cloud (az security pricing create -n Containers --tier Standard).",
	Evidence:    clusterEvidence,
}, defenderPlan)

// DefenderImageScanning finds subscriptions whose registry images are not scanned by Defender.
var DefenderImageScanning = check.New(check.Meta{
	ID:          "defender-image-scanning",
	CrossObject: true,
	Item:        "container.image-scanning",
	Title:       "Defender for Containers scans the images (Standard plan)",
	Severity:    check.High,
	Description: "Defender for Containers on the Standard tier scans the images of the subscription's registries " +
		"and running containers for vulnerabilities. Judged when the Containers plan is in the input; image " +
		"scan reports (Trivy, Grype) are the other way to prove the item, so without the plan the item rests " +
		"on them when they are given, and is not evaluated otherwise.",
	Remediation: "Turn on the Containers plan of Defender for Cloud (Standard tier), or scan every image in CI and keep the reports.",
	Evidence:    clusterEvidence,
}, func(ctx context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	if c.Pricing == nil && len(env.Index.Subjects(subject.TypeOf[*subject.ImageReport]())) > 0 {
		// The image scan reports of the scan prove the item (image-scan-report).
		r.NotApplicable()
		return
	}
	defenderPlan(ctx, env, c, r)
})

// defenderPlan wants the subscription's Containers plan on Standard; a cluster whose plan is
// not in the input is undecided.
func defenderPlan(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	if c.Pricing == nil {
		missingFrom(r, c, "the Defender for Containers plan of the subscription", pricingInput)
		return
	}
	pricingStandard(c, r)
}
