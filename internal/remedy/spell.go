package remedy

import (
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// A spelling maps the model's value of a setting to the value its input writes, where they
// differ: the setting is named by the end of its path as the input spells it (an azurerm
// attribute, an ARM property), so the checks write the model's value (publicNetworkAccess
// "Disabled", an add-on's enabled true) and never learn which loader read the subject.
type spelling struct {
	// terraform is true for a Terraform attribute (module or plan), false for an ARM
	// property (template, az or REST JSON).
	terraform bool
	// provider, when set, limits the spelling to one azurerm version.
	provider string
	// suffix is the end of the path, without list indexes.
	suffix string
	// to maps the model's value; ok false leaves it as it is.
	to func(op check.EditOp, v any) (check.EditOp, any, bool)
}

// block is an empty nested block: a Terraform block whose presence switches a feature on
// (monitor_metrics {}): an EditBlock whose value is the block's content.
func block(content map[string]any) func(check.EditOp, any) (check.EditOp, any, bool) {
	return func(op check.EditOp, v any) (check.EditOp, any, bool) {
		if b, ok := v.(bool); ok && b && op == check.EditSet {
			out := map[string]any{}
			for k, x := range content {
				out[k] = x
			}
			return check.EditBlock, out, true
		}
		return op, v, false
	}
}

// enum maps string values (case-insensitively) to the input's values.
func enum(m map[string]any) func(check.EditOp, any) (check.EditOp, any, bool) {
	return func(op check.EditOp, v any) (check.EditOp, any, bool) {
		if s, ok := v.(string); ok {
			for k, x := range m {
				if strings.EqualFold(k, s) {
					return op, x, true
				}
			}
		}
		return op, v, false
	}
}

// boolOf maps the model's boolean values to the input's.
func boolOf(on, off any) func(check.EditOp, any) (check.EditOp, any, bool) {
	return func(op check.EditOp, v any) (check.EditOp, any, bool) {
		if b, ok := v.(bool); ok {
			if b {
				return op, on, true
			}
			return op, off, true
		}
		return op, v, false
	}
}

// spellings are the settings whose values the inputs spell otherwise than the model.
var spellings = []spelling{
	// The model's publicNetworkAccess (Enabled, Disabled) is a boolean in azurerm.
	{terraform: true, suffix: "public_network_access_enabled", to: enum(map[string]any{"Enabled": true, "Disabled": false})},
	// The model's add-on config values are strings ("true"), azurerm's booleans.
	{terraform: true, suffix: "secret_rotation_enabled", to: enum(map[string]any{"true": true, "false": false})},
	// Features azurerm switches on by writing a block.
	{terraform: true, suffix: "monitor_metrics", to: block(nil)},
	// AKS-managed Entra ID: the block itself in azurerm v4, which dropped the legacy
	// integration; managed = true in v3.
	{terraform: true, provider: subject.AzurermV4, suffix: "azure_active_directory_role_based_access_control", to: block(nil)},
	{terraform: true, provider: subject.AzurermV3, suffix: "azure_active_directory_role_based_access_control", to: block(map[string]any{"managed": true})},
	{terraform: true, suffix: "key_vault_secrets_provider", to: block(map[string]any{"secret_rotation_enabled": true})},
	// gmsa needs both its arguments; empty when the virtual network's DNS serves the domain.
	{terraform: true, suffix: "gmsa", to: block(map[string]any{"dns_server": "", "root_domain": ""})},
	// The default node pool takes the CriticalAddonsOnly taint by only_critical_addons_enabled.
	{terraform: true, suffix: "only_critical_addons_enabled", to: func(check.EditOp, any) (check.EditOp, any, bool) {
		return check.EditSet, true, true
	}},
	// ACR's quarantine policy is a status in ARM, a boolean in the model.
	{terraform: false, suffix: "quarantinePolicy.status", to: boolOf("enabled", "disabled")},
}

// spell returns the operation and value an edit takes in the input's spelling (provider is
// the azurerm version of a Terraform input).
func spell(form subject.Form, provider string, op check.EditOp, path string, v any) (check.EditOp, any) {
	terraform := form == subject.FormModule || form == subject.FormPlan
	bare := "." + stripIndexes(path)
	for _, s := range spellings {
		if s.terraform != terraform || !strings.HasSuffix(bare, "."+s.suffix) || (s.provider != "" && s.provider != provider) {
			continue
		}
		if o, x, ok := s.to(op, v); ok {
			return o, x
		}
	}
	return op, v
}

// stripIndexes removes the list indexes of a path ("agentPoolProfiles[system].x" becomes
// "agentPoolProfiles.x").
func stripIndexes(path string) string {
	var b strings.Builder
	depth := 0
	for _, r := range path {
		switch {
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}
