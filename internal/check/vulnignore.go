package check

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/subject"
)

// VulnIgnore accepts a vulnerability (an entry of the config's vulnerabilities.ignore): the
// findings of dev.vulnerability-threshold it matches are suppressed with its reason until it
// expires.
type VulnIgnore struct {
	// ID is the vulnerability ID (CVE-2024-1234, GHSA-…), compared case-insensitively.
	ID string `yaml:"id" json:"id"`
	// Package limits the entry to one package name; empty means any package.
	Package string `yaml:"package,omitempty" json:"package,omitempty"`
	// Image limits the entry to one image: a repository ("myacr.azurecr.io/shop/web") matches
	// every tag and digest of it, a reference with a tag or digest only that one.
	Image string `yaml:"image,omitempty" json:"image,omitempty"`
	// Reason says why the vulnerability is accepted; it is mandatory and shown with every
	// suppressed finding.
	Reason string `yaml:"reason" json:"reason"`
	// Expires is when the entry stops applying (a date means its first moment, UTC); zero
	// means never. An expired entry no longer suppresses, and is reported.
	Expires time.Time `yaml:"expires,omitempty" json:"expires,omitzero"`
}

// Validate reports what makes an entry unusable: no ID, no reason, or an image that is not an
// image reference.
func (v VulnIgnore) Validate() error {
	var problems []string
	if strings.TrimSpace(v.ID) == "" {
		problems = append(problems, "no id")
	}
	if strings.TrimSpace(v.Reason) == "" {
		problems = append(problems, "no reason (a reason is mandatory)")
	}
	if v.Image != "" && !subject.ParseImage(v.Image).Valid {
		problems = append(problems, fmt.Sprintf("image %q is not an image reference", v.Image))
	}
	if len(problems) > 0 {
		return errors.New("vulnerabilities.ignore entry " + strings.TrimSpace(v.ID) + ": " + strings.Join(problems, "; "))
	}
	return nil
}

// Expired reports whether the entry no longer applies at now.
func (v VulnIgnore) Expired(now time.Time) bool { return !v.Expires.IsZero() && !now.Before(v.Expires) }

// Matches reports whether the entry names a vulnerability of a package of an image (given by
// the references a scan report holds for it). Invalid entries match nothing.
func (v VulnIgnore) Matches(id, pkg string, images []subject.ImageRef) bool {
	if v.Validate() != nil || !strings.EqualFold(strings.TrimSpace(v.ID), id) {
		return false
	}
	if v.Package != "" && v.Package != pkg {
		return false
	}
	if v.Image == "" {
		return true
	}
	want := subject.ParseImage(v.Image)
	for _, im := range images {
		if im.Registry != want.Registry || im.Repository != want.Repository {
			continue
		}
		if (want.Tag == "" || want.Tag == im.Tag) && (want.Digest == "" || want.Digest == im.Digest) {
			return true
		}
	}
	return false
}

// ParseAge reads an age given in days ("7d") or as a Go duration ("36h", "90m"), as
// --report-max-age takes it.
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q: want a positive number of days (7d) or a duration (36h)", s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, bad
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, bad
	}
	return d, nil
}

// Age is a duration that flags and the config write in days ("7d") or as a Go duration
// ("36h").
type Age time.Duration

// Duration returns the age as a time.Duration.
func (a Age) Duration() time.Duration { return time.Duration(a) }

// String writes whole days as "7d", other ages as a Go duration.
func (a Age) String() string {
	d := time.Duration(a)
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}

// MarshalText implements encoding.TextMarshaler.
func (a Age) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler, with ParseAge.
func (a *Age) UnmarshalText(b []byte) error {
	d, err := ParseAge(string(b))
	if err != nil {
		return err
	}
	*a = Age(d)
	return nil
}
