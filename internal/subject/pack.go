package subject

import (
	"reflect"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// A packed object holds its typed body as its protobuf encoding (the k8s.io/api types'
// own), its metadata left out: Meta holds that. A Service decoded is about 1.1 KB; packed,
// its Meta and about 120 bytes. Body decodes it again, each read its own copy, but while
// the object is open (Open: the engine opens each subject while its checks judge it) every
// read shares the one decoded value. A scan's loaders pack the bodies worth it
// (WorthPacking; docs/performance.md, "Workload records, and bodies kept packed").
// checktest.SameOnPacked runs every check's fixtures on packed bodies.
//
// The encoding starts with two bytes: the number of the body's Go type in packTypes, and
// whether the body carried its apiVersion and kind (typed clients leave them empty), which
// the encoding leaves out and the Object holds.
type packed struct {
	data []byte
	// workload is the record of a workload's body, selector a Service's spec.selector (nil
	// for other kinds): what the index reads of them, kept so that it decodes no body.
	workload *workloadRecord
	selector map[string]string
	// visit keeps the body decoded for the reads while the object is open.
	visit visitCache[openBody]
}

// openBody is an open object's decoded body.
type openBody struct{ v any }

// packTypes are the Go types a body can be packed as (those of typedKinds), in a fixed
// order; packTypeNumbers numbers them.
var packTypes, packTypeNumbers = packTypeTable()

func packTypeTable() ([]reflect.Type, map[reflect.Type]byte) {
	var types []reflect.Type
	numbers := map[reflect.Type]byte{}
	for _, k := range TypedKinds() {
		t := reflect.TypeOf(NewTyped(k[0], k[1]))
		if _, ok := numbers[t]; !ok && len(types) < 256 {
			numbers[t] = byte(len(types))
			types = append(types, t)
		}
	}
	return types, numbers
}

// protoBody is what the k8s.io/api types implement for their protobuf encoding.
type protoBody interface {
	Size() int
	MarshalToSizedBuffer([]byte) (int, error)
	Unmarshal([]byte) error
}

// Body returns the object's decoded k8s.io/api value (*appsv1.Deployment…), nil for kinds
// akscheck does not decode (see Raw). Read the body through it, never through Typed: the
// body of a packed object is decoded again on each call, unless the object is open. Read
// the value, never write it: it is the object's, or an open object's, shared.
func (o *Object) Body() any {
	if p, ok := o.Typed.(*packed); ok {
		return p.body(o)
	}
	return o.Typed
}

// Open has the reads of a packed object's body, until Close, share one decoded value, made
// at the first read (an object whose body none of its checks reads is not decoded). Each
// Open is ended by one Close; of an object not packed both do nothing. Open, Close and Body
// are safe on several goroutines at once.
func (o *Object) Open() {
	if p, ok := o.Typed.(*packed); ok {
		p.visit.open()
	}
}

// Close ends an Open: the last lets the decoded body go.
func (o *Object) Close() {
	if p, ok := o.Typed.(*packed); ok {
		p.visit.close()
	}
}

// body decodes the body, or gives the one decoded for the object while it is open.
func (p *packed) body(o *Object) any {
	return p.visit.get(func() *openBody { return &openBody{p.unpack(o)} }).v
}

// visitCache holds a value made for the reads of a visit (a packed body decoded, a
// workload's pod view): while it is open the first read makes it and the others share it;
// the last close lets it go; closed, each read makes its own. Safe on several goroutines at
// once: a value let go too early is only made again.
type visitCache[T any] struct {
	v     atomic.Pointer[T]
	opens atomic.Int32 // opens not yet closed (two cores may judge one subject)
}

func (c *visitCache[T]) open() { c.opens.Add(1) }

func (c *visitCache[T]) close() {
	if c.opens.Add(-1) == 0 {
		c.v.Store(nil)
	}
}

// keep keeps v for good (a workload's view of a body not packed, which is never opened).
func (c *visitCache[T]) keep(v *T) { c.v.Store(v) }

// get returns the value kept, else one made now, kept if the cache is open.
func (c *visitCache[T]) get(build func() *T) *T {
	if v := c.v.Load(); v != nil {
		return v
	}
	v := build()
	if c.opens.Load() == 0 {
		return v
	}
	if !c.v.CompareAndSwap(nil, v) {
		if kept := c.v.Load(); kept != nil {
			return kept
		}
		return v
	}
	if c.opens.Load() == 0 {
		// Closed meanwhile: a value kept now would outlive the visit.
		c.v.CompareAndSwap(v, nil)
	}
	return v
}

// WorthPacking reports whether a loader keeps the bodies of a kind packed: the workloads'
// (a Deployment as the API server fills it in is 4 KB decoded, about 1 KB packed), whose
// index records other checks read instead of their bodies, and the Services'. Not the small
// kinds (a ConfigMap's or a LimitRange's body is hardly larger than what packing keeps
// beside its encoding), which checks of other subjects read whole, each read a decode when
// packed; nor those the index keeps parts of (autoscalers, budgets, network policies).
func WorthPacking(kind string) bool { return kind == "Service" || IsWorkloadKind(kind) }

// packedWorkload returns the record Pack made of a workload's body, nil for another.
func (o *Object) packedWorkload() *workloadRecord {
	if p, ok := o.Typed.(*packed); ok {
		return p.workload
	}
	return nil
}

// packedSelector returns a packed Service's selector; ok is false for an object not packed.
func (o *Object) packedSelector() (selector map[string]string, ok bool) {
	if p, ok := o.Typed.(*packed); ok {
		return p.selector, true
	}
	return nil, false
}

// Packed reports whether the object's body is held packed (see Pack).
func (o *Object) Packed() bool {
	_, ok := o.Typed.(*packed)
	return ok
}

// Pack encodes the object's typed body and lets the decoded value go; Body decodes it
// again. Meta becomes a copy of the metadata (sharing its maps and slices), which stays
// decoded: it is what every check and lookup reads. It returns false, and changes nothing,
// for an object without a typed body, one already packed, or one whose body names another
// apiVersion or kind than the object. Nothing may read the object meanwhile.
func (o *Object) Pack() bool {
	body, ok := o.Typed.(protoBody)
	if !ok || o.Meta == nil || MetaOf(o.Typed) != o.Meta {
		return false
	}
	number, ok := packTypeNumbers[reflect.TypeOf(o.Typed)]
	if !ok {
		return false
	}
	var carried byte
	if tm := typeMetaOf(o.Typed); tm != nil && (tm.APIVersion != "" || tm.Kind != "") {
		if tm.APIVersion != o.APIVersion || tm.Kind != o.Kind {
			return false
		}
		carried = 1
	}
	// The metadata is left out of the encoding (Meta keeps it), and put back in the value let
	// go, for whatever may still hold it.
	meta := *o.Meta
	*o.Meta = metav1.ObjectMeta{}
	data := make([]byte, 2+body.Size())
	n, err := body.MarshalToSizedBuffer(data[2:])
	*o.Meta = meta
	if err != nil || n != len(data)-2 {
		return false
	}
	data[0], data[1] = number, carried
	rec, _ := newWorkloadRecord(body, nil)
	p := &packed{data: data, workload: rec}
	if svc, ok := body.(*corev1.Service); ok {
		p.selector = svc.Spec.Selector
	}
	o.Meta, o.Typed = &meta, p
	return true
}

// unpack decodes the body of o; the encoding came from a value of the same type, so it
// does not fail but for a bug, which panics (the engine reports a check that panics as
// failed).
func (p *packed) unpack(o *Object) any {
	v := reflect.New(packTypes[p.data[0]].Elem()).Interface()
	if err := v.(protoBody).Unmarshal(p.data[2:]); err != nil {
		panic("subject: decoding a packed body: " + err.Error())
	}
	*MetaOf(v) = *o.Meta
	if p.data[1] == 1 {
		*typeMetaOf(v) = metav1.TypeMeta{APIVersion: o.APIVersion, Kind: o.Kind}
	}
	return v
}

func typeMetaOf(v any) *metav1.TypeMeta {
	if k, ok := v.(interface{ GetObjectKind() schema.ObjectKind }); ok {
		tm, _ := k.GetObjectKind().(*metav1.TypeMeta)
		return tm
	}
	return nil
}
