package subject

import (
	"reflect"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// A packed object holds its typed body as its protobuf encoding (the k8s.io/api types'
// own): a fifth to a tenth of the decoded value's size. A scan packs the objects that
// no view points into once the checks of one object alone have judged them
// (engine.Options.Owned); the cross-object checks that still read one decode it on the
// spot, each read its own copy. See docs/performance.md.
type packed struct {
	data []byte
	typ  reflect.Type // the Go type to decode into (DecodeTyped may type an older apiVersion as a newer one)
	// tm is the body's apiVersion and kind as it held them, which the encoding leaves out
	// (empty for a body read through a typed client).
	tm metav1.TypeMeta
}

// protoBody is what the k8s.io/api types implement for their protobuf encoding.
type protoBody interface {
	Size() int
	MarshalToSizedBuffer([]byte) (int, error)
	Unmarshal([]byte) error
}

// Body returns the object's decoded k8s.io/api value (*appsv1.Deployment…), nil for kinds
// akscheck does not decode (see Raw). Read the body through it, never through Typed: the
// body of a packed object is decoded again on each call, and the value is the caller's.
func (o *Object) Body() any {
	if p, ok := o.Typed.(*packed); ok {
		return p.unpack()
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
// for an object without a typed body or one already packed. Nothing may read the object
// meanwhile.
func (o *Object) Pack() bool {
	body, ok := o.Typed.(protoBody)
	if !ok || o.Meta == nil {
		return false
	}
	data := make([]byte, body.Size())
	n, err := body.MarshalToSizedBuffer(data)
	if err != nil || n != len(data) {
		return false
	}
	p := &packed{data: data, typ: reflect.TypeOf(o.Typed)}
	if tm := typeMetaOf(o.Typed); tm != nil {
		p.tm = *tm
	}
	meta := *o.Meta
	o.Meta, o.Typed = &meta, p
	return true
}

// unpack decodes the body; the encoding came from a value of the same type, so it does not
// fail but for a bug, which panics (the engine reports a check that panics as failed).
func (p *packed) unpack() any {
	v := reflect.New(p.typ.Elem()).Interface()
	if err := v.(protoBody).Unmarshal(p.data); err != nil {
		panic("subject: decoding a packed body: " + err.Error())
	}
	if tm := typeMetaOf(v); tm != nil {
		*tm = p.tm
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
