# Pooler: the two quick-start commands are `make demo` and `make test`.
SWIFT ?= swift
RELEASE_BIN = .build/release

.PHONY: deps build test demo bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product pooler

## The tests (what CI runs).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## The main job.
demo: build
	$(RELEASE_BIN)/pooler doctor

## Benchmarks: each prints its figure beside the reference it is compared with.
bench: deps
	$(SWIFT) build -c release --product PoolerBench
	$(RELEASE_BIN)/PoolerBench $(BENCH)

clean:
	rm -rf .build
