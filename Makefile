GO ?= go
STATICCHECK = $(GO) tool -modfile=tools/go.mod staticcheck

.PHONY: help build test race lint generate verify-generated fuzz bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## build bin/akscheck
	$(GO) build -o bin/akscheck ./cmd/akscheck

test: ## run the tests (the README's test command)
	$(GO) test ./...

race: ## run the tests with the race detector
	$(GO) test -race ./...

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

generate: ## regenerate docs/checks.md from the checks' metadata
	$(GO) generate ./...

verify-generated: generate ## fail when generated files are stale
	git diff --exit-code -- docs/

fuzz: ## fuzz the manifest, Dockerfile and scan report loaders for a minute each
	$(GO) test ./internal/load/manifest -run '^$$' -fuzz FuzzLoadBytes -fuzztime 60s
	$(GO) test ./internal/load/dockerfile -run '^$$' -fuzz FuzzLoadBytes -fuzztime 60s
	$(GO) test ./internal/load/scanreport -run '^$$' -fuzz FuzzLoadBytes -fuzztime 60s

bench: ## the 10,000-object scan benchmark, on one core
	$(GO) test ./internal/engine -run '^$$' -bench Scan -benchmem -cpu 1
