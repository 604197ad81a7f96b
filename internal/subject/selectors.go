package subject

import (
	"slices"

	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// The inverted indexes of label selectors. A namespace of a real cluster holds thousands of
// workloads and as many budgets and policies; matching each workload against every selector
// of its namespace is quadratic in them. A selector matches a label set only if the set holds
// what one of its requirements needs (a key=value pair for = and in, a key for exists), so
// each selector is filed under one such requirement and each label set looks up only its own
// pairs and keys: a lookup costs what it returns, plus the selectors that require no label
// (notin, !key alone), which are checked every time.

// anchor is the requirement a selector is filed under: its key with the values one of which
// the labels must hold, or with none when the key alone must be present.
type anchor struct {
	key    string
	values []string
}

// anchorOf picks the requirement of a selector that narrows it most: an equality (one value),
// then the set-based in with the fewest values, then exists; ok is false when no requirement
// demands a label (or the selector is empty). skip leaves out keys the labels may get from
// elsewhere than the object (the namespace labels a policy engine adds to every pod).
func anchorOf(sel labels.Selector, skip func(key string) bool) (a anchor, ok bool) {
	reqs, selectable := sel.Requirements()
	if !selectable {
		return anchor{}, false
	}
	for _, r := range reqs {
		if skip != nil && skip(r.Key()) {
			continue
		}
		switch r.Operator() {
		case selection.Equals, selection.DoubleEquals, selection.In:
			// A value repeated in the selector is filed once.
			vals := slices.Compact(slices.Sorted(slices.Values(r.ValuesUnsorted())))
			if len(vals) > 0 && (!ok || a.values == nil || len(vals) < len(a.values)) {
				a, ok = anchor{key: r.Key(), values: vals}, true
			}
		case selection.Exists:
			if !ok {
				a, ok = anchor{key: r.Key()}, true
			}
		}
	}
	return a, ok
}

func keyKey(namespace, k string) string { return namespace + "\x00" + k }

// selectorIndex files items with a selector under their anchor, per namespace.
type selectorIndex[T any] struct {
	byPair map[labelPair][]selectorEntry[T]
	byKey  map[string][]selectorEntry[T]
	// rest are the selectors of each namespace with no anchor.
	rest map[string][]selectorEntry[T]
}

type selectorEntry[T any] struct {
	seq  int
	sel  labels.Selector
	item T
}

func newSelectorIndex[T any]() *selectorIndex[T] {
	return &selectorIndex[T]{byPair: map[labelPair][]selectorEntry[T]{}, byKey: map[string][]selectorEntry[T]{}, rest: map[string][]selectorEntry[T]{}}
}

// add files item, the seq-th of its namespace in scan order, under its selector's anchor.
func (x *selectorIndex[T]) add(namespace string, seq int, sel labels.Selector, item T) {
	e := selectorEntry[T]{seq: seq, sel: sel, item: item}
	a, ok := anchorOf(sel, nil)
	switch {
	case !ok:
		x.rest[namespace] = append(x.rest[namespace], e)
	case a.values == nil:
		k := keyKey(namespace, a.key)
		x.byKey[k] = append(x.byKey[k], e)
	default:
		for _, v := range a.values {
			k := pairKey(namespace, a.key, v)
			x.byPair[k] = append(x.byPair[k], e)
		}
	}
}

// matching returns the items of a namespace whose selector matches set, in scan order. An
// entry is filed under one key, or under several values of one key of which set holds at
// most one, so it is found at most once.
func (x *selectorIndex[T]) matching(namespace string, set map[string]string) []T {
	var found []selectorEntry[T]
	keep := func(es []selectorEntry[T]) {
		for _, e := range es {
			if e.sel.Matches(labels.Set(set)) {
				found = append(found, e)
			}
		}
	}
	for k, v := range set {
		keep(x.byPair[pairKey(namespace, k, v)])
		keep(x.byKey[keyKey(namespace, k)])
	}
	keep(x.rest[namespace])
	if len(found) == 0 {
		return nil
	}
	slices.SortFunc(found, func(a, b selectorEntry[T]) int { return a.seq - b.seq })
	out := make([]T, len(found))
	for i, e := range found {
		out[i] = e.item
	}
	return out
}

// addBudget files a PodDisruptionBudget whose selector selects something; a budget with no
// selector, an invalid or an empty one covers no workload.
func (ix *Index) addBudget(o *Object, pdb *policyv1.PodDisruptionBudget) {
	if pdb.Spec.Selector == nil {
		return
	}
	s, err := selectorOf(pdb.Spec.Selector)
	if err != nil || s.Empty() {
		return
	}
	ix.budgets.add(o.Namespace, len(ix.byKindNs[kindNamespace{o.Kind, o.Namespace}]), s, o)
}

// BudgetsFor returns the PodDisruptionBudgets of a workload's namespace whose selector (valid
// and not empty) matches its pod template labels, in scan order.
func (ix *Index) BudgetsFor(w *Workload) []*Object {
	own := ix.budgets.matching(w.Namespace, w.PodLabels())
	if b := ix.beside; b != nil {
		return besideMerge(b, b.base.BudgetsFor(w), objectOf, own)
	}
	return own
}

// WorkloadsMatching returns the workloads of a namespace whose pod template labels match a
// selector, in scan order: the candidates filed under its anchor's pairs (or key), or every
// workload of the namespace when it has no anchor.
func (ix *Index) WorkloadsMatching(namespace string, sel labels.Selector) []*Workload {
	return ix.workloadsMatching(namespace, []labels.Selector{sel}, nil, func(w *Workload) bool {
		return sel.Matches(labels.Set(w.PodLabels()))
	})
}

// workloadsMatching returns the workloads of a namespace that match, in scan order, looked for
// among those filed under the anchors of the selectors that could select them (skip as in
// anchorOf); every workload of the namespace when one selector has no anchor.
func (ix *Index) workloadsMatching(namespace string, sels []labels.Selector, skip func(string) bool, match func(*Workload) bool) []*Workload {
	if b := ix.beside; b != nil {
		return besideMerge(b, b.base.workloadsMatching(namespace, sels, skip, match), workloadObject,
			b.own.workloadsMatching(namespace, sels, skip, match))
	}
	var candidates []*Workload
	for _, sel := range sels {
		a, ok := anchorOf(sel, skip)
		if !ok {
			candidates = ix.workloadsByNs[namespace]
			break
		}
		if a.values == nil {
			candidates = append(candidates, ix.workloadsByKey[keyKey(namespace, a.key)]...)
			continue
		}
		for _, v := range a.values {
			candidates = append(candidates, ix.workloadsByPair[pairKey(namespace, a.key, v)]...)
		}
	}
	var out []*Workload
	seen := make(map[*Workload]bool, len(candidates))
	for _, w := range candidates {
		if !seen[w] && match(w) {
			seen[w] = true
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b *Workload) int { return ix.workloadSeq[a] - ix.workloadSeq[b] })
	return out
}

// setSelects reports whether a Service-style selector (every pair must match) selects the
// labels: what labels.SelectorFromValidatedSet(selector).Matches says, without making the
// selector for each pair of objects.
func setSelects(selector, labels map[string]string) bool {
	for k, v := range selector {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// selectorOf is metav1.LabelSelectorAsSelector, but a selector of matchLabels alone is kept
// as the map it is (matchLabelsSelector) rather than as the sorted requirements the labels
// package makes of it: about 260 bytes per budget and per network policy of a scan, kept in
// the index to its end. The labels are validated as LabelSelectorAsSelector validates them.
func selectorOf(ls *metav1.LabelSelector) (labels.Selector, error) {
	if ls == nil || len(ls.MatchExpressions) > 0 || len(ls.MatchLabels) == 0 {
		return metav1.LabelSelectorAsSelector(ls)
	}
	for k, v := range ls.MatchLabels {
		if _, err := labels.NewRequirement(k, selection.Equals, []string{v}); err != nil {
			return nil, err
		}
	}
	return matchLabelsSelector(ls.MatchLabels), nil
}

// matchLabelsSelector is a labels.Selector of validated matchLabels, not empty: every pair
// must match. It shares the map it is made of, which nothing changes once loaded. What is
// asked of it besides matching (its requirements, its text) is answered by the selector the
// labels package makes of the same set, made for the asking.
type matchLabelsSelector map[string]string

func (s matchLabelsSelector) Matches(l labels.Labels) bool {
	for k, v := range s {
		if !l.Has(k) || l.Get(k) != v {
			return false
		}
	}
	return true
}

func (s matchLabelsSelector) Empty() bool { return len(s) == 0 }

func (s matchLabelsSelector) String() string { return s.requirements().String() }

func (s matchLabelsSelector) Add(r ...labels.Requirement) labels.Selector {
	return s.requirements().Add(r...)
}

func (s matchLabelsSelector) Requirements() (labels.Requirements, bool) {
	return s.requirements().Requirements()
}

func (s matchLabelsSelector) DeepCopySelector() labels.Selector { return s.requirements() }

func (s matchLabelsSelector) RequiresExactMatch(label string) (string, bool) {
	v, ok := s[label]
	return v, ok
}

func (s matchLabelsSelector) requirements() labels.Selector {
	return labels.SelectorFromValidatedSet(labels.Set(s))
}
