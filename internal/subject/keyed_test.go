package subject

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// keyedObject is an object named web.
func keyedObject(kind, namespace string) *Object {
	return &Object{Kind: kind, Namespace: namespace, Meta: &metav1.ObjectMeta{Name: "web", Namespace: namespace}}
}

// TestKeyedObjects finds each object by its key, the last one put under a key, and nothing
// under a key never put: with the real hash, and with one that makes every key clash.
func TestKeyedObjects(t *testing.T) {
	for name, hash := range map[string]func(objectKey) uint64{
		"hashed":   nil,
		"clashing": func(objectKey) uint64 { return 7 },
	} {
		t.Run(name, func(t *testing.T) {
			k := newKeyedObjects(4)
			if hash != nil {
				k.hash = hash
			}
			a, b := keyedObject("Service", "ns"), keyedObject("Deployment", "ns")
			c, again := keyedObject("Service", "other"), keyedObject("Service", "ns")
			for _, o := range []*Object{a, b, c} {
				k.put(o)
			}
			for _, o := range []*Object{a, b, c} {
				if got := k.get(keyOf(o)); got != o {
					t.Errorf("get(%v) = %v, want %p", keyOf(o), got, o)
				}
			}
			k.put(again)
			if got := k.get(keyOf(a)); got != again {
				t.Error("the object put last under a key is not the one found")
			}
			if got := k.get(keyOf(b)); got != b {
				t.Error("replacing one key lost another")
			}
			if got := k.get(objectKey{"Service", "ns", "api"}); got != nil {
				t.Errorf("a key never put found %v", got)
			}
			if hash != nil && len(k.clash) != 2 {
				t.Errorf("%d keys among the clashes, want 2", len(k.clash))
			}
		})
	}
}
