package cli

import (
	"os"
	"strings"

	"github.com/akscheck/akscheck/internal/aksversion"
	"github.com/akscheck/akscheck/internal/check"
)

// applyAzureFlags sets the parameters of the Azure checks from scan's flags: the version
// data, the required tags and the profile.
func applyAzureFlags(f *scanFlags, params *check.Params) error {
	if f.versionsFile != "" {
		data, err := os.ReadFile(f.versionsFile)
		if err != nil {
			return usageErr("--versions-file: %v", err)
		}
		v, err := aksversion.Parse(data)
		if err != nil {
			return usageErr("--versions-file %s: %v", f.versionsFile, err)
		}
		params.Versions = v
	}
	if len(f.requiredTags) > 0 {
		params.RequiredTags = f.requiredTags
	}
	switch strings.ToLower(f.profile) {
	case "":
	case "regulated":
		params.Profile = "regulated"
	default:
		return usageErr("--profile %q: want regulated", f.profile)
	}
	return nil
}
