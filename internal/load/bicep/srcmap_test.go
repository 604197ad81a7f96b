package bicep

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSourceMap maps lines of the recorded template to the .bicep lines they came from:
// parameters to their declarations, properties to their keys, what the compiler adds (type,
// apiVersion, dependsOn) to the resource's declaration, a module's parameters to its params
// and its template's resources to the module's own file.
func TestSourceMap(t *testing.T) {
	t.Parallel()
	read := func(p string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata", p))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	src, compiled := read("src/main.bicep"), read("recorded/main.json")
	f, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	modFile := filepath.Join("testdata", "src", "modules", "registry.bicep")
	mod, err := Parse(read("src/modules/registry.bicep"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Map(compiled, "main.bicep", f, func(from, path string) (string, *File, bool) {
		if path != "modules/registry.bicep" {
			t.Errorf("module path %q", path)
		}
		return modFile, mod, true
	})
	if err != nil {
		t.Fatal(err)
	}
	jsonLines := strings.Split(string(compiled), "\n")
	// nth returns the template line holding the n-th (1-based) occurrence of s.
	nth := func(s string, n int) int {
		for i, l := range jsonLines {
			if strings.Contains(l, s) {
				if n--; n == 0 {
					return i + 1
				}
			}
		}
		t.Fatalf("%q not in the template", s)
		return 0
	}
	srcLine := func(file []byte, s string, n int) int {
		for i, l := range strings.Split(string(file), "\n") {
			if strings.Contains(l, s) {
				if n--; n == 0 {
					return i + 1
				}
			}
		}
		t.Fatalf("%q not in the source", s)
		return 0
	}
	for _, c := range []struct {
		json     string
		n        int
		file     string
		want     string // the source text of the line
		wantFrom []byte
		wantN    int
	}{
		{`"clusterName": {`, 1, "main.bicep", "param clusterName string", src, 1},
		{`"tags": {`, 1, "main.bicep", "var tags = {", src, 1},
		{`"networkPolicy": "cilium"`, 1, "main.bicep", "networkPolicy: 'cilium'", src, 1},
		{`"scan-interval"`, 1, "main.bicep", "'scan-interval': '10s'", src, 1},
		{`"osDiskType"`, 1, "main.bicep", "osDiskType: 'Ephemeral'", src, 1},
		{`"osDiskType"`, 2, "main.bicep", "osDiskType: 'Ephemeral'", src, 2},
		{`"type": "Microsoft.ContainerService/managedClusters/agentPools"`, 1, "main.bicep", "resource appsPool 'agentPools'", src, 1},
		{`"dayOfWeek": "Saturday"`, 1, "main.bicep", "dayOfWeek: 'Saturday'", src, 1},
		{`"category": "guard"`, 1, "main.bicep", "category: 'guard'", src, 1},
		{`"[extensionResourceId(`, 1, "main.bicep", "    flux", src, 1}, // dependsOn: [flux]
		{`"releaseTrain": "stable"`, 1, "main.bicep", "releaseTrain: 'stable'", src, 1},
		{`"resourceID": "[resourceId(`, 1, "main.bicep", "resourceID: aks.id", src, 1},
		{`"pricingTier"`, 1, "main.bicep", "pricingTier: 'Standard'", src, 1},
		{`"value": "[parameters('registryName')]"`, 1, "main.bicep", "name: registryName", src, 1},
		{`"adminUserEnabled"`, 1, modFile, "adminUserEnabled: false", read("src/modules/registry.bicep"), 1},
		{`"groupIds"`, 1, modFile, "groupIds: [", read("src/modules/registry.bicep"), 1},
		{`"type": "Microsoft.Network/privateEndpoints"`, 1, modFile, "resource endpoint", read("src/modules/registry.bicep"), 1},
	} {
		line := nth(c.json, c.n)
		got := m.At(line)
		want := Pos{File: c.file, Line: srcLine(c.wantFrom, c.want, c.wantN)}
		if got != want {
			t.Errorf("template line %d (%s #%d) -> %+v, want %+v (%s)", line, c.json, c.n, got, want, c.want)
		}
	}
}

// TestSourceMapSymbolic: a languageVersion 2.0 template keys its resources by symbolic name,
// a nested resource's qualified by its parent's.
func TestSourceMapSymbolic(t *testing.T) {
	t.Parallel()
	src := "resource aks 'Microsoft.ContainerService/managedClusters@2025-10-01' = {\n  name: 'a'\n  properties: {\n    enableRBAC: false\n  }\n  resource pool 'agentPools' = {\n    name: 'p'\n    properties: {\n      osDiskType: 'Managed'\n    }\n  }\n}\n"
	compiled := "{\n  \"languageVersion\": \"2.0\",\n  \"resources\": {\n    \"aks::pool\": {\n      \"type\": \"Microsoft.ContainerService/managedClusters/agentPools\",\n      \"properties\": {\n        \"osDiskType\": \"Managed\"\n      }\n    },\n    \"aks\": {\n      \"type\": \"Microsoft.ContainerService/managedClusters\",\n      \"properties\": {\n        \"enableRBAC\": false\n      }\n    }\n  }\n}\n"
	f, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Map([]byte(compiled), "s.bicep", f, nil)
	if err != nil {
		t.Fatal(err)
	}
	for json, want := range map[int]int{7: 9, 13: 4, 5: 6, 11: 1, 1: 1} {
		if got := m.At(json); got != (Pos{File: "s.bicep", Line: want}) {
			t.Errorf("template line %d -> %+v, want line %d", json, got, want)
		}
	}
}
