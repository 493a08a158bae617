# Pooler: the two quick-start commands are `make demo` and `make test`.
SWIFT ?= swift
RELEASE_BIN = .build/release

.PHONY: deps build test demo bench sample clean install uninstall man ecosystem-checks

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

## Checks against the ecosystem (not in CI; need Python with numpy, scipy, scikit-learn, torch,
## sentence-transformers, h5py; mteb is optional): `evaluate --normalize` against
## sentence-transformers' EmbeddingSimilarityEvaluator, --tasks retrieval,classification against
## numpy/scikit-learn, and --format mteb files loaded with mteb's result classes.
ecosystem-checks: build
	python3 scripts/check_sentence_transformers.py $(RELEASE_BIN)/pooler $(SHARED_DATA)
	python3 scripts/check_pair_tasks.py $(RELEASE_BIN)/pooler $(SHARED_DATA)
	python3 scripts/check_mteb_results.py $(RELEASE_BIN)/pooler $(SHARED_DATA)

## Install: the binary, the sentence-transformers module it ships (found in $(PREFIX)/share/pooler,
## see Sources/pooler/SentenceTransformersModule.swift), the man page (swift-argument-parser's
## generate-manual plugin, works offline; it builds the package in release mode, minutes the first
## time) and bash/zsh/fish completions. `make install PREFIX=~/.local`; DESTDIR for staging.
PREFIX ?= /usr/local
MANUAL = .build/plugins/GenerateManual/outputs/pooler/pooler.1
INSTALLED = $(DESTDIR)$(PREFIX)/bin/pooler $(DESTDIR)$(PREFIX)/share/pooler/pooler_head.py \
	$(DESTDIR)$(PREFIX)/share/man/man1/pooler.1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pooler \
	$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_pooler $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/pooler.fish

man: build
	$(SWIFT) package generate-manual

install: build man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/pooler $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(RELEASE_BIN)/pooler $(DESTDIR)$(PREFIX)/bin/pooler
	install -m 644 Sources/pooler/Resources/pooler_head.py $(DESTDIR)$(PREFIX)/share/pooler/pooler_head.py
	install -m 644 $(MANUAL) $(DESTDIR)$(PREFIX)/share/man/man1/pooler.1
	$(RELEASE_BIN)/pooler --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pooler
	$(RELEASE_BIN)/pooler --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_pooler
	$(RELEASE_BIN)/pooler --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/pooler.fish
	@echo "installed: $(INSTALLED)"

uninstall:
	rm -f $(INSTALLED)
	-rmdir $(DESTDIR)$(PREFIX)/share/pooler 2>/dev/null

clean:
	rm -rf .build
