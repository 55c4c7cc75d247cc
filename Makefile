# edgebar — build, test and check. `make help` lists the targets.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -s -w -X main.version=$(VERSION)
BUILD   := CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)"
FUZZTIME ?= 10s

.PHONY: help run build test test-tools bench bench-report bench-smoke bench-go fuzz cross check

help:
	@echo "make run      run the router with the built-in default config (ws://127.0.0.1:8080/ws, rawsocket 127.0.0.1:8081)"
	@echo "make build    static binary bin/edgebar"
	@echo "make test     install test tools if needed, then vet and test everything (race detector on router/)"
	@echo "make bench    edgebar against the nexus router with wampbench, ratios edgebar/nexus"
	@echo "make bench-report  every metric of the performance issue against nexus, regenerates docs/performance.md"
	@echo "make bench-smoke  wampbench against edgebar for a second per scenario (part of make test)"
	@echo "make bench-go Go micro-benchmarks"
	@echo "make fuzz     run every fuzzer for FUZZTIME (default 10s)"
	@echo "make cross    static binaries for arm64, armv6, armv7, mips and mipsle in bin/, with sizes"
	@echo "make check    gofmt and go vet"

run:
	$(GO) run ./cmd/edgebar start

build:
	$(BUILD) -o bin/edgebar ./cmd/edgebar

# Installs the npm and Debian packages the interop tests need (quick when
# they are there already).
test-tools:
	bash .ci/test-tools.sh

test: test-tools
	$(GO) vet ./...
	$(GO) test ./...
	$(GO) test -race ./router/...
	bash .ci/bench-smoke.sh

# wampbench against edgebar, about a second per scenario: fails on lost
# RPCs or events and on disconnects (skipped without ../shared).
bench-smoke:
	bash .ci/bench-smoke.sh

# edgebar against the nexus router, side by side (../shared/tools/wampbench);
# every ratio printed is edgebar/nexus. BENCHFLAGS go to compare.sh.
BENCHFLAGS ?= -r 3 -d 5s
bench:
	bash .ci/bench.sh $(BENCHFLAGS)

# Every metric of the performance issue, nexus against edgebar, each group in
# its own compare.sh run; rewrites docs/performance.md. REPS and DUR set the
# repetitions and the measured time of rpc/pubsub (default 3 and 5s).
bench-report:
	bash .ci/bench-report.sh

# The Go micro-benchmarks (codecs, transports, matcher).
bench-go:
	$(GO) test -run='^$$' -bench=. -benchmem ./router/...

# Every `func FuzzX(f *testing.F)` in the module, each for FUZZTIME.
fuzz:
	@set -e; grep -rlE --include='*_test.go' --exclude-dir=node_modules --exclude-dir=testdata '^func Fuzz[A-Za-z0-9_]*\([A-Za-z_]+ \*testing\.F\)' . | sort | while read -r file; do \
		dir=$$(dirname "$$file"); \
		for fn in $$(grep -oE '^func Fuzz[A-Za-z0-9_]*' "$$file" | cut -d' ' -f2); do \
			echo "fuzz: $$dir $$fn"; \
			$(GO) test -run='^$$' -fuzz="^$$fn$$" -fuzztime=$(FUZZTIME) "./$${dir#./}"; \
		done; \
	done

cross:
	@mkdir -p bin
	GOOS=linux GOARCH=arm64 $(BUILD) -o bin/edgebar-linux-arm64 ./cmd/edgebar
	GOOS=linux GOARCH=arm GOARM=6 $(BUILD) -o bin/edgebar-linux-armv6 ./cmd/edgebar
	GOOS=linux GOARCH=arm GOARM=7 $(BUILD) -o bin/edgebar-linux-armv7 ./cmd/edgebar
	GOOS=linux GOARCH=mips GOMIPS=softfloat $(BUILD) -o bin/edgebar-linux-mips ./cmd/edgebar
	GOOS=linux GOARCH=mipsle GOMIPS=softfloat $(BUILD) -o bin/edgebar-linux-mipsle ./cmd/edgebar
	@ls -l bin/edgebar-linux-* | awk '{printf "%-28s %6.2f MiB\n", $$NF, $$5/1048576}'

check:
	@out=$$(find . -type f -name '*.go' -not -path '*/node_modules/*' -not -path './.cache/*' -exec gofmt -l {} +); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
