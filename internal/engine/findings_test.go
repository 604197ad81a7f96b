package engine

import (
	"reflect"
	"runtime"
	"strconv"
	"testing"
	"weak"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var blockMeta = &check.Meta{ID: "some-check", Item: "some.item", Remediation: "Fix it."}

func blockSubject() (*subject.Object, subject.Identity) {
	o := &subject.Object{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "ns", Meta: &metav1.ObjectMeta{Name: "web"},
		Source: subject.Location{File: "web.yaml", Line: 3}}
	return o, o.Identity()
}

// ownFinding is a finding of blockMeta on the subject, as check.Result.Add makes it.
func ownFinding(id subject.Identity, msg string) check.Finding {
	return check.Finding{Check: blockMeta.ID, Item: blockMeta.Item, Remediation: blockMeta.Remediation, Severity: check.High,
		Message: msg, Object: refOf(id), Location: placeOf(id, "spec.replicas"), Container: "app"}
}

// TestFindingBlocks: findings come back in the order they were added, whatever the sizes of
// the batches and however they were split among blocks joined in order (the spans of
// subjects the cores judge); no block is copied, empty or larger than maxFindingBlock.
func TestFindingBlocks(t *testing.T) {
	t.Parallel()
	s, id := blockSubject()
	batch := func(from, n int) []check.Finding {
		out := make([]check.Finding, n)
		for i := range out {
			out[i] = ownFinding(id, strconv.Itoa(from+i))
		}
		return out
	}
	batches := []int{0, 1, 7, 2, 300, 0, 1, 513, 64}
	for _, parts := range []int{1, 2, 4, len(batches)} {
		var b findingBlocks
		part := make([]findingBlocks, parts)
		total := 0
		for i, n := range batches {
			part[i*parts/len(batches)].add(blockMeta, s, id, batch(total, n))
			total += n
		}
		for i := range part {
			part[i].trim()
			b.join(&part[i])
		}
		if b.len() != total {
			t.Fatalf("%d parts: len %d, want %d", parts, b.len(), total)
		}
		i := 0
		b.each(func(f *check.Finding) {
			if f.Message != strconv.Itoa(i) {
				t.Fatalf("%d parts: finding %d is %q", parts, i, f.Message)
			}
			i++
		})
		for j, block := range b.blocks {
			if cap(block) > maxFindingBlock {
				t.Errorf("%d parts: block %d holds %d", parts, j, cap(block))
			}
			if len(block) == 0 {
				t.Errorf("%d parts: block %d is empty", parts, j)
			}
		}
	}
	var b findingBlocks
	b.join(&findingBlocks{})
	b.each(func(*check.Finding) { t.Error("an empty list has a finding") })
}

// TestFindingBlocksKeepFindings: what each gives back is what was added, field for field,
// whether the finding names its subject (kept without what it shares with it) or another
// object or place (kept whole); and what each's function changes stays changed.
func TestFindingBlocksKeepFindings(t *testing.T) {
	t.Parallel()
	s, id := blockSubject()
	own := ownFinding(id, "replicas: 1")
	own.Related = []check.Related{{Kind: "Service", Namespace: "ns", Name: "web"}}
	own.Fix = &check.Fix{}
	own.SuppressedBy = "annotation"
	elsewhere := ownFinding(id, "on its nodes")
	elsewhere.Object = check.ObjectRef{APIVersion: "v1", Kind: "Node", Name: "aks-1"}
	otherLine := ownFinding(id, "at another line")
	otherLine.Location.Line = 9
	otherCheck := ownFinding(id, "another remediation")
	otherCheck.Remediation = "Something else."
	want := []check.Finding{own, elsewhere, otherLine, otherCheck}
	var b findingBlocks
	b.add(blockMeta, s, id, want)
	whole := 0
	for _, sf := range b.blocks[0] {
		if sf.wholeFinding() != nil {
			whole++
		}
	}
	if whole != 3 {
		t.Errorf("%d findings kept whole, want the 3 that name more than their subject", whole)
	}
	i := 0
	b.each(func(f *check.Finding) {
		if !equalFindings(*f, want[i]) {
			t.Errorf("finding %d:\n got %+v\nwant %+v", i, *f, want[i])
		}
		f.Severity, f.SuppressedBy = check.Low, "exemption "+strconv.Itoa(i)
		f.Location.Path = "spec.other"
		i++
	})
	i = 0
	b.each(func(f *check.Finding) {
		if f.Severity != check.Low || f.SuppressedBy != "exemption "+strconv.Itoa(i) || f.Location.Path != "spec.other" {
			t.Errorf("finding %d lost what each changed: %+v", i, *f)
		}
		i++
	})
}

func equalFindings(a, b check.Finding) bool {
	return reflect.DeepEqual(a, b) && a.Fix == b.Fix
}

// TestFindingBlocksKeepTheObjectOfAView: the findings of a workload are kept with its object,
// not its view, which holds the pod template and may go with the index before the report
// is built.
func TestFindingBlocksKeepTheObjectOfAView(t *testing.T) {
	t.Parallel()
	o, id := blockSubject()
	w := &subject.Workload{Object: o}
	var b findingBlocks
	b.add(blockMeta, w, id, []check.Finding{ownFinding(id, "one")})
	if got := b.blocks[0][0].subject; got != subject.Subject(o) {
		t.Errorf("kept %T, want the view's object", got)
	}
	b.each(func(f *check.Finding) {
		if f.Object != refOf(id) || f.Message != "one" {
			t.Errorf("got %+v", f)
		}
	})
}

// TestReleaseKeepsNoSubject: once release has run, the findings give back what they held,
// and the objects they were found on are collected while the findings are still kept (it
// fails when a finding keeps its subject).
func TestReleaseKeepsNoSubject(t *testing.T) {
	scan := &subject.Scan{}
	var cr checkRun
	for i := range 20 {
		o := &subject.Object{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "ns", Meta: &metav1.ObjectMeta{Name: "web-" + strconv.Itoa(i)},
			Source: subject.Location{File: "web.yaml", Line: 3 + i}}
		scan.Objects = append(scan.Objects, o)
		id := o.Identity()
		cr.findings.add(blockMeta, o, id, []check.Finding{ownFinding(id, "one"), ownFinding(id, "two")})
	}
	watched := make([]weak.Pointer[subject.Object], 0, len(scan.Objects))
	for _, o := range scan.Objects {
		watched = append(watched, weak.Make(o))
	}
	var want []check.Finding
	cr.findings.each(func(f *check.Finding) { want = append(want, *f) })

	release(scan, []*checkRun{&cr})
	runtime.GC()
	runtime.GC()
	for i, w := range watched {
		if w.Value() != nil {
			t.Fatalf("object %d is still reachable from the findings", i)
		}
	}
	var got []check.Finding
	cr.findings.each(func(f *check.Finding) { got = append(got, *f) })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after release the findings are\n%+v\nwant\n%+v", got, want)
	}
	if scan.Objects != nil {
		t.Errorf("the scan still holds %d objects", len(scan.Objects))
	}
}
