package engine

import (
	"slices"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// findingBlocks holds a check's findings in the order its subjects were judged, in blocks
// that are never copied. A slice grown by append copies all it holds each time it grows by a
// quarter: a check that fails 75,000 subjects allocated four times the 22 MB its findings
// hold, garbage that brought the collector back in the middle of the checks, where the heap
// peaks (half of what the checks stage of the engine benchmark allocated).
//
// A finding is kept as a storedFinding, without what it shares with its check and its
// subject: the findings are kept until every check has ended, at the peak of a scan's heap.
type findingBlocks struct {
	meta   *check.Meta // the check's, which its findings name
	blocks [][]storedFinding
	n      int
}

// storedFinding is a finding less its check, item and remediation (its check's) and the
// object and place it names (its subject's, with a field path of its own): 88 bytes instead
// of 272. What few findings have (an exemption's note, related objects) is kept beside it
// (rare), and so is a finding that names another object or place (a node pool's setting
// seen on its Nodes, a Terraform attribute's line), whole.
type storedFinding struct {
	subject   subject.Subject
	message   string
	container string
	path      string
	fix       *check.Fix
	rare      *rareFinding
	severity  check.Severity
}

// rareFinding is what a storedFinding keeps of what few findings have.
type rareFinding struct {
	suppressedBy string
	related      []check.Related
	whole        *check.Finding // the finding, when it names more than its subject
}

// wholeFinding is the finding kept whole, nil when it is kept in parts.
func (sf *storedFinding) wholeFinding() *check.Finding {
	if sf.rare == nil {
		return nil
	}
	return sf.rare.whole
}

// Blocks start small (most checks find little) and double up to maxFindingBlock findings, so
// a block's unused room is never more than what the blocks before it hold, nor 32 KB.
const (
	minFindingBlock = 8
	maxFindingBlock = 256
)

// trim moves the findings of the last block, when it has room left, to a block of their
// size. A check's findings are kept in one list per span of subjects, and the room left in
// the last blocks of thousands of spans outweighs that copy (1.3 MB of the dense 105k
// tree's heap when the checks end).
func (b *findingBlocks) trim() {
	if last := len(b.blocks) - 1; last >= 0 && len(b.blocks[last]) < cap(b.blocks[last]) {
		b.blocks[last] = slices.Clone(b.blocks[last])
	}
}

// join appends the findings of o, which are kept where they are: o is not used after.
func (b *findingBlocks) join(o *findingBlocks) {
	if o.n == 0 {
		return
	}
	b.meta = o.meta
	b.blocks = append(b.blocks, o.blocks...)
	b.n += o.n
}

// add appends fs, the findings of the check of meta on s, whose identity is id.
func (b *findingBlocks) add(meta *check.Meta, s subject.Subject, id subject.Identity, fs []check.Finding) {
	b.meta = meta
	if v, ok := s.(interface{ Self() *subject.Object }); ok {
		// A view (a workload, an autoscaler) is kept as its object, whose identity it has:
		// what the view holds, a workload's pod template, can go with the index.
		s = v.Self()
	}
	for len(fs) > 0 {
		last := len(b.blocks) - 1
		if last < 0 || len(b.blocks[last]) == cap(b.blocks[last]) {
			size := minFindingBlock
			if last >= 0 {
				size = min(max(2*cap(b.blocks[last]), minFindingBlock), maxFindingBlock)
			}
			b.blocks = append(b.blocks, make([]storedFinding, 0, size))
			last++
		}
		k := min(cap(b.blocks[last])-len(b.blocks[last]), len(fs))
		for i := range k {
			b.blocks[last] = append(b.blocks[last], store(meta, s, id, &fs[i]))
		}
		fs = fs[k:]
		b.n += k
	}
}

// store is f as a storedFinding.
func store(meta *check.Meta, s subject.Subject, id subject.Identity, f *check.Finding) storedFinding {
	own := f.Check == meta.ID && f.Item == meta.Item && f.Remediation == meta.Remediation &&
		f.Object == refOf(id) && f.Location == placeOf(id, f.Location.Path)
	if !own {
		whole := *f
		return storedFinding{rare: &rareFinding{whole: &whole}}
	}
	sf := storedFinding{subject: s, severity: f.Severity, message: f.Message, container: f.Container,
		path: f.Location.Path, fix: f.Fix}
	if f.SuppressedBy != "" || f.Related != nil {
		sf.rare = &rareFinding{suppressedBy: f.SuppressedBy, related: f.Related}
	}
	return sf
}

// finding is the finding sf holds.
func (sf *storedFinding) finding(meta *check.Meta) check.Finding {
	id := sf.subject.Identity()
	f := check.Finding{Check: meta.ID, Item: meta.Item, Severity: sf.severity, Message: sf.message,
		Remediation: meta.Remediation, Object: refOf(id), Container: sf.container,
		Location: placeOf(id, sf.path), Fix: sf.fix}
	if sf.rare != nil {
		f.Related, f.SuppressedBy = sf.rare.related, sf.rare.suppressedBy
	}
	return f
}

func refOf(id subject.Identity) check.ObjectRef {
	return check.ObjectRef{APIVersion: id.APIVersion, Kind: id.Kind, Namespace: id.Namespace, Name: id.Name}
}

// placeOf is where the subject starts, at a field path.
func placeOf(id subject.Identity, path string) subject.Location {
	l := id.Source
	l.Path = path
	return l
}

// detach makes the findings name their subjects by identity, one namedSubject per subject
// (shared through named by the findings of every check), so that they keep no subject.
func (b *findingBlocks) detach(named map[subject.Subject]*namedSubject) {
	for _, block := range b.blocks {
		for i := range block {
			sf := &block[i]
			if sf.wholeFinding() != nil {
				continue
			}
			n := named[sf.subject]
			if n == nil {
				n = &namedSubject{id: sf.subject.Identity()}
				named[sf.subject] = n
			}
			sf.subject = n
		}
	}
}

// namedSubject is a subject by its identity alone, which keeps nothing of the subject but
// the strings that name it.
type namedSubject struct{ id subject.Identity }

func (n *namedSubject) Identity() subject.Identity { return n.id }

// len is how many findings it holds.
func (b *findingBlocks) len() int { return b.n }

// each calls fn with each finding in order, by pointer: what fn changes is kept. fn must not
// keep the pointer, which the next finding reuses (one per finding allocated as much as the
// findings themselves), and which is made only for a check with findings (a webhook review
// runs 150 checks, most of which find nothing on its object).
func (b *findingBlocks) each(fn func(*check.Finding)) {
	var f *check.Finding
	for _, block := range b.blocks {
		for i := range block {
			sf := &block[i]
			if whole := sf.wholeFinding(); whole != nil {
				fn(whole)
				continue
			}
			if f == nil {
				f = new(check.Finding)
			}
			*f = sf.finding(b.meta)
			fn(f)
			*sf = store(b.meta, sf.subject, sf.subject.Identity(), f)
		}
	}
}
