package subject

import (
	"hash/maphash"
	"maps"
	"reflect"
	"sync"

	corev1 "k8s.io/api/core/v1"
)

// Shared keeps one copy of each string map and resource list (and, for files, string) that
// the objects of one load hold alike, and gives it to all of them. Objects repeat these a lot:
// the pods of a ReplicaSet carry its labels, a Deployment's selector is its Service's, its
// PodDisruptionBudget's and its network policy's, and the containers of a chart request the
// same CPU and memory. In the dense generated tree of 42,000 objects 27,500 of 91,000 maps
// are distinct. Maps are a third of a decoded object's memory, and every byte the objects keep
// is marked by every collection of the scan.
//
// Sharing relies on what holds anyway: objects are read-only once loaded. A loader that
// changes an object (blanking a Secret's values, dropping an annotation) does so before
// handing it to Object, and a Secret's data are never shared.
//
// A Shared is safe for concurrent use by the workers of one load; its zero value is not
// ready: use NewShared or NewSharedUpTo. A nil *Shared shares nothing.
type Shared struct {
	seed maphash.Seed
	// perShard bounds the maps a shard keeps (0: no bound); past it the shard starts over.
	perShard int
	// texts says strings are shared too (NewSharedStrings).
	texts  bool
	shards [sharedShards]sharedShard
	// plans say, per Go type, where its shareable maps and strings are (see sharePlan).
	plansMu sync.Mutex
	plans   map[reflect.Type]*sharePlan
}

const sharedShards = 16

type sharedShard struct {
	mu        sync.Mutex
	strings   map[uint64][]map[string]string
	resources map[uint64][]corev1.ResourceList
	kept      int
	texts     map[string]string // when Shared.texts is set
}

// NewShared returns an empty table, for one load: it keeps every map it has seen until it is
// dropped with the load.
func NewShared() *Shared { return NewSharedUpTo(0) }

// NewSharedStrings is NewShared for a load of files, whose strings it shares too: a YAML
// decoder allocates each string it reads, every object of a namespace names it and the
// objects of an app repeat its name (the strings of the dense 420k tree's objects: 91 MB,
// 25 MB shared).
// Not for objects read from a cluster: their UIDs, resource versions and status messages,
// each unique, cost the table more than sharing the rest saves (a live scan of 60,600
// objects peaked 25 MiB higher, for 10% more CPU).
func NewSharedStrings() *Shared {
	s := NewSharedUpTo(0)
	s.texts = true
	for i := range s.shards {
		s.shards[i].texts = map[string]string{}
	}
	return s
}

// NewSharedUpTo returns an empty table that keeps about limit maps at most (0: no bound), for a
// cache that lives as long as a server: the objects it replaces go, and so would their maps
// but for the table. Past the bound a part of the table starts over; the objects keep what
// they share.
func NewSharedUpTo(limit int) *Shared {
	s := &Shared{seed: maphash.MakeSeed(), plans: map[reflect.Type]*sharePlan{}}
	if limit > 0 {
		s.perShard = max(1, limit/sharedShards)
	}
	for i := range s.shards {
		s.shards[i].reset()
	}
	return s
}

func (sh *sharedShard) reset() {
	sh.strings = map[uint64][]map[string]string{}
	sh.resources = map[uint64][]corev1.ResourceList{}
	sh.kept = 0
}

// keep counts one more map kept by the shard (sh.mu held), starting over past the bound.
func (sh *sharedShard) keep(perShard int) {
	if perShard > 0 && sh.kept >= perShard {
		sh.reset()
	}
	sh.kept++
}

// Object replaces the string maps and resource lists (and strings, NewSharedStrings) of a
// loaded object by equal ones seen before in this load (its labels, annotations, selectors,
// node selectors, container requests and limits, a ConfigMap's data; its namespace, names,
// images), and keeps those seen first for the next. A Secret's data are never shared: only
// its metadata. The strings inside a map are the map's: a shared map is shared whole.
func (s *Shared) Object(o *Object) {
	if s == nil || o == nil {
		return
	}
	switch {
	case o.Typed != nil:
		s.Value(o.Typed)
	case o.Meta != nil:
		s.Value(o.Meta)
	}
	if s.texts {
		for _, f := range []*string{&o.APIVersion, &o.Kind, &o.Namespace} {
			if *f != "" {
				*f = s.text(*f)
			}
		}
	}
}

// Value is Object for a pointer to a decoded API value (a *corev1.Pod, the
// *metav1.PartialObjectMetadata of a Secret's metadata) before it is wrapped in an Object. A
// Secret's data are never shared.
func (s *Shared) Value(ptr any) {
	if s == nil || ptr == nil {
		return
	}
	if sec, ok := ptr.(*corev1.Secret); ok {
		ptr = &sec.ObjectMeta
	}
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return
	}
	if p := s.plan(v.Type()); p != nil {
		s.walk(v, p)
	}
}

// shareOp is what a sharePlan does with a value of its type.
type shareOp uint8

const (
	shareStrings   shareOp = iota + 1 // map[string]string: share it
	shareResources                    // corev1.ResourceList: share it
	sharePointer                      // follow the pointer
	shareStruct                       // visit the fields that may hold a map or a string
	shareSlice                        // visit each element
	shareText                         // a string (of any string type): share it
)

// sharePlan is where the shareable maps and strings of one Go type are, computed once per
// type, so a walk visits only the fields that may hold one.
type sharePlan struct {
	op     shareOp
	fields []sharedField // shareStruct
	elem   *sharePlan    // sharePointer, shareSlice
}

type sharedField struct {
	index int
	plan  *sharePlan
}

var (
	stringMapType    = reflect.TypeFor[map[string]string]()
	resourceListType = reflect.TypeFor[corev1.ResourceList]()
)

// plan returns the plan of a type, nil when no value of it holds a map or a string to share.
func (s *Shared) plan(t reflect.Type) *sharePlan {
	s.plansMu.Lock()
	defer s.plansMu.Unlock()
	if p, ok := s.plans[t]; ok {
		return p
	}
	return s.buildPlan(t, map[reflect.Type]*sharePlan{})
}

// buildPlan computes the plan of t; building holds the types being computed, so a recursive
// type refers to its own plan (filled when its computation ends).
func (s *Shared) buildPlan(t reflect.Type, building map[reflect.Type]*sharePlan) *sharePlan {
	if p, ok := s.plans[t]; ok {
		return p
	}
	if p, ok := building[t]; ok {
		return p
	}
	var p *sharePlan
	switch {
	case t == stringMapType:
		p = &sharePlan{op: shareStrings}
	case t == resourceListType:
		p = &sharePlan{op: shareResources}
	case t.Kind() == reflect.String && s.texts:
		p = &sharePlan{op: shareText}
	case t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice:
		op := sharePointer
		if t.Kind() == reflect.Slice {
			op = shareSlice
		}
		p = &sharePlan{op: op}
		building[t] = p
		if p.elem = s.buildPlan(t.Elem(), building); p.elem == nil {
			p = nil
		}
	case t.Kind() == reflect.Struct:
		p = &sharePlan{op: shareStruct}
		building[t] = p
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if fp := s.buildPlan(f.Type, building); fp != nil {
				p.fields = append(p.fields, sharedField{index: i, plan: fp})
			}
		}
		if len(p.fields) == 0 {
			p = nil
		}
	}
	delete(building, t)
	if len(building) == 0 || p != nil {
		// A type found without maps while an enclosing type is still being computed may
		// have been cut short by the recursion: only a whole computation is kept as nil.
		s.plans[t] = p
	}
	return p
}

// walk visits v (addressable, or a pointer) along its plan.
func (s *Shared) walk(v reflect.Value, p *sharePlan) {
	switch p.op {
	case shareStrings:
		if m := v.Interface().(map[string]string); len(m) > 0 {
			v.Set(reflect.ValueOf(s.strings(m)))
		}
	case shareResources:
		if m := v.Interface().(corev1.ResourceList); len(m) > 0 {
			v.Set(reflect.ValueOf(s.resources(m)))
		}
	case shareText:
		if t := v.String(); t != "" {
			v.SetString(s.text(t))
		}
	case sharePointer:
		if !v.IsNil() {
			s.walk(v.Elem(), p.elem)
		}
	case shareStruct:
		for _, f := range p.fields {
			s.walk(v.Field(f.index), f.plan)
		}
	case shareSlice:
		for i := range v.Len() {
			s.walk(v.Index(i), p.elem)
		}
	}
}

// text returns the string equal to t kept before, or keeps t.
func (s *Shared) text(t string) string {
	sh := &s.shards[maphash.String(s.seed, t)%sharedShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if kept, ok := sh.texts[t]; ok {
		return kept
	}
	sh.texts[t] = t
	return t
}

// strings returns the map equal to m kept before, or keeps m.
func (s *Shared) strings(m map[string]string) map[string]string {
	var h uint64
	for k, v := range m {
		// Summed, so the order of the entries does not matter.
		h += entryHash(s.seed, k, v)
	}
	sh := &s.shards[h%sharedShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, kept := range sh.strings[h] {
		if maps.Equal(kept, m) {
			return kept
		}
	}
	sh.keep(s.perShard)
	sh.strings[h] = append(sh.strings[h], m)
	return m
}

// resources returns the resource list equal to m kept before, or keeps m. Quantities are
// equal when they read alike: of equal value and Format, which is what String writes (1Gi and
// 1073741824 are the same memory, but a message quoting one shows what the object says).
func (s *Shared) resources(m corev1.ResourceList) corev1.ResourceList {
	var h uint64
	for k, q := range m {
		// MilliValue, not String, which canonicalizes (allocates) each time it is asked.
		h += entryHash(s.seed, string(k), string(q.Format)) ^ uint64(q.MilliValue())*0x9e3779b97f4a7c15
	}
	sh := &s.shards[h%sharedShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, kept := range sh.resources[h] {
		if sameResources(kept, m) {
			return kept
		}
	}
	sh.keep(s.perShard)
	sh.resources[h] = append(sh.resources[h], m)
	return m
}

func sameResources(a, b corev1.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for k, qa := range a {
		qb, ok := b[k]
		if !ok || qa.Format != qb.Format || qa.Cmp(qb) != 0 {
			return false
		}
	}
	return true
}

func entryHash(seed maphash.Seed, k, v string) uint64 {
	return maphash.Comparable(seed, [2]string{k, v})
}
