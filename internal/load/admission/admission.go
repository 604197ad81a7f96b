// Package admission reads what the API server sends a validating admission webhook: an
// admission.k8s.io/v1 AdmissionReview, whose object (and old object, on UPDATE) it turns into
// the model the checks see, as the manifest loader does for a file. A review that is not one
// is an error (the server answers 400); an object that cannot be decoded (a field of the
// wrong type) is kept as ObjectErr, so that the webhook can say so and still answer.
package admission

import (
	"encoding/json"
	"fmt"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/akscheck/akscheck/internal/subject"
)

// MaxReviewSize bounds an AdmissionReview: the API server sends at most about 3 MiB of
// object, twice on UPDATE, with the request around it.
const MaxReviewSize = 8 << 20

// APIVersion and Kind of the reviews this webhook reads and answers.
const (
	APIVersion = "admission.k8s.io/v1"
	Kind       = "AdmissionReview"
)

// Review is one admission request.
type Review struct {
	// Request is the API server's request: UID, operation, kind, user, dry run.
	Request *admissionv1.AdmissionRequest
	// Object is the object as it would be stored (nil on DELETE); OldObject the object before
	// an UPDATE (nil otherwise).
	Object, OldObject *subject.Object
	// ObjectErr says why the object could not be decoded; the review is then not evaluated.
	ObjectErr error
}

// DecodeError is a body that is no AdmissionReview this webhook can answer.
type DecodeError struct{ Reason string }

func (e *DecodeError) Error() string {
	return "not an admission.k8s.io/v1 AdmissionReview: " + e.Reason
}

// Decode reads an AdmissionReview.
func Decode(body []byte) (*Review, error) {
	if len(body) > MaxReviewSize {
		return nil, &DecodeError{Reason: fmt.Sprintf("%d bytes, more than the %d this webhook reads", len(body), MaxReviewSize)}
	}
	var ar admissionv1.AdmissionReview
	if err := json.Unmarshal(body, &ar); err != nil {
		return nil, &DecodeError{Reason: subject.DescribeDecodeError(err)}
	}
	switch {
	case ar.APIVersion != APIVersion || ar.Kind != Kind:
		return nil, &DecodeError{Reason: fmt.Sprintf("apiVersion %q, kind %q (want %s %s)", ar.APIVersion, ar.Kind, APIVersion, Kind)}
	case ar.Request == nil:
		return nil, &DecodeError{Reason: "no request"}
	case ar.Request.UID == "":
		return nil, &DecodeError{Reason: "the request has no uid"}
	case ar.Request.Kind.Kind == "":
		return nil, &DecodeError{Reason: "the request names no kind"}
	}
	r := &Review{Request: ar.Request}
	var err error
	if r.Object, err = ObjectOf(ar.Request.Object.Raw, ar.Request.Kind, ar.Request.Namespace); err != nil {
		r.ObjectErr = err
		return r, nil
	}
	if r.OldObject, err = ObjectOf(ar.Request.OldObject.Raw, ar.Request.Kind, ar.Request.Namespace); err != nil {
		// The old object only softens an UPDATE's verdict: without it, the new one is judged
		// alone.
		r.OldObject = nil
	}
	ar.Request.Object.Raw, ar.Request.OldObject.Raw = nil, nil
	return r, nil
}

// ObjectOf decodes an object of an admission request: its own apiVersion and kind, else
// the request's; its own namespace, else the request's. Nil raw (or JSON null) is no object.
func ObjectOf(raw []byte, gvk metav1.GroupVersionKind, namespace string) (*subject.Object, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var head struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Metadata   metav1.ObjectMeta `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf("%s: %s", gvk.Kind, subject.DescribeDecodeError(err))
	}
	if head.APIVersion == "" || head.Kind == "" {
		head.APIVersion, head.Kind = gvk.Version, gvk.Kind
		if gvk.Group != "" {
			head.APIVersion = gvk.Group + "/" + gvk.Version
		}
	}
	obj := &subject.Object{APIVersion: head.APIVersion, Kind: head.Kind, Input: subject.InputManifest}
	secretValues := subject.ClassifySecret(head.Kind, raw)
	typed, err := subject.DecodeTyped(head.APIVersion, head.Kind, raw)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %s", head.Kind, head.Metadata.Name, subject.DescribeDecodeError(err))
	}
	if typed != nil {
		subject.RedactSecret(typed)
		obj.Typed, obj.Meta = typed, subject.MetaOf(typed)
		obj.Extra = subject.NewExtra(nil, secretValues, nil)
	} else {
		// A Secret of an apiVersion without a Go type keeps no value either.
		obj.Extra = subject.NewExtra(append(json.RawMessage(nil), subject.RedactSecretJSON(head.Kind, raw)...), secretValues, nil)
		obj.Meta = &head.Metadata
	}
	obj.Meta.ManagedFields = nil
	obj.Namespace = obj.Meta.Namespace
	if obj.Namespace == "" {
		obj.Namespace = namespace
	}
	if subject.IsClusterScoped(obj.Kind) {
		obj.Namespace = ""
	}
	// In the cluster every namespaced object has its namespace, whether the client wrote it
	// or the request's path gave it.
	obj.NamespaceExplicit = obj.Namespace != ""
	return obj, nil
}
