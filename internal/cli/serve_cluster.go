package cli

import (
	"fmt"
	"strings"

	"github.com/akscheck/akscheck/internal/audit"
)

// auditClusterName is the audit's cluster in its history (every row of a history that
// several clusters share carries it): --cluster-name when given, else the AKS cluster's ARM
// resource ID when the audit is given it (armID: the Azure pass's --aks-resource-id; one
// found through Resource Graph comes after the history opens), else the kube context's name
// ("in-cluster" in a pod, which a fleet must replace with --cluster-name). An ARM ID is lowercased: Azure compares them without
// case, and two servers spelling one differently must be one cluster.
func auditClusterName(given, armID, contextName string) (string, error) {
	name := given
	switch {
	case name != "":
	case armID != "":
		name = strings.ToLower(armID)
	default:
		name = contextName
	}
	if err := audit.ValidateClusterName(name); err != nil {
		if given != "" {
			return "", fmt.Errorf("--cluster-name: %w", err)
		}
		return "", fmt.Errorf("%w (give --cluster-name)", err)
	}
	return name, nil
}
