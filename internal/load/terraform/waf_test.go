package terraform

import (
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// WAF policies of a module: Application Gateway (policy_settings, Prevention and enabled by
// default) and Front Door (mode required, enabled by default).
func TestWAFPolicies(t *testing.T) {
	t.Parallel()
	src := `
resource "azurerm_web_application_firewall_policy" "agw" {
  name = "waf-agw"
  managed_rules {
    managed_rule_set {
      version = "3.2"
    }
  }
}
resource "azurerm_cdn_frontdoor_firewall_policy" "afd" {
  name     = "wafafd"
  sku_name = "Premium_AzureFrontDoor"
  mode     = "Detection"
}
resource "azurerm_frontdoor_firewall_policy" "classic" {
  name    = "wafclassic"
  mode    = "Prevention"
  enabled = false
}
`
	s := LoadModule([]File{{Path: "main.tf", Data: []byte(src)}}, Options{})
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	got := map[string]*subject.WAFPolicy{}
	for _, o := range s.Others {
		if w, ok := o.(*subject.WAFPolicy); ok {
			got[w.Name] = w
		}
	}
	agw, afd, classic := got["azurerm_web_application_firewall_policy.agw"], got["azurerm_cdn_frontdoor_firewall_policy.afd"], got["azurerm_frontdoor_firewall_policy.classic"]
	if agw == nil || afd == nil || classic == nil {
		t.Fatalf("policies: %+v", got)
	}
	if agw.Service != "Application Gateway" || !agw.Mode.Is("Prevention") || !agw.Enabled.True() || !agw.Blocks() {
		t.Errorf("agw: %+v", agw)
	}
	if afd.Service != "Front Door" || !afd.Mode.Is("Detection") || afd.Blocks() {
		t.Errorf("afd: %+v", afd)
	}
	if !classic.Enabled.IsKnown() || classic.Enabled.V || classic.Blocks() {
		t.Errorf("classic: %+v", classic)
	}
}
