GO ?= go
VERSION ?= dev
STATICCHECK = $(GO) tool -modfile=tools/go.mod staticcheck
GOLANGCI_LINT = $(GO) tool -modfile=tools/go.mod golangci-lint

.PHONY: help build release-build test race lint generate verify-generated fuzz bench bench-scale bench-webhook bench-audit bench-azure-fleet bench-history

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## build bin/akscheck (stamped with the commit; --version shows it)
	$(GO) build -ldflags "-X github.com/akscheck/akscheck/internal/cli.buildCommit=$$(git rev-parse HEAD 2>/dev/null)" -o bin/akscheck ./cmd/akscheck

# As goreleaser builds a release (.goreleaser.yaml): static, -trimpath, no symbol table or DWARF.
# GOOS and GOARCH pick the target; docs/release.md quotes the sizes for linux/amd64.
release-build: ## build bin/akscheck as a release is built: static, -trimpath, stripped (-s -w); VERSION=v1.2.3 names it
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X github.com/akscheck/akscheck/internal/cli.version=$(VERSION) -X github.com/akscheck/akscheck/internal/cli.buildCommit=$$(git rev-parse HEAD 2>/dev/null)" -o bin/akscheck ./cmd/akscheck

test: ## run the tests (the README's test command)
	$(GO) test ./...

race: ## run the tests with the race detector
	$(GO) test -race ./...

lint: ## gofmt, go vet, staticcheck and golangci-lint (.golangci.yml)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...
	$(GOLANGCI_LINT) run ./...
	$(GOLANGCI_LINT) run --build-tags integration ./internal/load/live/integration/... ./internal/serve/integration/... ./internal/admissionpolicy/integration/... ./internal/audit/integration/...

generate: ## regenerate the check registry, docs/checks.md, docs/checks/*.md and docs/config.md's settings from the checks' metadata, the chart's rules from the code's kinds, and deploy/ from the chart
	$(GO) generate ./...

verify-generated: generate ## fail when generated files are stale (or new and unknown to git)
	git diff --exit-code -- docs/ internal/checks/ charts/ deploy/
	@out=$$(git status --porcelain --untracked-files=all -- docs/ internal/checks/ charts/ deploy/); if [ -n "$$out" ]; then echo "untracked generated files: $$out"; exit 1; fi

fuzz: ## fuzz every parser, decoder and generator the targets below name (inputs, admission reviews, config and CEL, fixes, remedies), a minute each
	$(GO) test ./internal/load/manifest -run '^$$' -fuzz FuzzLoadBytes -fuzztime 60s
	$(GO) test ./internal/load/manifest -run '^$$' -fuzz FuzzDecodeNode -fuzztime 60s
	$(GO) test ./internal/load/manifest -run '^$$' -fuzz FuzzStream -fuzztime 60s
	$(GO) test ./internal/load/dockerfile -run '^$$' -fuzz FuzzLoadBytes -fuzztime 60s
	$(GO) test ./internal/load/scanreport -run '^$$' -fuzz FuzzLoadBytes -fuzztime 60s
	$(GO) test ./internal/load/arm -run '^$$' -fuzz FuzzLoadBytes -fuzztime 60s -fuzzminimizetime 5s
	$(GO) test ./internal/load/azure -run '^$$' -fuzz FuzzDefenderRows -fuzztime 60s
	$(GO) test ./internal/load/terraform -run '^$$' -fuzz FuzzLoadModule -fuzztime 60s -fuzzminimizetime 5s
	$(GO) test ./internal/load/terraform -run '^$$' -fuzz FuzzLoadPlan -fuzztime 60s -fuzzminimizetime 5s
	$(GO) test ./internal/load/bicep -run '^$$' -fuzz FuzzBicepLines -fuzztime 60s -fuzzminimizetime 5s
	$(GO) test ./internal/load/terraform -run '^$$' -fuzz FuzzParseEffect -fuzztime 60s
	$(GO) test ./internal/load/admission -run '^$$' -fuzz FuzzDecode -fuzztime 60s
	$(GO) test ./internal/serve -run '^$$' -fuzz FuzzValidate -fuzztime 60s
	$(GO) test ./internal/load/live -run '^$$' -fuzz FuzzDecodeHelmRelease -fuzztime 60s
	$(GO) test ./internal/upgrade -run '^$$' -fuzz FuzzParseTarget -fuzztime 60s
	$(GO) test ./internal/render/markdown -run '^$$' -fuzz FuzzFence -fuzztime 60s
	$(GO) test ./internal/render/fixtext -run '^$$' -fuzz FuzzTerraformValue -fuzztime 60s
	$(GO) test ./internal/guardrails -run '^$$' -fuzz FuzzGenerate -fuzztime 60s
	$(GO) test ./internal/fix -run '^$$' -fuzz FuzzApply -fuzztime 60s
	$(GO) test ./internal/remedy -run '^$$' -fuzz FuzzRemedy -fuzztime 60s
	$(GO) test ./internal/config -run '^$$' -fuzz FuzzParse -fuzztime 60s
	$(GO) test ./internal/cli -run '^$$' -fuzz FuzzByteSize -fuzztime 60s
	$(GO) test ./internal/checks/custom -run '^$$' -fuzz FuzzCustomCheck -fuzztime 60s
	$(GO) test ./internal/credential -run '^$$' -fuzz FuzzKind -fuzztime 60s
	$(GO) test ./internal/credential -run '^$$' -fuzz FuzzClassify -fuzztime 60s

bench: ## the 10,000-object scan benchmark, on one core
	$(GO) test ./internal/engine -run '^$$' -bench Scan -benchmem -cpu 1

# BENCH_SIZES=21000,42000,105000,420000 adds the 420k trees (long on the current engine);
# BENCH_SHAPES=dense keeps one shape; BENCH_RUNS=2 prints the faster of two scans.
BENCH_SIZES ?= 21000,42000,105000
BENCH_SHAPES ?= dense,sparse
BENCH_RUNS ?= 1
bench-scale: build ## scan generated dense and sparse trees (21k, 42k, 105k objects; BENCH_SIZES adds 420000) with bin/akscheck: objects/s, CPU/wall, peak RSS, time ratio per doubling (docs/performance.md)
	$(GO) run ./internal/testutil/gentree/benchscale -bin bin/akscheck -sizes $(BENCH_SIZES) -shapes $(BENCH_SHAPES) -runs $(BENCH_RUNS)

bench-webhook: ## 10,000 admission reviews at 500/s from a separate process: latency, errors, server memory
	scripts/bench-webhook.sh 10000 500

# The kube-apiserver and etcd binaries: AKSCHECK_KUBE_BIN, else built by .ci/kube-test-env.sh.
bench-audit: ## the audit of 30,000 objects in a real kube-apiserver: load, first audit, peak RSS, idle CPU, one Deployment's change (docs/audit.md)
	AKSCHECK_KUBE_BIN=$${AKSCHECK_KUBE_BIN:-$$(bash .ci/kube-test-env.sh | tail -n 1)} AKSCHECK_AUDIT_SCALE=$${AKSCHECK_AUDIT_SCALE:-30000} \
		$(GO) test -tags integration -count=1 -timeout 60m -run '^TestAuditScale$$' -v ./internal/audit/integration/

bench-azure-fleet: ## 200 AKS clusters from the Azure replay server, per cluster and through Resource Graph: requests and time
	$(GO) test ./internal/load/azure -run '^$$' -bench Fleet200 -benchtime 3x

bench-history: ## a year of daily audits of a 30,000-object cluster: database size, Record and the dashboard's queries (SQLite, and PostgreSQL when installed)
	$(GO) test -tags integration ./internal/history -run '^$$' -bench YearOfHistory -benchtime 1x -timeout 3h
