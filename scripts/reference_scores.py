#!/usr/bin/env python3
"""Independent numpy/scipy reference of the fixed poolings' STS scores.

Usage: python3 scripts/reference_scores.py FILE.h5 [FILE.h5 ...] > reference-scores.json

For each file (ragged layout), pools every sentence with mean, cls, max, last and
mean-nospecial (leaving out the first and last row), in float32, and prints Spearman and
Pearson (x100) of the cosine similarity of each pair against the gold scores, with ties ranked
by their average rank (scipy.stats.spearmanr). The Swift tests compare `pooler evaluate` with
the numbers this prints for the sample in data/.
"""
import json
import sys

import h5py
import numpy as np
from scipy import stats


def pooled(tokens, offsets):
    out = {k: [] for k in ("mean", "cls", "max", "last", "mean-nospecial")}
    for i in range(len(offsets) - 1):
        rows = tokens[offsets[i]:offsets[i + 1]]
        out["mean"].append(rows.mean(axis=0))
        out["cls"].append(rows[0])
        out["max"].append(rows.max(axis=0))
        out["last"].append(rows[-1])
        inner = rows[1:-1] if len(rows) > 2 else rows
        out["mean-nospecial"].append(inner.mean(axis=0))
    return {k: np.asarray(v, dtype=np.float32) for k, v in out.items()}


def cosine(a, b):
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def main(paths):
    result = {}
    for path in paths:
        with h5py.File(path, "r") as f:
            tokens = f["tokens"][...].astype(np.float32)
            offsets = f["offsets"][...]
            pairs = f["pairs"][...]
            gold = f["scores"][...].astype(np.float64)
        scores = {}
        for name, emb in pooled(tokens, offsets).items():
            sim = cosine(emb[pairs[:, 0]], emb[pairs[:, 1]]).astype(np.float64)
            scores[name] = {
                "spearman_cosine": round(100 * stats.spearmanr(sim, gold).statistic, 4),
                "pearson_cosine": round(100 * stats.pearsonr(sim, gold).statistic, 4),
            }
        result[path.split("/")[-1]] = scores
    json.dump(result, sys.stdout, indent=2, sort_keys=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
