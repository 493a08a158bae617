#!/usr/bin/env python3
"""numpy/scipy equivalent of `pooler evaluate` with 5 fixed strategies and 2 heads, for timing.

Usage: python3 scripts/bench_evaluate_numpy.py FILE.h5 [RESAMPLES]

Same work as the Swift benchmark: read every token (float16 -> float32), pool with mean, cls,
max, last, mean-nospecial and two attention heads (additive: v.tanh(W h + b); multihead with 4
learned queries), score cosine/dot/euclidean/manhattan with Spearman and Pearson, and bootstrap
the cosine Spearman of every method (and the paired differences with mean) over the pairs.
Prints the seconds taken.
"""
import sys
import time

import h5py
import numpy as np
from scipy import stats


def segment_softmax(scores, offsets):
    out = np.empty_like(scores)
    for i in range(len(offsets) - 1):
        s = scores[offsets[i]:offsets[i + 1]]
        e = np.exp(s - s.max(axis=0))
        out[offsets[i]:offsets[i + 1]] = e / e.sum(axis=0)
    return out


def main(path, resamples):
    start = time.perf_counter()
    with h5py.File(path, "r") as f:
        tokens = f["tokens"][...].astype(np.float32)
        offsets = f["offsets"][...]
        pairs = f["pairs"][...]
        gold = f["scores"][...].astype(np.float64)
    n, dim = len(offsets) - 1, tokens.shape[1]
    rng = np.random.default_rng(0)
    # fixed strategies: reduceat over segments
    starts = offsets[:-1]
    lengths = np.diff(offsets)[:, None]
    pooled = {
        "mean": np.add.reduceat(tokens, starts, axis=0) / lengths,
        "cls": tokens[starts],
        "max": np.maximum.reduceat(tokens, starts, axis=0),
        "last": tokens[offsets[1:] - 1],
    }
    inner = np.ones(len(tokens), bool)
    inner[starts] = False
    inner[offsets[1:] - 1] = False
    sums = np.add.reduceat(tokens * inner[:, None], starts, axis=0)
    pooled["mean-nospecial"] = sums / np.maximum(lengths - 2, 1)
    # additive head
    W = rng.normal(0, 0.05, (128, dim)).astype(np.float32)
    b = np.zeros(128, np.float32)
    v = rng.normal(0, 0.5, 128).astype(np.float32)
    w = segment_softmax((np.tanh(tokens @ W.T + b) @ v)[:, None], offsets)
    pooled["additive"] = np.add.reduceat(tokens * w, starts, axis=0)
    # multihead head: 4 queries, scores h . (W_k^T q)
    Wk = rng.normal(0, 0.05, (64, dim)).astype(np.float32)
    Q = rng.normal(0, 0.5, (4, 64)).astype(np.float32)
    w = segment_softmax((tokens @ (Wk.T @ Q.T)) / 8, offsets)
    w = np.repeat(w, dim // 4, axis=1)
    pooled["multihead"] = np.add.reduceat(tokens * w, starts, axis=0)

    cosines = {}
    for name, e in pooled.items():
        a, c = e[pairs[:, 0]].astype(np.float64), e[pairs[:, 1]].astype(np.float64)
        sims = {
            "cosine": (a * c).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(c, axis=1)),
            "dot": (a * c).sum(1),
            "euclidean": -np.linalg.norm(a - c, axis=1),
            "manhattan": -np.abs(a - c).sum(1),
        }
        for sim in sims.values():
            stats.spearmanr(sim, gold)
            stats.pearsonr(sim, gold)
        cosines[name] = sims["cosine"]
    p = len(gold)
    boot = {name: [] for name in cosines}
    for _ in range(resamples):
        idx = rng.integers(0, p, p)
        g = gold[idx]
        for name, sim in cosines.items():
            boot[name].append(stats.spearmanr(sim[idx], g).statistic)
    for name in cosines:
        np.percentile(np.subtract(boot[name], boot["mean"]), [2.5, 97.5])
    print(f"{time.perf_counter() - start:.2f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
