#!/usr/bin/env bash
# Writes the STS-B hidden states of SmolLM2-135M-Instruct (30 layers, dim 576; GGUF from PyPI via
# scripts/fetch-decoder.sh) for the layer sweep of issue #16: one forward pass per split, one file
# per layer, float16:
#   ${POOLER_CACHE:-$HOME/.cache/pooler}/sweep-smollm2/L{layer}/{train,dev,test}.h5
# LAYERS=all (default) or e.g. LAYERS=12,15,18; APPEND_EOS=1 appends EOS to every sentence and
# writes to sweep-smollm2-eos/ instead; PROMPT=1 wraps every sentence in PromptEOL's prompt
# (TEMPLATE, default 'This sentence : "{sentence}" means in one word:"') and writes to
# sweep-smollm2-eol/. BATCH (default 64). Needs torch, transformers, gguf, h5py
# (pip install torch transformers gguf h5py numpy). All layers of the three splits take about
# 7.5 GB.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
cache="${POOLER_CACHE:-$HOME/.cache/pooler}"
STSB="${STSB:-$root/../shared/data/stsbenchmark}"
LAYERS="${LAYERS:-all}"
BATCH="${BATCH:-64}"
out="$cache/sweep-smollm2"
eos=()
if [ "${APPEND_EOS:-0}" = 1 ]; then out="$cache/sweep-smollm2-eos"; eos=(--append-eos); fi
template=()
if [ "${PROMPT:-0}" = 1 ]; then
  out="$cache/sweep-smollm2-eol${eos:+-eos}"
  promptEOL='This sentence : "{sentence}" means in one word:"'
  template=(--template "${TEMPLATE:-$promptEOL}")
fi
folder="$("$root/scripts/fetch-decoder.sh")"
for split in train dev test; do
  start=$SECONDS
  HF_HUB_OFFLINE=1 "$PYTHON" "$root/Examples/extract_hidden_states.py" \
    --model "$folder/SmolLM2-135M-Instruct.Q4_1.gguf" --model-name HuggingFaceTB/SmolLM2-135M-Instruct \
    --input "$STSB/sts-$split.csv" --format stsb --output "$out/L{layer}/$split.h5" --layer "$LAYERS" \
    --max-length 128 --dtype float16 --batch-size "$BATCH" "${eos[@]}" "${template[@]}" \
    --dataset stsbenchmark --split "$split" \
    --license "STS Benchmark scores CC-BY-SA 4.0; see LICENSE.txt; SmolLM2 Apache-2.0"
  echo "$split: $((SECONDS - start)) s" >&2
done
du -sh "$out" >&2
