package report

import (
	"crypto/sha256"
	"encoding/hex"
)

// Fingerprint identifies a finding across scans: its check, the identity of its object (kind,
// namespace, name) and its container. It leaves out the file, the line and the message, so it
// stays the same when lines move, files are renamed or a message is reworded. Findings of one
// check on the same container share it (the object's labels and its pod template's labels, say):
// consumers that need to tell them apart count occurrences.
func Fingerprint(f Finding) string {
	return fingerprint(f.Check, f.Object, f.Container)
}

// FixedFingerprint is Fingerprint for a finding recorded in a baseline.
func FixedFingerprint(f FixedFinding) string {
	return fingerprint(f.Check, f.Object, f.Container)
}

func fingerprint(checkID string, o Object, container string) string {
	h := sha256.New()
	for _, part := range []string{checkID, o.Kind, o.Namespace, o.Name, container} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
