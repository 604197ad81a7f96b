package config

import (
	"fmt"
	"io"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
)

// WriteStarter writes a commented starter config: every key with its default, and every check
// with its item and default severity, ready to be uncommented.
func WriteStarter(w io.Writer, checks []*check.Check) error {
	var b strings.Builder
	b.WriteString(`# akscheck configuration. Keep it in git next to the code it checks.
# Every key is optional; unknown keys are errors. Docs: docs/checks.md.
checks:
  # Checks (check IDs or item IDs) that do not run.
  disable: []
  # Checks that are off by default (marked "off by default" below) and should run.
  enable: []
  # Severity overrides (critical, high, medium, low, info), by check ID or item ID.
  severity: {}
  # Ignore exemptions made by the akscheck.io/exempt annotation (same as --strict).
  strict: false
  # Attestations older than this are reported as stale.
  attestationMaxAgeDays: 365
  params:
`)
	settings, err := check.SettingsOf(checks)
	if err != nil {
		return err
	}
	for _, st := range settings {
		if !st.Param() {
			continue
		}
		v, err := check.InlineYAML(st.DefaultValue())
		if err != nil {
			return fmt.Errorf("setting %s: %w", st.Key(), err)
		}
		fmt.Fprintf(&b, "    # %s\n    %s: %s\n", st.Doc(), st.Key(), v)
	}
	b.WriteString(`
# Findings that do not apply, with the reason (mandatory) and an optional expiry.
exemptions: []
#  - check: dev.replicas          # a check ID or an item ID
#    kind: Deployment             # optional; globs allowed in kind, namespace, name, container
#    namespace: tools
#    name: batch-*
#    reason: "one consumer by design"
#    expires: 2026-12-31

# Manual items a person checked.
attestations: []
#  - item: dr.multiregion
#    by: jane@contoso.com
#    date: 2026-10-01
#    evidence: "https://wiki.contoso.com/dr-plan"

# Accepted vulnerabilities of image scan reports (id and reason are mandatory).
vulnerabilities:
  ignore: []
#    - id: CVE-2024-6119
#      package: libssl3
#      reason: "not reachable from the app"
#      expires: 2027-01-31

# Your own rules, in CEL: expression is true when the object is compliant.
customChecks: []
#  - id: require-team-label
#    item: ops.labels
#    severity: medium
#    kinds: [Deployment, StatefulSet]
#    expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
#    message: "'no team label on ' + object.metadata.name"
#  - id: standard-tier
#    item: dr.control-plane-sla
#    target: cluster          # or nodePool (pool, cluster) or registry; docs/config.md lists the fields
#    expression: "cluster.?sku.?tier.orValue('Free') != 'Free'"

# The checks, with their item and default severity (for checks.disable, checks.enable and
# checks.severity):
`)
	for _, c := range checks {
		off := ""
		if c.DisabledByDefault {
			off = " (off by default)"
		}
		fmt.Fprintf(&b, "#   %-36s %-32s %s%s\n", c.ID, c.Item, c.Severity, off)
	}
	_, err = io.WriteString(w, b.String())
	return err
}
