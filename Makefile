# sentinel-lab: build, test and measure.
GO      ?= go
BIN     ?= bin/sentinel-lab
PKGS    := ./...

.PHONY: build demo test lint clean

## build: the sentinel-lab binary, in bin/
build:
	$(GO) build -o $(BIN) ./cmd/sentinel-lab

## demo: the lab's main job: start the lab, fail the master over, show it
demo: build
	$(BIN) up
	$(BIN) status

## test: lint, unit tests and end-to-end tests (these need a Docker daemon:
## they skip without one, and fail instead when CI=true)
test: lint
	$(GO) test -count=1 -timeout 25m $(PKGS)

## lint: gofmt and go vet must be clean
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

clean:
	rm -rf bin smoke-out
