package cli

import (
	"os"
	"strings"

	"github.com/akscheck/akscheck/internal/aksversion"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/cluster"
)

// applyAzureFlags sets the parameters of the Azure checks from scan's flags: the version
// data, the required tags and the profile.
func applyAzureFlags(f *scanFlags, settings check.Settings) error {
	if f.versionsFile != "" {
		data, err := os.ReadFile(f.versionsFile)
		if err != nil {
			return usageErr("--versions-file: %v", err)
		}
		v, err := aksversion.Parse(data)
		if err != nil {
			return usageErr("--versions-file %s: %v", f.versionsFile, err)
		}
		cluster.VersionsSetting.Set(settings, v)
	}
	if len(f.requiredTags) > 0 {
		cluster.RequiredTagsSetting.Set(settings, f.requiredTags)
	}
	switch strings.ToLower(f.profile) {
	case "":
	case "regulated":
		cluster.ProfileSetting.Set(settings, "regulated")
	default:
		return usageErr("--profile %q: want regulated", f.profile)
	}
	return nil
}
