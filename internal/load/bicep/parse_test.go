package bicep

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/testutil"
)

// TestParseDeclarations: resources (nested ones qualified, after their parent; existing
// ones marked), modules, params, vars and outputs at their lines.
func TestParseDeclarations(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "src", "main.bicep"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range f.Resources {
		got = append(got, r.Symbol+" "+r.Type+" "+strconv.Itoa(r.Line)+map[bool]string{true: " existing"}[r.Existing])
	}
	want := []string{
		"aks Microsoft.ContainerService/managedClusters 22",
		"aks::appsPool Microsoft.ContainerService/managedClusters/agentPools 160",
		"upgradeWindow Microsoft.ContainerService/managedClusters/maintenanceConfigurations 194",
		"nodeOSWindow Microsoft.ContainerService/managedClusters/maintenanceConfigurations 212",
		"controlPlaneLogs Microsoft.Insights/diagnosticSettings 230",
		"flux Microsoft.KubernetesConfiguration/extensions 264",
		"shopApps Microsoft.KubernetesConfiguration/fluxConfigurations 279",
		"backupExtension Microsoft.KubernetesConfiguration/extensions 306",
		"backupVault Microsoft.DataProtection/backupVaults 326 existing",
		"backupInstance Microsoft.DataProtection/backupVaults/backupInstances 330",
		"containersPlan Microsoft.Security/pricings 353",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("resources:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(f.Modules) != 1 || f.Modules[0].Path != "modules/registry.bicep" || f.Modules[0].Line != 360 {
		t.Errorf("modules = %+v", f.Modules[0])
	}
	if f.Params["clusterName"] != 4 || f.Params["endpointSubnetId"] != 14 || f.Vars["tags"] != 16 {
		t.Errorf("params %v vars %v", f.Params, f.Vars)
	}
	aks := f.Resources[0]
	props := aks.Body.find("properties").Value.Obj
	if p := props.find("enableRBAC"); p == nil || p.Line != 37 {
		t.Errorf("enableRBAC = %+v", p)
	}
	if p := props.find("autoScalerProfile").Value.Obj.find("scan-interval"); p == nil || p.Line != 121 {
		t.Errorf("'scan-interval' = %+v", p)
	}
	pools := props.find("agentPoolProfiles").Value.Arr
	if len(pools) != 1 || pools[0].Obj.find("osDiskType").Line != 145 {
		t.Errorf("agentPoolProfiles = %+v", pools)
	}
}

// TestLexer: the string forms, comments and the errors, each with its line.
func TestLexer(t *testing.T) {
	t.Parallel()
	src := "var a = 'it\\'s ${'x${y}'} \\u{1F600}' // c ' {\n/* multi\nline { */ var b = '''\nraw ${no} \\n\n'''\nresource r 'T@1' = {\n  'k-1': {\n    x: [\n      1, 2\n    ]\n  }\n  y: cond ? {\n    z: 1\n  } : {}\n}\n"
	f, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if f.Vars["a"] != 1 || f.Vars["b"] != 3 {
		t.Errorf("vars = %v", f.Vars)
	}
	r := f.Resources[0]
	if r.Line != 6 || r.Type != "T" || r.Body.find("k-1").Line != 7 || r.Body.find("y").Line != 12 {
		t.Errorf("resource = %+v", r)
	}
	if x := r.Body.find("k-1").Value.Obj.find("x"); x == nil || len(x.Value.Arr) != 2 || x.Value.Arr[1].Line != 9 {
		t.Errorf("x = %+v", x)
	}
	toks, err := lex([]byte("'it\\'s' '${a}' '''q'''"))
	if err != nil || toks[0].text != "it's" || !toks[1].interp || toks[2].text != "q" {
		t.Errorf("tokens = %+v, %v", toks, err)
	}
	for src, want := range map[string]string{
		"var a = 'x\nvar b = 1":              "line 1: unterminated string",
		"var a = 1\n/* no end":               "line 2: unterminated /* comment",
		"var a = '''\nopen":                  "line 1: unterminated ''' string",
		"var a = '\\q'":                      "line 1: invalid escape \\q",
		"var a = '\\u{110000}'":              "line 1: invalid escape \\u",
		"var a = '${b'":                      "unterminated",
		"resource r 'T@1' = {\n  a: 1\n":     "line 1: unclosed {",
		"resource r 'T@1' = {\n  a: [1, 2\n": "unclosed",
		"var a = #":                          "line 1: unexpected character '#'",
	} {
		if _, err := Parse([]byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", src, err, want)
		}
	}
}

// FuzzBicepLines feeds the .bicep reader arbitrary source: it must never panic nor hang, a
// parsed file's lines must lie in the source, and mapping a compiled template over it must
// not fail. Seeded from the test sources.
func FuzzBicepLines(f *testing.F) {
	compiled, err := os.ReadFile(filepath.Join("testdata", "recorded", "main.json"))
	if err != nil {
		f.Fatal(err)
	}
	testutil.AddSeeds(f, []string{
		"resource a 'A/b@1' = [for x in y: if (x) {\n  name: '${x}'\n  resource c 'd' = {\n    k: {}\n  }\n}]\n",
		"module m 'br:x/y:1' = {\n  params: {\n    p: [\n      {}\n    ]\n  }\n}\n@description('''\nz''')\noutput o string = 'o'\n",
		"var a = '${'${'${1}'}'}'\n",
	}, "testdata/src/*.bicep", "testdata/src/modules/*.bicep", "testdata/srcweak/*.bicep", "testdata/srcbroken/*.bicep")
	f.Fuzz(func(t *testing.T, data []byte) {
		testutil.WithinBudget(t, testutil.FuzzBudget, func() {
			p, err := Parse(data)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "line ") {
					t.Fatalf("error without its line: %v", err)
				}
				return
			}
			lines := strings.Count(string(data), "\n") + 1
			for _, r := range p.Resources {
				if r.Line < 1 || r.Line > lines {
					t.Fatalf("resource %s at line %d of %d", r.Symbol, r.Line, lines)
				}
			}
			m, err := Map(compiled, "fuzz.bicep", p, func(string, string) (string, *File, bool) { return "mod.bicep", p, true })
			if err != nil {
				t.Fatal(err)
			}
			for l := range 600 {
				if at := m.At(l); at.Line < 1 || at.Line > lines {
					t.Fatalf("template line %d mapped to %+v, outside the %d lines", l, at, lines)
				}
			}
		})
	})
}
