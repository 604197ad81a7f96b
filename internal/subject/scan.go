package subject

import "github.com/akscheck/akscheck/internal/catalog"

// Input is one source that was read: a file, stdin, a chart, a cluster context.
type Input struct {
	Kind    InputKind
	Source  string
	Objects int
}

// LoadError is an input, or a part of one, that could not be read. Line is 1-based, 0 when
// unknown.
type LoadError struct {
	Source  string
	Line    int
	Message string
}

// Scan is everything the loaders produced for one run: the objects, what was read, and what
// could not be.
type Scan struct {
	Objects []*Object
	// Others are the subjects that are not Kubernetes objects: AKS clusters, registries,
	// Dockerfiles, image scan reports.
	Others []Subject
	Inputs []Input
	Errors []LoadError
	// Skipped counts documents that are not Kubernetes objects (no apiVersion or kind).
	Skipped int
	// Evidence holds the evidence kinds the inputs provide: an item none of whose kinds is
	// here is not evaluated.
	Evidence map[catalog.Evidence]bool
	// Unlisted holds the kinds whose objects are not all in the scan although the input
	// should have held them (a live list that failed, or kinds outside a namespace-limited
	// live scan), with the reason. A check that needs one of them cannot pass.
	Unlisted map[string]string
	// Partial, when set, says why the scan holds only part of an estate (the changed files
	// of a commit): the checks that read other objects besides their subjects (Requires)
	// are not evaluated, since what they look for may be in the files not given.
	Partial string
	// Absent says why an evidence kind the inputs do not provide was not read, when a
	// front-end knows (the audit's Azure pass not configured, or failing): the items left
	// not evaluated for want of it say so instead of asking for that input.
	Absent map[catalog.Evidence]string
}

// Merge appends another scan's results to s.
func (s *Scan) Merge(o *Scan) {
	s.Objects = append(s.Objects, o.Objects...)
	s.Others = append(s.Others, o.Others...)
	s.Inputs = append(s.Inputs, o.Inputs...)
	s.Errors = append(s.Errors, o.Errors...)
	s.Skipped += o.Skipped
	if s.Partial == "" {
		s.Partial = o.Partial
	}
	if s.Evidence == nil {
		s.Evidence = map[catalog.Evidence]bool{}
	}
	for k, v := range o.Evidence {
		if v {
			s.Evidence[k] = true
		}
	}
	for k, why := range o.Unlisted {
		if s.Unlisted == nil {
			s.Unlisted = map[string]string{}
		}
		if _, seen := s.Unlisted[k]; !seen {
			s.Unlisted[k] = why
		}
	}
	for ev, why := range o.Absent {
		if s.Absent == nil {
			s.Absent = map[catalog.Evidence]string{}
		}
		if _, seen := s.Absent[ev]; !seen {
			s.Absent[ev] = why
		}
	}
}
