package cli

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/akscheck/akscheck/internal/admissionpolicy"
	"github.com/akscheck/akscheck/internal/check"
)

func (a *app) admissionPolicyCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "admission-policy",
		Short: "Write the single-object checks as Kubernetes ValidatingAdmissionPolicies (CEL) with their bindings",
		Long: `admission-policy writes a ValidatingAdmissionPolicy and its binding (admissionregistration.k8s.io/v1,
Kubernetes 1.30 and later) for each check that can be judged on one object by a CEL
expression, so that a cluster enforces them in kube-apiserver itself, without the
akscheck webhook. The config (--config) decides as for the webhook: disabled checks and
checks whose admission action is off are left out, severities and the admission section
choose Deny or Warn, excluded namespaces are left out by the bindings, and the exemption
annotation and the config's exemptions are match conditions.

Checks written as policies:
  ` + strings.Join(checkIDs(admissionpolicy.Covered(a.checks)), "\n  ") + `

Every other check needs the webhook (or a scan): it reads other objects, the cluster or
Azure, or parses what CEL cannot (image references).`,
		Args: cobra.NoArgs,
		Example: `  akscheck admission-policy | kubectl apply -f -
  akscheck admission-policy --config .akscheck.yaml -o akscheck-policies.yaml`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := admissionpolicy.Generate(admissionpolicy.Options{
				Checks: a.checks, Policy: a.resolved.Policy, Admission: a.resolved.Admission,
				Settings: a.resolved.Settings, Now: a.now(),
			})
			if err != nil {
				return fmt.Errorf("generating the admission policies: %w", err)
			}
			for _, n := range set.Notes {
				fmt.Fprintf(cmd.ErrOrStderr(), "akscheck: note: %s\n", n)
			}
			header := fmt.Sprintf("# ValidatingAdmissionPolicies written by akscheck admission-policy: %d checks.\n"+
				"# Generate them again after changing the config or upgrading akscheck; do not edit them.\n", len(set.Policies))
			var b bytes.Buffer
			if err := set.WriteYAML(&b, header); err != nil {
				return err
			}
			if output == "" || output == "-" {
				_, err := cmd.OutOrStdout().Write(b.Bytes())
				return err
			}
			if err := os.WriteFile(output, b.Bytes(), 0o644); err != nil {
				return fmt.Errorf("writing the admission policies: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the YAML to FILE (default: standard output)")
	return cmd
}

func checkIDs(cs []*check.Check) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}
