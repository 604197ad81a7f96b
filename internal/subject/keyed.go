package subject

import "hash/maphash"

// keyedObjects finds an object by its kind, namespace and name. A map keyed by the three
// strings costs about 82 bytes an object (35 MB of the dense 420k tree's index); keyed by
// their hash, about a quarter of that. A key whose hash another key holds already (rare)
// goes to a map of its own.
type keyedObjects struct {
	hash   func(objectKey) uint64
	byHash map[uint64]*Object
	clash  map[objectKey]*Object
}

func newKeyedObjects(size int) *keyedObjects {
	seed := maphash.MakeSeed()
	return &keyedObjects{
		hash:   func(k objectKey) uint64 { return maphash.Comparable(seed, k) },
		byHash: make(map[uint64]*Object, size),
	}
}

func keyOf(o *Object) objectKey { return objectKey{o.Kind, o.Namespace, o.Meta.Name} }

// put adds o under its key; an object added later under the same key replaces it.
func (k *keyedObjects) put(o *Object) {
	key := keyOf(o)
	h := k.hash(key)
	// A key stays where it was first put: under its hash, or among the clashes when its
	// hash was held by another key.
	if held, ok := k.byHash[h]; !ok || keyOf(held) == key {
		k.byHash[h] = o
		return
	}
	if k.clash == nil {
		k.clash = map[objectKey]*Object{}
	}
	k.clash[key] = o
}

// get returns the object under key, or nil.
func (k *keyedObjects) get(key objectKey) *Object {
	if o := k.byHash[k.hash(key)]; o != nil && keyOf(o) == key {
		return o
	}
	return k.clash[key]
}
