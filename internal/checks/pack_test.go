package checks

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/akscheck/akscheck/internal/load"
)

// TestPackedBodiesDecodeAsLoaded packs every typed object of the examples and of every
// check's fixtures and decodes it again: the value must be the one the loader made, as the
// API server compares values (an empty list or map equals none; quantities by amount), or
// the cross-object checks of a packed scan would read something else.
func TestPackedBodiesDecodeAsLoaded(t *testing.T) {
	t.Parallel()
	paths := []string{"../../examples"}
	fixtures, _ := filepath.Glob("*/testdata")
	paths = append(paths, fixtures...)
	scan := load.Load(t.Context(), paths, load.Options{})
	packed := 0
	for _, o := range scan.Objects {
		typed, ok := o.Body().(runtime.Object)
		if !ok {
			continue
		}
		before := typed.DeepCopyObject() // Pack blanks the metadata of the value it lets go
		meta := *o.Meta
		if !o.Pack() {
			continue
		}
		packed++
		if after := o.Body(); !equality.Semantic.DeepEqual(before, after) {
			t.Errorf("%s (%s:%d): packed and decoded again, the body differs:\n%s", o.Ref(), o.Source.File, o.Source.Line, diff(before, after))
		}
		if !reflect.DeepEqual(meta, *o.Meta) {
			t.Errorf("%s: packing changed its metadata", o.Ref())
		}
	}
	if packed < 500 {
		t.Errorf("packed %d objects; want the fixtures' thousands", packed)
	}
}

func diff(a, b any) string {
	return cmp.Diff(a, b)
}
