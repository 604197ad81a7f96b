package subject

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

func TestCheckQuantityText(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]error{
		"500m": nil, "1Gi": nil, "1e3": nil, "1E-999": nil, "\t2": nil, "lots": nil, "": nil,
		"9223372036854775807": nil, strings.Repeat("9", 64): nil,
		"1E-5555555555": errExponentTooLong, "E5555555555": errExponentTooLong, "+.5e+1000": errExponentTooLong,
		strings.Repeat("9", 65): errQuantityTooLong, "\t1" + strings.Repeat("0", 100_000): errQuantityTooLong,
	} {
		if got := CheckQuantityText(text); !errors.Is(got, want) {
			t.Errorf("CheckQuantityText(%.20q) = %v, want %v", text, got, want)
		}
	}
}

func TestDecodeTypedFindsTheUnboundedQuantity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, apiVersion, kind, raw, wantPath string
		wantKeys                              []string
	}{
		{
			name: "a container's limit", apiVersion: "apps/v1", kind: "Deployment",
			raw:      `{"metadata":{"name":"d","annotations":{"x":"1E-5555555555"}},"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b","env":[{"name":"E","value":"1E-5555555555"}],"resources":{"limits":{"example.com/gpu":"1E-5555555555"}}}]}}}}`,
			wantPath: "spec.template.spec.containers[1].resources.limits.example.com/gpu",
			wantKeys: []string{"spec", "template", "spec", "containers", "resources", "limits", "example.com/gpu"},
		},
		{
			name: "a field written in another case, a JSON number", apiVersion: "v1", kind: "Pod",
			raw:      `{"Spec":{"overhead":{"cpu":1E-5555555555}}}`,
			wantPath: "Spec.overhead.cpu", wantKeys: []string{"Spec", "overhead", "cpu"},
		},
		{
			name: "a digit written as an escape", apiVersion: "v1", kind: "Pod",
			raw:      `{"spec":{"overhead":{"memory":"\u000b\u0031E-5555555555"}}}`,
			wantPath: "spec.overhead.memory", wantKeys: []string{"spec", "overhead", "memory"},
		},
		{
			name: "a removed apiVersion, found after its conversion", apiVersion: "autoscaling/v2beta1", kind: "HorizontalPodAutoscaler",
			raw:      `{"spec":{"metrics":[{"type":"Pods","pods":{"metricName":"rps","targetAverageValue":"E5555555555"}}]}}`,
			wantPath: "spec.metrics[0].pods.target.averageValue", wantKeys: []string{"spec", "metrics", "pods", "target", "averageValue"},
		},
	} {
		_, err := DecodeTyped(tc.apiVersion, tc.kind, []byte(tc.raw))
		var qe *QuantityError
		if !errors.As(err, &qe) {
			t.Errorf("%s: error %v, want a QuantityError", tc.name, err)
			continue
		}
		if qe.Path != tc.wantPath || strings.Join(qe.Keys, "|") != strings.Join(tc.wantKeys, "|") {
			t.Errorf("%s: path %q keys %q, want %q %q", tc.name, qe.Path, qe.Keys, tc.wantPath, tc.wantKeys)
		}
	}
}

// Text of that shape where no quantity belongs is decoded as it is.
func TestDecodeTypedKeepsNumbersOutsideQuantities(t *testing.T) {
	t.Parallel()
	raw := `{"metadata":{"name":"d","annotations":{"x":"1E-5555555555"}},"spec":{"template":{"spec":{"containers":[{"name":"a","args":["1E-5555555555","` +
		strings.Repeat("1", 1000) + `"],"resources":{"limits":{"cpu":"1e3"}}}]}}}}`
	typed, err := DecodeTyped("apps/v1", "Deployment", []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := typed.(*appsv1.Deployment).Spec.Template.Spec.Containers[0]
	if c.Args[0] != "1E-5555555555" || c.Resources.Limits.Cpu().Value() != 1000 {
		t.Errorf("decoded %+v", c)
	}
}

// FuzzUnboundedNumberIsSeen checks the pass over the bytes that spares most objects the walk:
// whatever a JSON string or number holds, written with any escapes, a text CheckQuantityText
// refuses for its digits is seen.
func FuzzUnboundedNumberIsSeen(f *testing.F) {
	for _, seed := range []string{`"1E-5555555555"`, `1E-5555555555`, `"\u000b\u0031E-5555555555"`, `"1\u0045-5555555555"`,
		`"\u00a0E5555555555"`, `" \n1e+55555"`, `"sha256:9e12345abc"`, `"1` + strings.Repeat("0", 70) + `"`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		raw := []byte(`{"spec":{"overhead":{"cpu":` + value + `}}}`)
		var v struct {
			Spec struct {
				Overhead map[string]json.RawMessage `json:"overhead"`
			} `json:"spec"`
		}
		if json.Unmarshal(raw, &v) != nil {
			return
		}
		var text string
		if json.Unmarshal(v.Spec.Overhead["cpu"], &text) != nil {
			text = string(v.Spec.Overhead["cpu"])
		}
		trimmed := []byte(strings.TrimSpace(text))
		run := numberEnd(trimmed, 0)
		unbounded := run > maxQuantityText || exponentDigits(trimmed, run) > maxExponentDigits
		if unbounded && !mayHoldUnboundedNumber(raw) {
			t.Fatalf("%q holds %.40q, which the pass over the bytes does not see", raw, text)
		}
		if unbounded {
			var pod corev1.Pod
			if err := checkQuantities(raw, &pod); err == nil {
				t.Fatalf("%q: the walk finds no unbounded quantity in %.40q", raw, text)
			}
		}
	})
}
