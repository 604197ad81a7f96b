package subject

import (
	"reflect"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// A packed object holds its typed body as its protobuf encoding (the k8s.io/api types'
// own), its metadata left out: Meta holds that. A Service decoded is about 1.1 KB; packed,
// its Meta and about 120 bytes. Body decodes it again, each read its own copy. This is
// what a streaming scan needs to keep what it decoded small once the checks of one object
// alone have judged it (docs/performance.md, "Bodies read through Body"); no scan packs
// yet. checktest.SameOnPacked runs every check's fixtures on packed bodies.
//
// The encoding starts with two bytes: the number of the body's Go type in packTypes, and
// whether the body carried its apiVersion and kind (typed clients leave them empty), which
// the encoding leaves out and the Object holds.
type packed struct{ data []byte }

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
// body of a packed object is decoded again on each call. The value is the caller's, but
// the maps and slices of its metadata are the object's: read them, never write.
func (o *Object) Body() any {
	if p, ok := o.Typed.(*packed); ok {
		return p.unpack(o)
	}
	return o.Typed
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
	o.Meta, o.Typed = &meta, &packed{data: data}
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
