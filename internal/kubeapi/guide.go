package kubeapi

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Removal is one removal the Deprecated API Migration Guide lists: the apiVersion of a kind
// that a Kubernetes minor stops serving, and the apiVersion to migrate to ("" when the guide
// names none).
type Removal struct {
	APIVersion  string
	Kind        string
	RemovedIn   string
	Replacement string
}

var (
	guideRelease = regexp.MustCompile(`^###\s+v(1\.\d+)\s*$`)
	guideBold    = regexp.MustCompile(`\*\*([a-z0-9.\-]+/v[0-9a-z]+)\*\*`)
	// "The **a/v1beta1** and **b/v1beta1** API versions of A, B, and C will no longer be
	// served in v1.22" and "A in the **a/v1beta1** API version will no longer be served".
	guideOf       = regexp.MustCompile(`API versions? of (.+?) (?:will no longer be served|is no longer served|are no longer served)`)
	guideIn       = regexp.MustCompile(`^(.+?) in the \*\*`)
	guideMigrate  = regexp.MustCompile(`[Mm]igrate .*?to (?:use )?the \*\*([a-z0-9.\-]+/v[0-9a-z]+|v1)\*\* API version`)
	guideKindList = regexp.MustCompile(`,?\s+and\s+|,\s*`)
)

// ParseGuide reads the "Removed APIs by release" part of the Kubernetes Deprecated API
// Migration Guide (kubernetes/website content/en/docs/reference/using-api/deprecation-guide.md)
// into its removals, by release as the guide lists them. It reads the sentences the guide
// writes for each kind ("The **apps/v1beta2** API version of DaemonSet is no longer served
// as of v1.16", "Migrate manifests and API clients to use the **apps/v1** API version").
func ParseGuide(md []byte) ([]Removal, error) {
	var out []Removal
	release := ""
	var pending []Removal
	flush := func() {
		out = append(out, pending...)
		pending = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := guideRelease.FindStringSubmatch(line); m != nil {
			flush()
			release = m[1]
			continue
		}
		if strings.HasPrefix(line, "## ") {
			flush()
			release = ""
			continue
		}
		if release == "" {
			continue
		}
		if strings.HasPrefix(line, "#### ") {
			flush()
			continue
		}
		if strings.Contains(line, "no longer be served") || strings.Contains(line, "no longer served") {
			versions := guideBold.FindAllStringSubmatch(line, -1)
			var kinds []string
			if m := guideOf.FindStringSubmatch(line); m != nil {
				kinds = guideKindList.Split(strings.TrimSpace(m[1]), -1)
			} else if m := guideIn.FindStringSubmatch(line); m != nil {
				kinds = []string{strings.TrimSpace(m[1])}
			}
			for _, v := range versions {
				for _, k := range kinds {
					if k = strings.TrimSpace(k); k != "" {
						pending = append(pending, Removal{APIVersion: v[1], Kind: k, RemovedIn: release})
					}
				}
			}
			continue
		}
		if m := guideMigrate.FindStringSubmatch(line); m != nil {
			for i := range pending {
				if pending[i].Replacement == "" {
					pending[i].Replacement = m[1]
				}
			}
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no removals found (want the guide's \"### v1.N\" sections)")
	}
	return out, nil
}

// CompareGuide lists where the table disagrees with the guide's removals: a removal the
// table lacks, or one whose release or replacement differ. The table's own additions (the
// minor that deprecated each version, notes, the alpha CronJob) are not the guide's business.
func CompareGuide(removals []Removal) []string {
	var out []string
	for _, r := range removals {
		d, ok := Lookup(r.APIVersion, r.Kind)
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("missing: %s %s, removed in %s, replacement %q", r.APIVersion, r.Kind, r.RemovedIn, r.Replacement))
		case d.RemovedIn != r.RemovedIn:
			out = append(out, fmt.Sprintf("%s %s: removed in %s, the guide says %s", r.APIVersion, r.Kind, d.RemovedIn, r.RemovedIn))
		case r.Replacement != "" && d.Replacement != r.Replacement:
			out = append(out, fmt.Sprintf("%s %s: replacement %s, the guide says %s", r.APIVersion, r.Kind, d.Replacement, r.Replacement))
		}
	}
	return out
}
