package subject

import "testing"

func TestImageVersioned(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		image              string
		versioned, channel bool
	}{
		{"web:1.4.2", true, false},
		{"web:v2", true, false},
		{"web:2024.01.5", true, false},
		{"postgres:16.4-alpine", true, false},
		{"web@sha256:015e688b5cfe22f51f773fe9c370bf306b3e13965fe2e261725e04c2f4cf62de", true, false},
		{"web:stable@sha256:015e688b5cfe22f51f773fe9c370bf306b3e13965fe2e261725e04c2f4cf62de", true, false},
		{"web", false, false},
		{"web:latest", false, false},
		{"mcr.microsoft.com/dotnet/samples:aspnetapp", false, true},
		{"nginx:stable-alpine", false, true},
		{"web:main", false, true},
	} {
		r := ParseImage(tc.image)
		if r.Versioned() != tc.versioned || r.Channel() != tc.channel {
			t.Errorf("%s: Versioned %v, Channel %v; want %v, %v", tc.image, r.Versioned(), r.Channel(), tc.versioned, tc.channel)
		}
	}
}
