#!/usr/bin/env bash
# `make showcase` (issue #9): learned pooling on layer 3 of 6 of all-MiniLM-L6-v2 against the
# full model's mean pooling, on STS-B dev and test.
#   1. scripts/showcase-data.sh builds the layer-3 files in the cache if missing (pip, torch);
#   2. builds `pooler` (release);
#   3. trains three heads on layer-3 train (reference configuration: CoSENT, lr 3e-4, batch 64,
#      8 epochs, seed 42; best dev epoch kept): additive+projection, additive, multihead+projection;
#   4. evaluates on layer-3 dev and test: mean / max / cls, the heads, and layer-6 mean pooling
#      (`--system`, same pairs) as the baseline of the paired tests; prints the table and writes
#      runs/showcase/{table.md,results.json,chart.svg,training.md}.
# Heads already trained in runs/showcase/<name>/ are kept (FORCE=1 retrains them).
# Heavy steps run under `nice` (NICENESS, default 19).
# Environment: POOLER_CACHE, LAST (folder of the last-layer {dev,test}.h5), OUT, SCRATCH (swift
# --scratch-path, default .build), EPOCHS, SEED, RESAMPLES, THREADS, FORCE, PYTHON.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
LAYER=3
SWIFT="${SWIFT:-swift}"
PYTHON="${PYTHON:-python3}"
SCRATCH="${SCRATCH:-.build}"
OUT="${OUT:-$root/runs/showcase}"
LAST="${LAST:-$root/../shared/data/stsb-minilm-l6}"
data="${POOLER_CACHE:-$HOME/.cache/pooler}/stsb-minilm-l6-layer$LAYER"
EPOCHS="${EPOCHS:-8}" SEED="${SEED:-42}" RESAMPLES="${RESAMPLES:-1000}"
nice=(nice -n "${NICENESS:-19}")
threads=()
[ -n "${THREADS:-}" ] && threads=(--threads "$THREADS")
started=$SECONDS

for split in dev test; do
  [ -f "$LAST/$split.h5" ] || { echo "error: no last-layer file $LAST/$split.h5 (set LAST=folder of {dev,test}.h5)" >&2; exit 1; }
done

echo "== data: layer $LAYER hidden states in $data" >&2
LAYER=$LAYER PYTHON="$PYTHON" bash scripts/showcase-data.sh

echo "== build: pooler (release, scratch path $SCRATCH)" >&2
"${nice[@]}" "$SWIFT" build -c release --product pooler --scratch-path "$SCRATCH" >&2
pooler="$SCRATCH/release/pooler"

mkdir -p "$OUT"
# name | flags beyond the shared reference configuration
heads=(
  "additive+projection|--head additive --projection"
  "additive|--head additive"
  "multihead+projection|--head multihead --projection"
)
head_args=()
for entry in "${heads[@]}"; do
  name="${entry%%|*}" flags="${entry#*|}"
  run="$OUT/$name"
  head_args+=(--head "$name=$run")
  if [ "${FORCE:-0}" != 1 ] && [ -f "$run/head/config.json" ] && [ -f "$run/summary.json" ]; then
    echo "== train $name: kept $run (FORCE=1 retrains)" >&2
    continue
  fi
  rm -rf "$run"
  echo "== train $name: $flags, CoSENT, lr 3e-4, batch 64, $EPOCHS epochs, seed $SEED → $run (log: $run.log)" >&2
  # shellcheck disable=SC2086  # $flags is a list of flags
  "${nice[@]}" "$pooler" train --train "$data/train.h5" --dev "$data/dev.h5" --out "$run" $flags \
    --loss cosent --lr 3e-4 --batch-size 64 --epochs "$EPOCHS" --seed "$SEED" "${threads[@]}" --quiet \
    > "$run.log" 2>&1 || { cat "$run.log" >&2; exit 1; }
  tail -n 3 "$run.log" >&2
done

echo "== training summary → $OUT/training.md" >&2
"$PYTHON" - "$OUT" "${heads[@]%%|*}" > "$OUT/training.md" <<'PY'
import json, os, sys
out, names = sys.argv[1], sys.argv[2:]
print("| head | seed | epochs run | best epoch | untrained dev | best dev | stopped by | train time (s) |")
print("|---|---:|---:|---:|---:|---:|---|---:|")
for name in names:
    s = json.load(open(os.path.join(out, name, "summary.json")))
    print(f"| {name} | {s['seed']} | {s['epochsCompleted']} | {s['bestEpoch']} | {s['initialDevSpearman']:.2f} "
          f"| {s['best_dev_spearman']:.2f} | {s['stopped_by']} | {s['elapsed_seconds']:.0f} |")
PY
cat "$OUT/training.md"

evaluate=("${nice[@]}" "$pooler" evaluate --data "$data/dev.h5" --data "$data/test.h5" --strategies mean,max,cls
          "${head_args[@]}" --system "layer6-mean=$LAST/{split}.h5:mean" --baseline layer6-mean
          --resamples "$RESAMPLES" --seed 0 --quiet)
echo "== evaluate: layer-$LAYER dev and test; baseline layer6-mean (same pairs, paired bootstrap)" >&2
"${evaluate[@]}" --format json --output "$OUT/results.json" --plot "$OUT/chart.svg"
"${evaluate[@]}" --format markdown --output "$OUT/table.md"
"${evaluate[@]}" --format table
echo "wrote $OUT/table.md, $OUT/results.json, $OUT/chart.svg, $OUT/training.md ($((SECONDS - started)) s in all)" >&2
