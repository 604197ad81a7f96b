// Package enforce decides what admission does with a check's findings: deny the request, warn
// the client, or say nothing. The admission webhook (akscheck serve --webhook) and the
// ValidatingAdmissionPolicies of akscheck admission-policy read the same Policy, from the
// config's admission section, so that both enforce a check alike.
package enforce

import (
	"fmt"
	"slices"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
)

// Action is what admission does with a finding.
type Action string

// Actions, from the strongest.
const (
	// Deny rejects the request with the finding's message.
	Deny Action = "deny"
	// Warn admits it and returns the finding as a warning the client shows.
	Warn Action = "warn"
	// Off admits it and says nothing.
	Off Action = "off"
)

// ParseAction reads deny, warn or off, case-insensitively.
func ParseAction(s string) (Action, error) {
	switch a := Action(strings.ToLower(strings.TrimSpace(s))); a {
	case Deny, Warn, Off:
		return a, nil
	}
	return "", fmt.Errorf("unknown action %q (want deny, warn or off)", s)
}

// DefaultExcludedNamespaces are never reviewed: the control plane's own workloads.
var DefaultExcludedNamespaces = []string{"kube-system"}

// Policy is how admission enforces the checks.
type Policy struct {
	// BySeverity is the action for a finding of each severity (after the config's severity
	// overrides); a severity not named gets Default's.
	BySeverity map[check.Severity]Action
	// ByCheck is the action for the findings of a check, by check ID or item ID; it wins over
	// BySeverity, and a check ID over its item's ID.
	ByCheck map[string]Action
	// ExcludeNamespaces are never reviewed (besides the webhook's own namespace).
	ExcludeNamespaces []string
}

// Default denies findings of high severity and above and warns about the rest.
func Default() *Policy {
	return &Policy{
		BySeverity:        map[check.Severity]Action{check.Critical: Deny, check.High: Deny, check.Medium: Warn, check.Low: Warn, check.Info: Warn},
		ByCheck:           map[string]Action{},
		ExcludeNamespaces: slices.Clone(DefaultExcludedNamespaces),
	}
}

// For returns the action for a finding of check c (checkID, its item) with severity sev.
func (p *Policy) For(checkID, item string, sev check.Severity) Action {
	if p == nil {
		p = Default()
	}
	if a, ok := p.ByCheck[checkID]; ok {
		return a
	}
	if a, ok := p.ByCheck[item]; ok {
		return a
	}
	if a, ok := p.BySeverity[sev]; ok {
		return a
	}
	return Default().BySeverity[sev]
}

// Excluded reports whether namespace is never reviewed.
func (p *Policy) Excluded(namespace string) bool {
	if p == nil {
		p = Default()
	}
	return namespace != "" && slices.Contains(p.ExcludeNamespaces, namespace)
}
