package arm

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// chainTemplate writes a template whose variable v<i> refers twice to v<i-1> through
// expr (a format with two %s), n levels deep, and a cluster named by the last one.
func chainTemplate(n int, expr string) string {
	var b strings.Builder
	b.WriteString(`{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#","contentVersion":"1.0.0.0",` + "\n")
	b.WriteString(`"variables":{` + "\n" + `"v0":"x"`)
	for i := 1; i <= n; i++ {
		prev := fmt.Sprintf("variables('v%d')", i-1)
		fmt.Fprintf(&b, ",\n\"v%d\":\"[%s]\"", i, fmt.Sprintf(expr, prev, prev))
	}
	fmt.Fprintf(&b, "\n},\n"+`"resources":[{"type":"Microsoft.ContainerService/managedClusters","apiVersion":"2024-05-01","name":"[variables('v%d')]","properties":{}}]}`, n)
	return b.String()
}

// loadHostile loads a template within 5 s: the inputs below hung the scan before.
func loadHostile(t *testing.T, src string) *subject.Scan {
	t.Helper()
	var s *subject.Scan
	start := time.Now()
	testutil.WithinBudget(t, 5*time.Second, func() { s = LoadBytes("hostile.json", []byte(src), Options{}) })
	t.Logf("loaded in %v", time.Since(start))
	return s
}

func wantError(t *testing.T, s *subject.Scan, line int, msg string) {
	t.Helper()
	for _, e := range s.Errors {
		if e.Source == "hostile.json" && e.Line == line && strings.Contains(e.Message, msg) {
			return
		}
	}
	t.Errorf("errors %+v: want %q at line %d", s.Errors, msg, line)
}

func TestHostileTemplates(t *testing.T) {
	t.Parallel()
	t.Run("self-reference", func(t *testing.T) {
		t.Parallel()
		s := loadHostile(t, `{"$schema":"deploymentTemplate","contentVersion":"1",
"variables":{
  "a": "[concat(variables('a'), variables('a'))]"
},
"resources":[{"type":"Microsoft.ContainerService/managedClusters","name":"[variables('a')]","properties":{}}]}`)
		wantError(t, s, 3, "variable 'a' refers to itself (Azure rejects circular references)")
		if len(s.Errors) != 1 {
			t.Errorf("errors %+v: want the cycle once", s.Errors)
		}
	})
	t.Run("two-variable cycle with branching", func(t *testing.T) {
		t.Parallel()
		s := loadHostile(t, `{"$schema":"deploymentTemplate","contentVersion":"1",
"variables":{
  "a": "[concat(variables('b'), variables('b'), variables('b'))]",
  "b": "[concat(variables('a'), variables('a'))]"
},
"resources":[{"type":"Microsoft.ContainerService/managedClusters","name":"[variables('b')]","properties":{"dnsPrefix":"[variables('a')]"}}]}`)
		wantError(t, s, 4, "variable 'b' refers to itself through b → a → b")
	})
	t.Run("parameter default cycle", func(t *testing.T) {
		t.Parallel()
		s := loadHostile(t, `{"$schema":"deploymentTemplate","contentVersion":"1",
"parameters":{
  "p": {"type":"string","defaultValue":"[concat(parameters('p'), parameters('p'))]"}
},
"resources":[{"type":"Microsoft.ContainerService/managedClusters","name":"[parameters('p')]","properties":{}}]}`)
		wantError(t, s, 3, "parameter 'p' refers to itself")
	})
	t.Run("doubling chain of 40, memoised", func(t *testing.T) {
		t.Parallel()
		// Not a cycle and a constant-size result: 2^40 evaluations without the memo.
		s := loadHostile(t, chainTemplate(40, "if(equals(%s, %s), 'x', 'y')"))
		if len(s.Errors) != 0 {
			t.Errorf("errors %+v, want none", s.Errors)
		}
		if c := clusterOf(t, s); c == nil || c.Name != "x" {
			t.Errorf("cluster %+v, want it named x", c)
		}
	})
	t.Run("chain of 100, within the nesting limit", func(t *testing.T) {
		t.Parallel()
		s := loadHostile(t, chainTemplate(100, "if(equals(%s, %s), 'x', 'y')"))
		if len(s.Errors) != 0 {
			t.Errorf("errors %+v, want none", s.Errors)
		}
		if c := clusterOf(t, s); c == nil || c.Name != "x" {
			t.Errorf("cluster %+v, want it named x", c)
		}
	})
	t.Run("doubling chain of 40, exploding", func(t *testing.T) {
		t.Parallel()
		// v<i> is 2^i bytes: past maxLen at v21 (2 MiB), which is where the error is.
		s := loadHostile(t, chainTemplate(40, "concat(%s, %s)"))
		wantError(t, s, 24, "an expression builds a string longer than 1048576: the value is unknown")
		if len(s.Errors) != 1 {
			t.Errorf("errors %+v: want the size error once", s.Errors)
		}
		if c := clusterOf(t, s); c == nil || c.Name != "" {
			t.Errorf("cluster %+v, want it with an unknown name", c)
		}
	})
	t.Run("objects that share parts", func(t *testing.T) {
		t.Parallel()
		// A tree of 2^40 nodes described by 40 variables.
		s := loadHostile(t, strings.Replace(chainTemplate(40, "createObject('l', %s, 'r', %s)"), `"name":"[variables('v40')]","properties":{}`, `"name":"aks","properties":{"x":"[variables('v40')]"}`, 1))
		wantError(t, s, 45, "has more than 65536 elements")
	})
	t.Run("expression nesting", func(t *testing.T) {
		t.Parallel()
		deep := strings.Repeat("concat(", 200000) + "'x'" + strings.Repeat(")", 200000)
		s := loadHostile(t, `{"$schema":"deploymentTemplate","contentVersion":"1","resources":[{"type":"Microsoft.ContainerService/managedClusters","name":"[`+deep+`]","properties":{}}]}`)
		if c := clusterOf(t, s); c == nil || c.Name != "" {
			t.Errorf("cluster %+v, want it with an unknown name", c)
		}
	})
}

func clusterOf(t *testing.T, s *subject.Scan) *subject.Cluster {
	t.Helper()
	for _, o := range s.Others {
		if c, ok := o.(*subject.Cluster); ok {
			return c
		}
	}
	t.Errorf("no cluster in %+v", s.Others)
	return nil
}
