package cluster

import (
	"context"
	"fmt"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// RegulatedProfile finds clusters that miss the controls of regulated industries, when the
// regulated profile is selected.
var RegulatedProfile = check.New(check.Meta{
	ID:       "regulated-profile",
	Item:     "cluster.regulated-industries",
	Title:    "Under the regulated profile: FIPS, host encryption, customer-managed keys, KMS and Defender",
	Severity: check.Medium,
	Description: "Only with --profile regulated (otherwise not applicable): every Linux pool has FIPS " +
		"(enableFIPS; Terraform fips_enabled) and every pool encryption at host (enableEncryptionAtHost; " +
		"host_encryption_enabled, v3 enable_host_encryption); disks use a customer-managed key " +
		"(diskEncryptionSetID; disk_encryption_set_id); KMS etcd encryption and the Defender sensor are on. " +
		"The CIS benchmark run and the compliance sign-off remain manual.",
	Remediation: "Create FIPS-enabled pools with encryption at host, set a disk encryption set, and enable KMS and Defender.",
	Evidence:    clusterEvidence,
	Settings:    []check.Setting{ProfileSetting},
	Fix: "turns FIPS on for Linux pools (enableFIPS; fips_enabled) (az aks nodepool update --enable-fips-image), and encryption " +
		"at host (enableEncryptionAtHost; host_encryption_enabled) at creation; the disk encryption set, KMS key and Defender " +
		"workspace are the operator's to name",
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	if !strings.EqualFold(ProfileSetting.Get(env), "regulated") {
		r.NotApplicable()
		return
	}
	for _, p := range c.Pools {
		switch {
		case p.IsWindows():
		case p.EnableFIPS.IsUnknown():
			poolUndecided(r, c, p, "whether FIPS is enabled", p.EnableFIPS.Attr)
		case p.EnableFIPS.NotTrue():
			fix := onPool(c, p, az("aks", "nodepool", "update", "--enable-fips-image"), set(p.EnableFIPS.Attr, true))
			fix.Note = "The pool's nodes are reimaged with the FIPS-enabled OS."
			poolFailFix(r, c, p, p.EnableFIPS.Attr, fix, "FIPS is not enabled")
		}
		switch {
		case p.EnableEncryptionAtHost.IsUnknown():
			poolUndecided(r, c, p, "whether encryption at host is enabled", p.EnableEncryptionAtHost.Attr)
		case p.EnableEncryptionAtHost.NotTrue():
			fix := atCreation(onPool(c, p, az("aks", "nodepool", "add", "--enable-encryption-at-host"), set(p.EnableEncryptionAtHost.Attr, true)), "encryption at host")
			poolFailFix(r, c, p, p.EnableEncryptionAtHost.Attr, fix, "encryption at host is not enabled")
		}
	}
	// An unresolved disk encryption set ID names one (a reference to it): it is set.
	if c.DiskEncryptionSetID.Empty() {
		fail(r, c, c.DiskEncryptionSetID.Attr, "disks are not encrypted with a customer-managed key")
	}
	wantOn(r, c, c.KMSEnabled, "whether KMS etcd encryption is enabled", "KMS etcd encryption is off")
	wantOn(r, c, c.DefenderMonitoring, "whether the Defender sensor is enabled", "the Defender sensor is off")
})

// ProfileSetting selects stricter expectations.
var ProfileSetting = check.NewParam("profile",
	"stricter expectations: \"regulated\" asks for FIPS, host encryption, customer-managed disk keys, KMS and Defender (cluster.regulated-industries)", "",
	func(p string) error {
		if p != "" && !strings.EqualFold(p, "regulated") {
			return fmt.Errorf("profile %q: want \"\" or \"regulated\"", p)
		}
		return nil
	})
