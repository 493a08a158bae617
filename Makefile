# Pooler: the two quick-start commands are `make demo` and `make test`.
SWIFT ?= swift
RELEASE_BIN = .build/release

.PHONY: deps build lint test demo bench sample clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product pooler

## Lint (part of `make test`, so CI fails on it): the swift-format rules in .swift-format — no force
## unwraps, no `try!`, no implicitly unwrapped optionals, … — over Sources/, Tests/, Examples/.
## Layout (indentation, line breaks) is not checked; see scripts/lint.py.
lint:
	@SWIFT=$(SWIFT) python3 scripts/lint.py

## The tests (what CI runs), after the lint. The Python packages let a test compare `pooler embed` with the
## numpy reference in Examples/python; without pip that one test is skipped, saying so.
test: deps lint
	@python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore numpy h5py safetensors \
		|| echo "note: pip could not install numpy/h5py/safetensors; the Python reference test will be skipped" >&2
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## The main job: train an attention head on the sample in data/, compare it with the fixed
## poolings on dev and test (intervals, significance), write the exported head and the chart.
SAMPLE = data/stsb-minilm-l6-sample
DEMO = runs/demo
demo: build
	@$(RELEASE_BIN)/pooler doctor | grep -E 'BLAS core|problem' || true
	@rm -rf $(DEMO)
	$(RELEASE_BIN)/pooler train --train $(SAMPLE)/train.h5 --dev $(SAMPLE)/dev.h5 --out $(DEMO) \
		--head additive --epochs 20 --lr 3e-4 --patience 5 --quiet
	$(RELEASE_BIN)/pooler evaluate --data $(SAMPLE)/dev.h5 --data $(SAMPLE)/test.h5 \
		--strategies mean,cls,max,last --head additive=$(DEMO) --plot $(DEMO)/comparison.svg --quiet
	@echo "exported head: $(DEMO)/head (config.json + model.safetensors); chart: $(DEMO)/comparison.svg"

## Benchmarks: each prints its figure beside the reference it is compared with. They read the
## full STS-B files in ../shared (SHARED_DATA); first the fixed poolings are checked against
## the reference table there (±0.01). `make bench BENCH=training` runs one benchmark.
## Each benchmark runs in its own process, so memory figures start from a fresh heap.
SHARED_DATA ?= ../shared/data
BENCH ?= sgemm autodiff hiddenstates evaluation training
bench: deps
	$(SWIFT) build -c release
	python3 scripts/check_reference_scores.py $(RELEASE_BIN)/pooler $(SHARED_DATA)
	@for b in $(BENCH); do $(RELEASE_BIN)/PoolerBench $$b || exit 1; done

## Re-make data/ from the full STS-B hidden states in ../shared (see data/README.md).
sample: build
	$(RELEASE_BIN)/pooler subset --input $(SHARED_DATA)/stsb-minilm-l6/train.h5 --output $(SAMPLE)/train.h5 --pairs 500 --seed 0
	$(RELEASE_BIN)/pooler subset --input $(SHARED_DATA)/stsb-minilm-l6/dev.h5 --output $(SAMPLE)/dev.h5 --pairs 200 --seed 0
	$(RELEASE_BIN)/pooler subset --input $(SHARED_DATA)/stsb-minilm-l6/test.h5 --output $(SAMPLE)/test.h5 --pairs 250 --seed 0

## The showcase (not part of the tests): heads trained on layer 3 of 6 of all-MiniLM-L6-v2 against the full
## model's mean pooling, STS-B dev and test, into runs/showcase/ (docs/showcase.md). Builds the layer-3
## hidden states in ~/.cache/pooler if missing (pip installs torch); about 20 min on 2 cores.
.PHONY: showcase
showcase: deps
	LAST=$(SHARED_DATA)/stsb-minilm-l6 STSB=$(SHARED_DATA)/stsbenchmark bash scripts/showcase.sh

clean:
	rm -rf .build
