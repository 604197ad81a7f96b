package cellib

import (
	"strings"
	"testing"
	"time"

	"github.com/google/cel-go/cel"
)

// TestQuantityIsBounded: quantity() and isQuantity() answer at once on a text ParseQuantity
// would spend minutes on, and as the Kubernetes library does on every other.
func TestQuantityIsBounded(t *testing.T) {
	env, err := cel.NewEnv(cel.Variable("s", cel.StringType), Quantity())
	if err != nil {
		t.Fatal(err)
	}
	eval := func(expr, s string) (any, error) {
		t.Helper()
		ast, iss := env.Compile(expr)
		if iss.Err() != nil {
			t.Fatalf("%s: %v", expr, iss.Err())
		}
		prg, err := env.Program(ast)
		if err != nil {
			t.Fatal(err)
		}
		type result struct {
			v   any
			err error
		}
		done := make(chan result, 1)
		go func() {
			out, _, err := prg.Eval(map[string]any{"s": s})
			if err != nil {
				done <- result{err: err}
				return
			}
			done <- result{v: out.Value()}
		}()
		select {
		case r := <-done:
			return r.v, r.err
		case <-time.After(time.Minute):
			t.Fatalf("%s with s = %.30q did not return in a minute", expr, s)
			return nil, nil
		}
	}

	for _, hostile := range []string{"1E-5555555555", "E5555555555", "9e12345", strings.Repeat("9", 100_001), " 1e-99999 "} {
		if v, err := eval("isQuantity(s)", hostile); err != nil || v != false {
			t.Errorf("isQuantity(%.30q) = %v, %v; want false", hostile, v, err)
		}
		if _, err := eval("quantity(s).isInteger()", hostile); err == nil || !strings.Contains(err.Error(), "quantity") {
			t.Errorf("quantity(%.30q) gives %v, want an error naming the quantity", hostile, err)
		}
	}
	for _, tc := range []struct {
		expr, s string
		want    any
	}{
		{"isQuantity(s)", "500m", true},
		{"isQuantity(s)", "1e999", true},
		{"isQuantity(s)", "five", false},
		{"quantity(s).isLessThan(quantity('1'))", "500m", true},
		{"quantity(s).asInteger()", "2Ki", int64(2048)},
		{"quantity(s).add(quantity('1e3')).asInteger()", "1k", int64(2000)},
	} {
		if v, err := eval(tc.expr, tc.s); err != nil || v != tc.want {
			t.Errorf("%s with s = %q = %v, %v; want %v", tc.expr, tc.s, v, err, tc.want)
		}
	}
	if _, err := eval("quantity(s)", "five"); err == nil {
		t.Error("quantity('five') gives no error")
	}
}
