package subject

import (
	"strings"

	"github.com/distribution/reference"
)

// ImageRef is a parsed container image reference.
type ImageRef struct {
	// Registry is the registry host; "docker.io" for Docker Hub images that name none.
	Registry string
	// Repository is the path within the registry.
	Repository string
	Tag        string
	Digest     string
	// Valid is false when the reference does not parse.
	Valid bool
}

// Versioned reports whether the reference names one version of an image: a digest, or a tag
// that reads as a version because it holds a digit (1.4.2, v2, 2024.01.5, 16.4-alpine,
// sha-3f2a9c1). Every tag can be moved, but a version tag is moved by mistake; no tag, latest
// and the name-like tags without a digit (stable, main, edge, lts, alpine, aspnetapp) are
// channels, moved by design to whatever is newest. The checks of image pinning share this
// one rule.
func (r ImageRef) Versioned() bool {
	return r.Digest != "" || strings.ContainsAny(r.Tag, "0123456789")
}

// Channel reports whether the reference has a name-like tag other than latest (stable,
// alpine, aspnetapp): a channel that moves like latest, though it does not read as one.
func (r ImageRef) Channel() bool {
	return !r.Versioned() && r.Tag != "" && r.Tag != "latest"
}

// ParseImage parses an image reference as the container runtime does.
func ParseImage(image string) ImageRef {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return ImageRef{}
	}
	r := ImageRef{Registry: reference.Domain(named), Repository: reference.Path(named), Valid: true}
	if t, ok := named.(reference.Tagged); ok {
		r.Tag = t.Tag()
	}
	if d, ok := named.(reference.Digested); ok {
		r.Digest = d.Digest().String()
	}
	return r
}

// imageCache parses each distinct image string once per index: estates reuse few images
// across many workloads, and parsing is regexp-heavy.
type imageCache map[string]ImageRef

func (c *imageCache) parse(image string) ImageRef {
	if *c == nil {
		*c = map[string]ImageRef{}
	}
	if r, ok := (*c)[image]; ok {
		return r
	}
	r := ParseImage(image)
	(*c)[image] = r
	return r
}
