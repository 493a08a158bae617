# Pooler: the two quick-start commands are `make demo` and `make test`.
SWIFT ?= swift
RELEASE_BIN = .build/release

.PHONY: deps build lint test demo bench sample clean fuzz install uninstall man ecosystem-checks showcase-decoder

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

## The main job, on the samples in data/ (offline, no model needed), in two parts:
##  1. last layer of all-MiniLM-L6-v2 (trained for mean pooling): a learned head ties mean pooling;
##  2. its layer 3 of 6, where fixed poolings are poor: a head trained on 300 pairs recovers most of
##     the full model's quality at half the encoder's depth (layer-6 mean pooling is the `--system`).
## Each part prints the table with intervals and paired tests, then one plain sentence per result.
SAMPLE = data/stsb-minilm-l6-sample
SAMPLE3 = data/stsb-minilm-l6-layer3-sample
DEMO = runs/demo
demo: build
	@$(RELEASE_BIN)/pooler doctor | grep -E 'BLAS core|problem' || true
	@rm -rf $(DEMO) $(DEMO)-layer3
	@echo "== 1. Last layer: the model was trained for mean pooling; does a learned head beat it? =="
	$(RELEASE_BIN)/pooler train --train $(SAMPLE)/train.h5 --dev $(SAMPLE)/dev.h5 --out $(DEMO) \
		--head additive --epochs 20 --lr 3e-4 --patience 5 --quiet
	$(RELEASE_BIN)/pooler evaluate --data $(SAMPLE)/dev.h5 --data $(SAMPLE)/test.h5 \
		--strategies mean,cls,max,last --head additive=$(DEMO) --plot $(DEMO)/comparison.svg --quiet --sentences
	@echo
	@echo "== 2. Layer 3 of 6 (half the encoder): fixed poolings are poor; a learned head vs the full model =="
	$(RELEASE_BIN)/pooler train --train $(SAMPLE3)/train.h5 --dev $(SAMPLE3)/dev.h5 --out $(DEMO)-layer3 \
		--head additive --projection --epochs 40 --lr 3e-4 --patience 5 --quiet
	$(RELEASE_BIN)/pooler evaluate --data $(SAMPLE3)/dev.h5 --data $(SAMPLE3)/test.h5 \
		--strategies mean,max,cls --head layer3-head=$(DEMO)-layer3 \
		--system "layer6-mean=$(SAMPLE)/{split}.h5:mean" --baseline mean \
		--plot $(DEMO)-layer3/comparison.svg --quiet --sentences
	$(RELEASE_BIN)/pooler evaluate --data $(SAMPLE3)/test.h5 --strategies mean --head layer3-head=$(DEMO)-layer3 \
		--system "layer6-mean=$(SAMPLE)/{split}.h5:mean" --baseline layer6-mean --quiet --sentences --format csv \
		| grep '^stsb-minilm-l6-layer3-sample/test: layer3-head'
	@echo "exported heads: $(DEMO)/head, $(DEMO)-layer3/head; charts: $(DEMO)/comparison.svg, $(DEMO)-layer3/comparison.svg"

## Benchmarks: each prints its figure beside the reference it is compared with. They read the
## full STS-B files in ../shared (SHARED_DATA); first the fixed poolings are checked against
## the reference table there (±0.01). `make bench BENCH=training` runs one benchmark.
## Each benchmark runs in its own process, so memory figures start from a fresh heap.
SHARED_DATA ?= ../shared/data
BENCH ?= sgemm autodiff hiddenstates evaluation training encoder
## `encoder` compares `pooler embed --model` with sentence-transformers in the same run (pip installs
## torch and sentence-transformers when missing; scripts/fetch-model.sh brings the model into ~/.cache/pooler).
bench: deps
	$(SWIFT) build -c release
	python3 scripts/check_reference_scores.py $(RELEASE_BIN)/pooler $(SHARED_DATA)
	@for b in $(BENCH); do \
		if [ $$b = encoder ]; then \
			python3 -c "import torch, sentence_transformers, h5py" 2>/dev/null \
				|| python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore torch sentence-transformers h5py || exit 1; \
			model="$$(bash scripts/fetch-model.sh)" || exit 1; \
			POOLER_MODEL_DIR="$$model" $(RELEASE_BIN)/PoolerBench encoder || exit 1; \
			python3 scripts/bench_encoder.py $(RELEASE_BIN)/pooler $(SHARED_DATA) "$$model" || exit 1; \
		else $(RELEASE_BIN)/PoolerBench $$b || exit 1; fi; \
	done

## Re-make data/ from the full STS-B hidden states in ../shared (see data/README.md). The layer-3 sample
## is cut the same way (same seeds, so the same pairs and sentences) from `pooler extract --layer 3` of
## STS-B, with the model fetched by scripts/fetch-model.sh into ~/.cache/pooler.
SAMPLE_CACHE ?= $(HOME)/.cache/pooler/stsb-minilm-l6-layer3
sample: build
	$(RELEASE_BIN)/pooler subset --input $(SHARED_DATA)/stsb-minilm-l6/train.h5 --output $(SAMPLE)/train.h5 --pairs 500 --seed 0
	$(RELEASE_BIN)/pooler subset --input $(SHARED_DATA)/stsb-minilm-l6/dev.h5 --output $(SAMPLE)/dev.h5 --pairs 200 --seed 0
	$(RELEASE_BIN)/pooler subset --input $(SHARED_DATA)/stsb-minilm-l6/test.h5 --output $(SAMPLE)/test.h5 --pairs 250 --seed 0
	@mkdir -p $(SAMPLE_CACHE) $(SAMPLE3)
	@model="$$(bash scripts/fetch-model.sh)" && for split in train dev test; do \
		[ -f $(SAMPLE_CACHE)/$$split.h5 ] || $(RELEASE_BIN)/pooler extract --model "$$model" \
			--input $(SHARED_DATA)/stsbenchmark/sts-$$split.csv --format stsb --output $(SAMPLE_CACHE)/$$split.h5 \
			--layer 3 --max-length 128 --model-name sentence-transformers/all-MiniLM-L6-v2 \
			--dataset stsbenchmark --split $$split --license "STS Benchmark scores CC-BY-SA 4.0; see LICENSE.txt" || exit 1; \
	done
	$(RELEASE_BIN)/pooler subset --input $(SAMPLE_CACHE)/train.h5 --output $(SAMPLE3)/train.h5 --pairs 300 --seed 0
	$(RELEASE_BIN)/pooler subset --input $(SAMPLE_CACHE)/dev.h5 --output $(SAMPLE3)/dev.h5 --pairs 200 --seed 0
	$(RELEASE_BIN)/pooler subset --input $(SAMPLE_CACHE)/test.h5 --output $(SAMPLE3)/test.h5 --pairs 250 --seed 0

## The showcase (not part of the tests): heads trained on layer 3 of 6 of all-MiniLM-L6-v2 against the full
## model's mean pooling, STS-B dev and test, into runs/showcase/ (docs/showcase.md). Builds the layer-3
## hidden states in ~/.cache/pooler if missing (pip installs torch); about 20 min on 2 cores.
.PHONY: showcase
showcase: deps
	LAST=$(SHARED_DATA)/stsb-minilm-l6 STSB=$(SHARED_DATA)/stsbenchmark bash scripts/showcase.sh

## The layer sweep of docs/decoder.md (issue #16; not in CI): SmolLM2-135M-Instruct (a frozen decoder LLM, GGUF
## from PyPI, states extracted in Python) and all-MiniLM-L6-v2 (states from `pooler extract`), every layer's
## fixed poolings and a learned head with `pooler sweep`; the data go to the cache (~7 GB), the reports to
## runs/showcase-decoder/. Resumes where it stopped.
showcase-decoder: deps
	STSB=$(SHARED_DATA)/stsbenchmark bash scripts/showcase-decoder.sh

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

## Fuzz the HDF5 reader: mutants of Tests/Fuzz/seeds/hdf5 read in child processes (`--supervise`), so
## a crash inside HDF5 is recorded (input kept in .fuzz/crashes/) and the run goes on. Not part of `make test`.
## Replay one input: .build/debug/PoolerBench fuzz-hdf5 --replay FILE
FUZZ_ITERATIONS ?= 100000
FUZZ_SEED ?= 1
fuzz:
	$(SWIFT) build --product PoolerBench
	.build/debug/PoolerBench fuzz-hdf5 --supervise --iterations $(FUZZ_ITERATIONS) --seed $(FUZZ_SEED)
