package subject

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unsafe"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func sameMap(a, b any) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

func deploymentObject(name string, labels map[string]string, cpu string) *Object {
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)},
				}}}},
			},
		},
	}
	return &Object{APIVersion: "apps/v1", Kind: "Deployment", Meta: &d.ObjectMeta, Typed: d}
}

func TestSharedGivesEqualMapsOneCopy(t *testing.T) {
	s := NewShared()
	a := deploymentObject("a", map[string]string{"team": "x", "tier": "web"}, "100m")
	b := deploymentObject("b", map[string]string{"tier": "web", "team": "x"}, "100m")
	c := deploymentObject("c", map[string]string{"team": "y", "tier": "web"}, "0.1")
	d := deploymentObject("d", map[string]string{"team": "y", "tier": "web"}, "1Gi")
	e := deploymentObject("e", map[string]string{"team": "y", "tier": "web"}, "1073741824")
	for _, o := range []*Object{a, b, c, d, e} {
		s.Object(o)
	}
	da, db, dc := a.Typed.(*appsv1.Deployment), b.Typed.(*appsv1.Deployment), c.Typed.(*appsv1.Deployment)
	if !sameMap(da.Labels, db.Labels) || a.Meta.Labels["team"] != "x" {
		t.Errorf("equal labels are not shared: %v %v", da.Labels, db.Labels)
	}
	if sameMap(da.Labels, dc.Labels) {
		t.Errorf("different labels are shared: %v %v", da.Labels, dc.Labels)
	}
	// A selector and the template's labels are equal maps within one object and across.
	if !sameMap(da.Spec.Selector.MatchLabels, da.Spec.Template.Labels) || !sameMap(da.Spec.Selector.MatchLabels, dc.Spec.Template.Labels) {
		t.Error("equal selectors and template labels are not shared")
	}
	ra, rb, rc := da.Spec.Template.Spec.Containers[0].Resources.Requests, db.Spec.Template.Spec.Containers[0].Resources.Requests,
		dc.Spec.Template.Spec.Containers[0].Resources.Requests
	if !sameMap(ra, rb) {
		t.Error("equal resource requests are not shared")
	}
	// 0.1 is 100m in every way a quantity can be read (its String is 100m too).
	if !sameMap(ra, rc) {
		t.Error("equal requests written differently are not shared")
	}
	// 1Gi is 1073741824 bytes, but their String and Format differ: a message quotes them.
	rd, re := d.Typed.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].Resources.Requests,
		e.Typed.(*appsv1.Deployment).Spec.Template.Spec.Containers[0].Resources.Requests
	if sameMap(rd, re) {
		t.Error("requests that read differently are shared")
	}
	if q := re[corev1.ResourceCPU]; q.String() != "1073741824" {
		t.Errorf("requests changed: %v", re)
	}
}

// TestSharedGivesEqualStringsOneCopy: with NewSharedStrings, strings read apart (as a decoder
// allocates each) are one copy once shared, whatever their Go string type, and an empty one
// stays empty; NewShared leaves strings alone.
func TestSharedGivesEqualStringsOneCopy(t *testing.T) {
	for _, texts := range []bool{true, false} {
		s := NewShared()
		if texts {
			s = NewSharedStrings()
		}
		apart := strings.Clone
		a := deploymentObject(apart("web"), nil, "100m")
		b := deploymentObject(apart("web"), nil, "100m")
		for _, o := range []*Object{a, b} {
			o.Meta.Namespace = apart("team-1")
			o.Namespace = apart("team-1")
			c := &o.Typed.(*appsv1.Deployment).Spec.Template.Spec.Containers[0]
			c.Image = apart("contoso.azurecr.io/web:1.0")
			c.ImagePullPolicy = corev1.PullPolicy(apart("IfNotPresent"))
		}
		for _, o := range []*Object{a, b} {
			s.Object(o)
		}
		ca, cb := a.Typed.(*appsv1.Deployment).Spec.Template.Spec.Containers[0], b.Typed.(*appsv1.Deployment).Spec.Template.Spec.Containers[0]
		for what, pair := range map[string][2]string{
			"name": {a.Meta.Name, b.Meta.Name}, "namespace": {a.Meta.Namespace, b.Meta.Namespace},
			"object's namespace": {a.Namespace, b.Namespace},
			"image":              {ca.Image, cb.Image}, "pull policy": {string(ca.ImagePullPolicy), string(cb.ImagePullPolicy)},
		} {
			if pair[0] != pair[1] {
				t.Fatalf("%s changed: %q %q", what, pair[0], pair[1])
			}
			if one := unsafe.StringData(pair[0]) == unsafe.StringData(pair[1]); one != texts {
				t.Errorf("strings shared %v: equal %ss one copy: %v", texts, what, one)
			}
		}
		if a.Meta.GenerateName != "" || ca.WorkingDir != "" {
			t.Error("an empty string was set")
		}
	}
}

func TestSharedLeavesSecretDataAlone(t *testing.T) {
	s := NewShared()
	labels := map[string]string{"app": "web"}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c", Labels: labels}, Data: map[string]string{"app": "web"}}
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s", Labels: map[string]string{"app": "web"}},
		StringData: map[string]string{"app": "web"}}
	s.Object(&Object{Kind: "ConfigMap", Typed: cm, Meta: &cm.ObjectMeta})
	s.Object(&Object{Kind: "Secret", Typed: sec, Meta: &sec.ObjectMeta})
	if !sameMap(cm.Data, labels) || !sameMap(sec.Labels, labels) {
		t.Error("a ConfigMap's data or a Secret's labels are not shared")
	}
	if sameMap(sec.StringData, labels) {
		t.Error("a Secret's data are shared")
	}
	var none *Shared
	none.Object(&Object{Kind: "ConfigMap", Typed: cm, Meta: &cm.ObjectMeta}) // shares nothing, no panic
	s.Value(nil)
	s.Value(*cm) // not a pointer: nothing to set
}

// TestSharedUpTo: a bounded table starts over past its bound, and what the objects share
// stays shared.
func TestSharedUpTo(t *testing.T) {
	// Eight maps per shard: the three other maps of the first object cannot start its
	// labels' shard over before the second object asks for them, whatever the seed (one per
	// shard failed one run in eight).
	const bound = 8 * sharedShards
	s := NewSharedUpTo(bound)
	first := deploymentObject("a", map[string]string{"n": "1"}, "100m")
	s.Object(first)
	again := deploymentObject("b", map[string]string{"n": "1"}, "100m")
	s.Object(again)
	if !sameMap(first.Meta.Labels, again.Meta.Labels) {
		t.Fatal("equal labels are not shared")
	}
	for i := range 20 * bound {
		s.Object(deploymentObject(fmt.Sprint("x", i), map[string]string{"n": fmt.Sprint(i + 2)}, fmt.Sprint(i+1)+"m"))
	}
	kept := 0
	for i := range s.shards {
		for _, ms := range s.shards[i].strings {
			kept += len(ms)
		}
		for _, ms := range s.shards[i].resources {
			kept += len(ms)
		}
	}
	if kept > bound {
		t.Errorf("the table keeps %d maps, want at most %d", kept, bound)
	}
	if first.Meta.Labels["n"] != "1" {
		t.Errorf("labels changed: %v", first.Meta.Labels)
	}
}

// recursive is a type that holds itself, as no built-in kind does but a Go type may.
type recursive struct {
	Labels map[string]string
	Next   *recursive
	Kids   []recursive
	Other  map[string]int
	hidden map[string]string
}

func TestSharedFollowsRecursiveTypesAndUntypedMeta(t *testing.T) {
	s := NewShared()
	one := func() map[string]string { return map[string]string{"k": "v"} }
	v := &recursive{Labels: one(), Next: &recursive{Labels: one(), Kids: []recursive{{Labels: one()}}}, hidden: one()}
	s.Object(&Object{Kind: "Recursive", Typed: v})
	if !sameMap(v.Labels, v.Next.Labels) || !sameMap(v.Labels, v.Next.Kids[0].Labels) {
		t.Error("maps in a recursive type are not shared")
	}
	if sameMap(v.Labels, v.hidden) {
		t.Error("an unexported field was set")
	}
	// An object of a kind without a Go type has its metadata only.
	meta := &metav1.ObjectMeta{Name: "x", Labels: one()}
	s.Object(&Object{Kind: "Widget", Meta: meta})
	if !sameMap(meta.Labels, v.Labels) {
		t.Error("the labels of an untyped object are not shared")
	}
}

// TestSharedConcurrent shares from several goroutines, as the workers of a load do (run
// with -race).
func TestSharedConcurrent(t *testing.T) {
	s := NewShared()
	var wg sync.WaitGroup
	objects := make([][]*Object, 4)
	for w := range objects {
		wg.Go(func() {
			for i := range 200 {
				o := deploymentObject(fmt.Sprint(w, i), map[string]string{"app": fmt.Sprint(i % 10)}, "100m")
				s.Object(o)
				objects[w] = append(objects[w], o)
			}
		})
	}
	wg.Wait()
	first := map[string]map[string]string{}
	for _, os := range objects {
		for _, o := range os {
			l := o.Meta.Labels
			if f, ok := first[l["app"]]; ok && !sameMap(f, l) {
				t.Fatalf("two copies of %v", l)
			}
			first[l["app"]] = l
		}
	}
	if len(first) != 10 {
		t.Errorf("%d label sets, want 10", len(first))
	}
}
