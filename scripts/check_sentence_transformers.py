#!/usr/bin/env python3
"""Checks `pooler evaluate --normalize` against sentence-transformers' EmbeddingSimilarityEvaluator.

Usage: python3 scripts/check_sentence_transformers.py POOLER_BINARY [SHARED_DATA_DIR]

Mean-pools the STS-B test hidden states of all-MiniLM-L6-v2 with numpy (float32, every token,
as the model's Pooling module does), L2-normalises them with torch (the model's Normalize
module), and runs sentence-transformers' EmbeddingSimilarityEvaluator on them with all four
similarity functions (its `embed_inputs` is replaced by a lookup of these embeddings, so no
encoder runs). Every figure it reports (pearson/spearman of cosine, euclidean, manhattan, dot, and
their max) must equal `pooler evaluate --normalize` to 1e-4 (on sentence-transformers' 0-1 scale).
Needs numpy, h5py, torch, sentence-transformers (not in CI; `make ecosystem-checks`).
"""
import json
import os
import subprocess
import sys
import types

import h5py
import numpy as np
import torch
try:
    from sentence_transformers.sentence_transformer.evaluation import EmbeddingSimilarityEvaluator
except ImportError:  # sentence-transformers < 6
    from sentence_transformers.evaluation import EmbeddingSimilarityEvaluator

TOLERANCE = 1e-4


def mean_pooled(path):
    with h5py.File(path, "r") as f:
        tokens = f["tokens"][...].astype(np.float32)
        offsets = f["offsets"][...]
        sentences = [s.decode("utf-8") if isinstance(s, bytes) else s for s in f["sentences"][...]]
        pairs = f["pairs"][...]
        scores = f["scores"][...].astype(np.float32)
    pooled = np.stack([tokens[offsets[i]:offsets[i + 1]].mean(axis=0) for i in range(len(sentences))])
    return pooled, sentences, pairs, scores


def main():
    pooler = sys.argv[1]
    shared = sys.argv[2] if len(sys.argv) > 2 else "../shared/data"
    path = os.path.join(shared, "stsb-minilm-l6", "test.h5")
    pooled, sentences, pairs, scores = mean_pooled(path)
    normalized = torch.nn.functional.normalize(torch.from_numpy(pooled), p=2, dim=1).numpy()
    by_text = {text: normalized[i] for i, text in enumerate(sentences)}

    evaluator = EmbeddingSimilarityEvaluator(
        [sentences[a] for a, _ in pairs], [sentences[b] for _, b in pairs], scores.tolist(),
        similarity_fn_names=["cosine", "euclidean", "manhattan", "dot"], name="stsb-test", write_csv=False)
    evaluator.embed_inputs = lambda model, texts, **kwargs: np.stack([by_text[t] for t in texts])
    model = types.SimpleNamespace(
        similarity_fn_name="cosine",
        model_card_data=types.SimpleNamespace(set_evaluation_metrics=lambda *args, **kwargs: None))
    theirs = {k.removeprefix("stsb-test_"): float(v) for k, v in evaluator(model).items()}

    output = subprocess.run(
        [pooler, "evaluate", "--data", path, "--strategies", "mean", "--normalize", "--baseline", "none",
         "--resamples", "100", "--format", "json", "--quiet"], check=True, capture_output=True, text=True).stdout
    ours = json.loads(output)["results"][0]
    raw = json.loads(subprocess.run(
        [pooler, "evaluate", "--data", path, "--strategies", "mean", "--baseline", "none", "--resamples", "100",
         "--format", "json", "--quiet"], check=True, capture_output=True, text=True).stdout)["results"][0]

    worst = 0.0
    failures = 0
    for key in sorted(theirs):
        mine = ours[key] / 100
        difference = abs(mine - theirs[key])
        worst = max(worst, difference)
        ok = difference <= TOLERANCE
        failures += not ok
        print(f"{key:20} pooler --normalize {mine:.6f}  sentence-transformers {theirs[key]:.6f}  "
              f"diff {difference:.1e}  {'ok' if ok else 'MISMATCH'}   (without --normalize: {raw[key] / 100:.6f})")
    print(f"{len(theirs)} figures, largest difference {worst:.2e} (tolerance {TOLERANCE:g}): "
          + ("all equal" if failures == 0 else f"{failures} mismatches"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
