# sentinel-lab: build, test and measure.
GO      ?= go
BIN     ?= bin/sentinel-lab
PKGS    := ./...
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -X github.com/sentinel-lab/sentinel-lab/internal/cli.version=$(VERSION)

.PHONY: build demo test smoke lint actionlint bench clean

## build: the sentinel-lab binary, in bin/
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/sentinel-lab

## demo: the lab's main job: start the lab, fail the master over, show it,
## bring the old master back, then the tour of the seed document on this lab
## (TOURFLAGS="--lang zh" for the Chinese text, "--step" to pause)
demo: build
	$(BIN) up
	$(BIN) kill-master
	$(BIN) revive
	$(BIN) tour $(TOURFLAGS)
	$(BIN) status

## test: lint, unit tests and end-to-end tests (these need a Docker daemon:
## they skip without one, and fail instead when CI=true)
test: lint
	$(GO) test -count=1 -timeout 25m $(PKGS)

## smoke: the CI smoke job: up, kill-master, status, revive, down, with
## -o json artifacts, logs, an export and the HTML report in smoke-out/
smoke: build
	BIN=$(BIN) scripts/smoke

## lint: gofmt, go vet and actionlint must be clean
lint: actionlint
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

## actionlint: lint the GitHub workflows. actionlint comes through the Go
## module proxy the first time, then from the module cache, offline: `go
## run pkg@version` alone asks the proxy every time, so the cache is given
## as the proxy when it holds this version.
ACTIONLINT := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
actionlint:
	@cache="file://$$($(GO) env GOMODCACHE)/cache/download"; \
	if GOPROXY="$$cache" $(GO) run $(ACTIONLINT) -version >/dev/null 2>&1; then proxy="$$cache"; else proxy="$$($(GO) env GOPROXY)"; fi; \
	GOPROXY="$$proxy" $(GO) run $(ACTIONLINT) .github/workflows/*.yml

## bench: time the speed goals against baselines run in the same invocation
## and write BENCHMARKS.md (needs Docker, docker compose or docker-compose and
## redis-cli for the baselines; about 10 minutes). BENCHFLAGS passes flags, e.g.
## make bench BENCHFLAGS="-sections failover -failover-rounds 3 -out /tmp/b.md"
bench: build
	$(GO) build -o bin/sentinel-lab-bench ./bench
	bin/sentinel-lab-bench -bin $(BIN) -out BENCHMARKS.md $(BENCHFLAGS)

clean:
	rm -rf bin smoke-out
