package terraform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/akscheck/akscheck/internal/testutil"
)

// FuzzLoadModule feeds the Terraform loader arbitrary HCL: it must never panic, and bad input
// must become error entries. Seeded from the test modules.
func FuzzLoadModule(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.tf")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data, []byte(`location = "westeurope"`))
		}
	}
	// Routing endpoints whose references go nowhere or in a circle, with values of the wrong types.
	f.Add([]byte("resource \"azurerm_cdn_frontdoor_origin\" \"o\" {\n  cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin.o.id\n  host_name = [1]\n  enabled = \"x\"\n}\nresource \"azurerm_traffic_manager_external_endpoint\" \"e\" {\n  profile_id = azurerm_cdn_frontdoor_origin.o.id\n  target = azurerm_traffic_manager_external_endpoint.e.fqdn\n}\n"), []byte(""))
	f.Add([]byte("locals {\n  a = local.b\n  b = local.a\n}\nresource \"azurerm_kubernetes_cluster\" \"x\" {\n  sku_tier = local.a\n}\n"), []byte("x = {"))
	// Issue 19: ten nested replace calls build 10 GB from "x".
	f.Add([]byte("locals {\n  big = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(\"x\", \"x\", \"xxxxxxxxxx\"), \"x\", \"xxxxxxxxxx\"), \"x\", \"xxxxxxxxxx\"), \"x\", \"xxxxxxxxxx\"), \"x\", \"xxxxxxxxxx\"), \"x\", \"xxxxxxxxxx\"), \"x\", \"xxxxxxxxxx\"), \"x\", \"xxxxxxxxxx\"), \"x\", \"xxxxxxxxxx\"), \"x\", \"xxxxxxxxxx\")\n}\nresource \"azurerm_kubernetes_cluster\" \"x\" {\n  name = \"${local.big}${local.big}\"\n}\n"), []byte(""))
	f.Fuzz(func(t *testing.T, tf, vars []byte) {
		// A hang is a failing input, not a fuzzer that never returns.
		testutil.WithinBudget(t, testutil.FuzzBudget, func() {
			s := LoadModule([]File{{Path: "main.tf", Data: tf}, {Path: "terraform.tfvars", Data: vars}}, Options{})
			for _, e := range s.Errors {
				if e.Source == "" {
					t.Fatalf("error without its source: %+v", e)
				}
			}
		})
	})
}

// FuzzLoadPlan feeds the plan loader arbitrary JSON.
func FuzzLoadPlan(f *testing.F) {
	if data, err := os.ReadFile("testdata/plan/plan.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"format_version":"1.2","terraform_version":"1.9.8","values":{"root_module":{"resources":[{"address":"azurerm_kubernetes_cluster.a","mode":"managed","type":"azurerm_kubernetes_cluster","name":"a","values":{"default_node_pool":[{"zones":[1,{}]}]}}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is a failing input, not a fuzzer that never returns.
		testutil.WithinBudget(t, testutil.FuzzBudget, func() {
			if IsPlan(data) {
				_ = LoadPlan("plan.json", data)
			}
		})
	})
}
