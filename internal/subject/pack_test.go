package subject

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPackKeepsWhatIsRead(t *testing.T) {
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", Labels: map[string]string{"app": "web"}},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "web"}},
	}
	o := &Object{APIVersion: "v1", Kind: "Service", Namespace: "shop", Typed: svc, Meta: &svc.ObjectMeta}
	if !o.Pack() || !o.Packed() {
		t.Fatal("a Service does not pack")
	}
	if o.Pack() {
		t.Error("a packed object packs again")
	}
	if o.Typed == nil {
		t.Error("a packed object looks untyped")
	}
	if o.Meta == &svc.ObjectMeta || o.Meta.Name != "web" || o.Meta.Labels["app"] != "web" {
		t.Errorf("Meta is %+v; want a copy of the metadata", o.Meta)
	}
	a, ok := o.Body().(*corev1.Service)
	if !ok {
		t.Fatalf("Body is %T", o.Body())
	}
	if a.Kind != "Service" || a.APIVersion != "v1" || a.Spec.Type != corev1.ServiceTypeLoadBalancer || a.Spec.Selector["app"] != "web" {
		t.Errorf("decoded %+v", a)
	}
	if b := o.Body().(*corev1.Service); a == b {
		t.Error("two reads share one value; each must have its own")
	}
	if svc.Name != "web" || svc.Labels["app"] != "web" {
		t.Errorf("the value let go lost its metadata: %+v", svc.ObjectMeta)
	}

	// A body read through a typed client carries no apiVersion nor kind, and reads so.
	listed := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c"}, Data: map[string]string{"k": "v"}}
	lo := &Object{APIVersion: "v1", Kind: "ConfigMap", Typed: listed, Meta: &listed.ObjectMeta}
	if !lo.Pack() {
		t.Fatal("a ConfigMap does not pack")
	}
	if cm := lo.Body().(*corev1.ConfigMap); cm.Kind != "" || cm.APIVersion != "" || cm.Name != "c" || cm.Data["k"] != "v" {
		t.Errorf("decoded %+v", cm)
	}

	// A body whose apiVersion is not the object's (an older one decoded as a newer type)
	// stays as it is.
	other := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1beta1", Kind: "ConfigMap"}, ObjectMeta: metav1.ObjectMeta{Name: "c"}}
	if oo := (&Object{APIVersion: "v1", Kind: "ConfigMap", Typed: other, Meta: &other.ObjectMeta}); oo.Pack() {
		t.Error("a body of another apiVersion packed")
	}

	untyped := &Object{APIVersion: "example.com/v1", Kind: "Widget", Meta: &metav1.ObjectMeta{Name: "w"}}
	if untyped.Pack() || untyped.Body() != nil {
		t.Error("an untyped object packs")
	}
}

// TestTypedIsReadThroughBody holds every package to reading an object's body through Body:
// a read of Typed would see a packed object's encoding, and a type assertion on it would
// quietly fail (a check would find nothing to judge). Loaders, which set Typed, and nil
// tests are allowed.
func TestTypedIsReadThroughBody(t *testing.T) {
	root := filepath.Join("..", "..")
	allowed := map[string]bool{
		"internal/subject/pack.go":   true, // Body and Pack themselves
		"internal/subject/shared.go": true, // shares what loaders decoded, before any packing
	}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == "internal/load" || strings.HasPrefix(rel, "internal/load/") {
				return skipUnlessRoot(rel)
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || allowed[rel] {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, bad := range typedReads(f) {
			t.Errorf("%s: reads .Typed; read the body with Body() (a packed object's Typed is its encoding)", fset.Position(bad))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func skipUnlessRoot(rel string) error {
	if rel == "." {
		return nil
	}
	return filepath.SkipDir
}

// typedReads returns the .Typed selectors of a file that are neither compared with nil nor
// a composite literal's key.
func typedReads(f *ast.File) []token.Pos {
	allowed := map[ast.Expr]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if b, ok := n.(*ast.BinaryExpr); ok && (b.Op == token.EQL || b.Op == token.NEQ) {
			if isNil(b.X) {
				allowed[b.Y] = true
			}
			if isNil(b.Y) {
				allowed[b.X] = true
			}
		}
		return true
	})
	var out []token.Pos
	ast.Inspect(f, func(n ast.Node) bool {
		if s, ok := n.(*ast.SelectorExpr); ok && s.Sel.Name == "Typed" && !allowed[s] {
			out = append(out, s.Pos())
		}
		return true
	})
	return out
}

func isNil(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "nil"
}

// TestOpenDecodesOnce: an open packed object gives every read the one decoded body, until
// as many Closes as Opens; an object not packed is untouched.
func TestOpenDecodesOnce(t *testing.T) {
	t.Parallel()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c"}, Data: map[string]string{"k": "v"}}
	o := &Object{APIVersion: "v1", Kind: "ConfigMap", Typed: cm, Meta: &cm.ObjectMeta}
	o.Open() // not packed yet: nothing to do
	o.Close()
	if o.Body() != any(cm) {
		t.Fatal("Open and Close changed an object not packed")
	}
	if !o.Pack() {
		t.Fatal("a ConfigMap does not pack")
	}
	o.Open()
	o.Open()
	a := o.Body()
	o.Close()
	if o.Body() != a {
		t.Error("the body went with the first of two Closes")
	}
	o.Close()
	if b := o.Body(); b == a || b.(*corev1.ConfigMap).Data["k"] != "v" {
		t.Error("the body stays decoded once closed, or decodes wrong")
	}
}
