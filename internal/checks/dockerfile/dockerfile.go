// Package dockerfile holds the checks that read Dockerfiles. Rules about the image that runs
// look at the final stage (or the --target stage) and the stages it is built FROM; rules about
// the build look at every stage. Each check is one file with its metadata and logic; its
// fixtures are in testdata/<check-id>/ (pass_*.Dockerfile, fail_*.Dockerfile).
package dockerfile

import (
	"iter"
	"path"
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

// evidence is what feeds every check of this package.
var evidence = []catalog.Evidence{catalog.Dockerfile}

// instructionsOf returns the instructions with a keyword in a stage.
func instructionsOf(s *subject.DockerStage, keyword string) []*subject.DockerInstruction {
	var out []*subject.DockerInstruction
	for i := range s.Instructions {
		if s.Instructions[i].Keyword == keyword {
			out = append(out, &s.Instructions[i])
		}
	}
	return out
}

// everyInstruction yields the instructions with a keyword in every stage (not only those the
// final image is built from), each with its stage.
func everyInstruction(df *subject.Dockerfile, keyword string) iter.Seq2[*subject.DockerStage, *subject.DockerInstruction] {
	return func(yield func(*subject.DockerStage, *subject.DockerInstruction) bool) {
		for _, s := range df.Stages {
			for _, in := range instructionsOf(s, keyword) {
				if !yield(s, in) {
					return
				}
			}
		}
	}
}

// lastInChain returns the last instruction with a keyword that the final image inherits:
// from the final stage, else the stages it is built FROM.
func lastInChain(df *subject.Dockerfile, keyword string) (*subject.DockerInstruction, *subject.DockerStage) {
	for _, s := range df.Chain() {
		if ins := instructionsOf(s, keyword); len(ins) > 0 {
			return ins[len(ins)-1], s
		}
	}
	return nil, nil
}

// imageNames returns the spellings a pattern may use for an image: the full name and the
// familiar one (alpine for docker.io/library/alpine), each with and without its tag.
func imageNames(ref subject.ImageRef) []string {
	full := ref.Registry + "/" + ref.Repository
	familiar := full
	if ref.Registry == "docker.io" {
		familiar = strings.TrimPrefix(ref.Repository, "library/")
	}
	names := []string{full, familiar}
	if ref.Tag != "" {
		names = append(names, full+":"+ref.Tag, familiar+":"+ref.Tag)
	}
	return names
}

// matchesImage reports whether an image matches one of the patterns (path.Match syntax,
// against imageNames).
func matchesImage(ref subject.ImageRef, patterns []string) bool {
	for _, p := range patterns {
		for _, n := range imageNames(ref) {
			if ok, _ := path.Match(p, n); ok {
				return true
			}
		}
	}
	return false
}

// baseRef names a stage's base in messages.
func baseRef(s *subject.DockerStage) string {
	if s.Scratch() {
		return "scratch"
	}
	return s.From
}
