package admission

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const deployment = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",
"kind":{"group":"apps","version":"v1","kind":"Deployment"},"resource":{"group":"apps","version":"v1","resource":"deployments"},
"namespace":"shop","operation":"CREATE","userInfo":{"username":"jane"},
"object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x"}]}}}}}}`

func TestDecode(t *testing.T) {
	t.Parallel()
	r, err := Decode([]byte(deployment))
	if err != nil {
		t.Fatal(err)
	}
	o := r.Object
	if o == nil || o.Kind != "Deployment" || o.Namespace != "shop" || !o.NamespaceExplicit || o.Typed == nil || r.OldObject != nil {
		t.Fatalf("object %+v", o)
	}
	if r.Request.UserInfo.Username != "jane" || len(r.Request.Object.Raw) != 0 {
		t.Errorf("request %+v", r.Request)
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"not JSON":      "{",
		"wrong kind":    `{"apiVersion":"v1","kind":"Pod"}`,
		"v1beta1":       `{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u"}}`,
		"no request":    `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`,
		"no uid":        `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"kind":"Pod"}}}`,
		"wrong type":    `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":7}}`,
		"too large":     strings.Repeat(" ", MaxReviewSize+1),
		"no kind named": `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u"}}`,
	} {
		_, err := Decode([]byte(body))
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: error %v, want a DecodeError", name, err)
		}
	}
}

func TestObjectOfWrongFieldTypeIsKeptAsObjectErr(t *testing.T) {
	t.Parallel()
	body := strings.Replace(deployment, `"spec":{"template"`, `"spec":{"replicas":"two","template"`, 1)
	r, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if r.ObjectErr == nil || !strings.Contains(r.ObjectErr.Error(), "field spec.replicas: a string is not valid here") {
		t.Errorf("ObjectErr = %v", r.ObjectErr)
	}
}

// A quantity beyond the bounds keeps ParseQuantity busy for minutes (the API server's too):
// the review is answered at once, with the field named.
func TestObjectOfUnboundedQuantityIsKeptAsObjectErr(t *testing.T) {
	t.Parallel()
	for _, q := range []string{`"1E-5555555555"`, `1E-5555555555`, `"E5555555555"`, `"1` + strings.Repeat("0", 100_000) + `"`} {
		body := strings.Replace(deployment, `"spec":{"template"`, `"spec":{"template":{"spec":{"overhead":{"cpu":`+q+`}}},"x"`, 1)
		r, err := Decode([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if r.ObjectErr == nil || !strings.Contains(r.ObjectErr.Error(), "field spec.template.spec.overhead.cpu: ") ||
			!strings.Contains(r.ObjectErr.Error(), "is not a quantity akscheck reads") {
			t.Errorf("%.20s: ObjectErr = %.300v", q, r.ObjectErr)
		}
	}
}

func TestSecretValuesAreDropped(t *testing.T) {
	t.Parallel()
	body := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"version":"v1","kind":"Secret"},
"namespace":"shop","operation":"CREATE","object":{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"k":"c2VjcmV0"},"stringData":{"p":"hunter2"}}}}`
	r, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if r.Object == nil || strings.Contains(strings.ToLower(string(mustJSON(t, r.Object.Typed))), "hunter2") ||
		strings.Contains(string(mustJSON(t, r.Object.Typed)), "c2VjcmV0") {
		t.Errorf("the Secret's values survived decoding: %s", mustJSON(t, r.Object.Typed))
	}
}

// FuzzDecode: any body gives a review or a DecodeError, never a panic.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(deployment))
	f.Add([]byte(strings.Replace(deployment, `"spec":{"template"`, `"spec":{"template":{"spec":{"overhead":{"cpu":"1E-5555555555"}}},"x"`, 1)))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"kind":"X"},"object":{"metadata":{"name":1}}}}`))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"version":"v1","kind":"Pod"},"object":null,"oldObject":{"kind":"Pod","apiVersion":"v1","spec":[]}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := Decode(body)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if r.Request == nil || (r.Object != nil && r.Object.Meta == nil) || (r.OldObject != nil && r.OldObject.Meta == nil) {
			t.Fatalf("review %+v", r)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
