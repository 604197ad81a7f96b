package subject

import "github.com/distribution/reference"

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

// Mutable reports whether the reference can point at different images over time: no digest,
// and no tag or the tag latest.
func (r ImageRef) Mutable() bool { return r.Digest == "" && (r.Tag == "" || r.Tag == "latest") }

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
