# Pooler: the two quick-start commands are `make demo` and `make test`.
SWIFT ?= swift
RELEASE_BIN = .build/release

.PHONY: deps build test demo bench sample clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product pooler

## The tests (what CI runs). The Python packages let a test compare `pooler embed` with the
## numpy reference in Examples/python; without pip that one test is skipped, saying so.
test: deps
	@python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore numpy h5py safetensors \
		|| echo "note: pip could not install numpy/h5py/safetensors; the Python reference test will be skipped" >&2
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## The main job.
demo: build
	$(RELEASE_BIN)/pooler doctor

## Benchmarks: each prints its figure beside the reference it is compared with.
bench: deps
	$(SWIFT) build -c release --product PoolerBench
	$(RELEASE_BIN)/PoolerBench $(BENCH)

## Re-make data/ from the full STS-B hidden states in ../shared (see data/README.md).
SHARED ?= ../shared/data/stsb-minilm-l6
SAMPLE = data/stsb-minilm-l6-sample
sample: build
	$(RELEASE_BIN)/pooler subset --input $(SHARED)/train.h5 --output $(SAMPLE)/train.h5 --pairs 500 --seed 0
	$(RELEASE_BIN)/pooler subset --input $(SHARED)/dev.h5 --output $(SAMPLE)/dev.h5 --pairs 200 --seed 0
	$(RELEASE_BIN)/pooler subset --input $(SHARED)/test.h5 --output $(SAMPLE)/test.h5 --pairs 250 --seed 0

clean:
	rm -rf .build
