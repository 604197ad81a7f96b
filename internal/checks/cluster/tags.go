package cluster

import (
	"context"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const tagsDescription = "Every Azure resource carries the tag keys of --required-tag (Terraform tags, ARM " +
	"tags) with a non-empty value; with no key configured, at least one tag. Tags tie costs, owners and " +
	"environments to resources."

// AzureRequiredTags finds clusters and node pools without the required tags.
var AzureRequiredTags = check.New(check.Meta{
	ID:          "azure-required-tags",
	Item:        "dev.tags",
	Title:       "Clusters and node pools carry the required Azure tags",
	Severity:    check.Low,
	Description: tagsDescription + " Node pools are judged on their own tags.",
	Remediation: "Add the required tags to the cluster and its node pools (az aks update --tags, az aks nodepool update --tags; Terraform tags).",
	Evidence:    clusterEvidence,
	Settings:    []check.Setting{RequiredTagsSetting},
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	switch missing, ok := missingTags(c.Tags, RequiredTagsSetting.Get(env)); {
	case !ok:
		undecided(r, c, "the tags", c.Tags.Attr)
	case missing != "":
		fail(r, c, c.Tags.Attr, "the cluster lacks %s", missing)
	}
	for _, p := range c.Pools {
		switch missing, ok := missingTags(p.Tags, RequiredTagsSetting.Get(env)); {
		case !ok:
			poolUndecided(r, c, p, "the tags", p.Tags.Attr)
		case missing != "":
			poolFail(r, c, p, p.Tags.Attr, "lacks %s", missing)
		}
	}
})

// RegistryRequiredTags finds registries without the required tags.
var RegistryRequiredTags = check.New(check.Meta{
	ID:          "registry-required-tags",
	Item:        "dev.tags",
	Title:       "Container registries carry the required Azure tags",
	Severity:    check.Low,
	Description: tagsDescription,
	Remediation: "Add the required tags to the registry (az acr update --tags; Terraform tags).",
	Evidence:    clusterEvidence,
	Settings:    []check.Setting{RequiredTagsSetting},
}, func(_ context.Context, env *check.Env, g *subject.Registry, r *check.Result) {
	missing, ok := missingTags(g.Tags, RequiredTagsSetting.Get(env))
	if !ok {
		undecided(r, g, "the tags", g.Tags.Attr)
		return
	}
	if missing != "" {
		fail(r, g, g.Tags.Attr, "the registry lacks %s", missing)
	}
})

// missingTags describes the missing tags; ok is false when the tags are unknown.
func missingTags(t subject.Tags, required []string) (string, bool) {
	if t.IsUnknown() {
		return "", false
	}
	if len(required) == 0 {
		for _, v := range t.V {
			if v.IsUnknown() || (v.IsKnown() && strings.TrimSpace(v.V) != "") {
				return "", true
			}
		}
		return "any tag", true
	}
	var missing []string
	for _, key := range required {
		found := false
		for k, v := range t.V {
			if strings.EqualFold(k, key) && (v.IsUnknown() || strings.TrimSpace(v.V) != "") {
				found = true
			}
		}
		if !found {
			missing = append(missing, key)
		}
	}
	if len(missing) == 0 {
		return "", true
	}
	sort.Strings(missing)
	return "the tag(s) " + quoted(missing), true
}

// RequiredTagsSetting are the Azure tag keys every cluster, node pool, registry and Azure storage
// class must carry.
var RequiredTagsSetting = check.NewParam[[]string]("requiredTags",
	"Azure tag keys every cluster, node pool, registry and Azure storage class (its tags parameter) must carry with a value; empty asks for at least one tag", nil, nil)
