#!/usr/bin/env python3
"""Checks `pooler evaluate --tasks retrieval,classification` against numpy / scikit-learn.

Usage: python3 scripts/check_pair_tasks.py POOLER_BINARY [SHARED_DATA_DIR]

On the STS-B test hidden states of all-MiniLM-L6-v2, for the mean and cls poolings, recomputes
from scratch (numpy pooling and cosine, scikit-learn for the classification metrics):
  retrieval       queries = distinct first sentences of pairs with gold >= 4; corpus = distinct second
                  sentences; relevant = paired at gold >= 4; the query itself is not a candidate;
                  cosine ranking, ties by corpus order; nDCG@10, MRR@10, recall@1, recall@10 (means)
  classification  positive = gold >= 4; sklearn average_precision_score; best accuracy over the
                  roc_curve thresholds (every cut with >= 1 predicted positive); best F1 over the
                  precision_recall_curve thresholds
and fails when any figure (x100) differs from pooler's by more than 1e-4.
Needs numpy, h5py, scikit-learn (not in CI; `make ecosystem-checks`).
"""
import json
import os
import subprocess
import sys

import h5py
import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_curve

THRESHOLD = 4.0
TOLERANCE = 1e-4


def load(path):
    with h5py.File(path, "r") as f:
        tokens = f["tokens"][...].astype(np.float32)
        offsets = f["offsets"][...]
        pairs = f["pairs"][...]
        scores = f["scores"][...].astype(np.float32)
    n = len(offsets) - 1
    pooled = {
        "mean": np.stack([tokens[offsets[i]:offsets[i + 1]].mean(axis=0) for i in range(n)]),
        "cls": np.stack([tokens[offsets[i]] for i in range(n)]),
    }
    return pooled, pairs, scores


def unit(x):
    x = x.astype(np.float64)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def retrieval(embeddings, pairs, gold):
    corpus = list(dict.fromkeys(int(b) for _, b in pairs))
    position = {d: i for i, d in enumerate(corpus)}
    relevant = {}
    for (a, b), g in zip(pairs, gold):
        if g >= THRESHOLD and a != b:
            relevant.setdefault(int(a), set()).add(position[int(b)])
    e = unit(embeddings)
    docs = e[corpus]
    rows = []
    for query, rel in relevant.items():
        scores = docs @ e[query]
        candidates = np.array([i for i, d in enumerate(corpus) if d != query])
        order = candidates[np.lexsort((candidates, -scores[candidates]))][:10]
        hits = np.array([i in rel for i in order], dtype=float)
        discounts = 1 / np.log2(np.arange(2, 12))
        ndcg = (hits * discounts[:len(hits)]).sum() / discounts[:min(len(rel), 10)].sum()
        first = np.flatnonzero(hits)
        mrr = 1 / (first[0] + 1) if len(first) else 0.0
        rows.append((ndcg, mrr, hits[:1].sum() / len(rel), hits.sum() / len(rel)))
    means = np.mean(rows, axis=0) * 100
    return dict(zip(["ndcg_at_10", "mrr_at_10", "recall_at_1", "recall_at_10"], means)), len(rows), len(corpus)


def classification(embeddings, pairs, gold):
    e = unit(embeddings)
    cosine = np.einsum("ij,ij->i", e[pairs[:, 0]], e[pairs[:, 1]])
    labels = (gold >= THRESHOLD).astype(int)
    ap = average_precision_score(labels, cosine)
    fpr, tpr, _ = roc_curve(labels, cosine, drop_intermediate=False)
    p, n = labels.sum(), len(labels) - labels.sum()
    accuracy = ((tpr * p + (1 - fpr) * n) / len(labels))[1:].max()  # [0] is the empty cut (threshold inf)
    precision, recall, _ = precision_recall_curve(labels, cosine)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))[:-1].max()
    return {"ap": ap * 100, "accuracy": accuracy * 100, "f1": f1 * 100}


def main():
    pooler = sys.argv[1]
    shared = sys.argv[2] if len(sys.argv) > 2 else "../shared/data"
    path = os.path.join(shared, "stsb-minilm-l6", "test.h5")
    pooled, pairs, gold = load(path)
    output = subprocess.run(
        [pooler, "evaluate", "--data", path, "--strategies", "mean,cls", "--tasks", "retrieval,classification",
         "--relevant-at", str(THRESHOLD), "--resamples", "200", "--format", "json", "--quiet"],
        check=True, capture_output=True, text=True).stdout
    document = json.loads(output)
    worst, failures = 0.0, 0
    for task, reference in [("retrieval", retrieval), ("classification", classification)]:
        for row in document[task]:
            expected = reference(pooled[row["strategy"]], pairs, gold)
            if task == "retrieval":
                expected, queries, corpus = expected
                print(f"retrieval {row['strategy']}: {row['queries']} queries (ref {queries}), "
                      f"{row['corpus']} documents (ref {corpus})")
                failures += (row["queries"], row["corpus"]) != (queries, corpus)
            for metric, want in expected.items():
                got = row[metric]
                difference = abs(got - want)
                worst = max(worst, difference)
                ok = difference <= TOLERANCE
                failures += not ok
                lo, hi = row[metric + "_ci"]
                print(f"  {task:14} {row['strategy']:5} {metric:13} pooler {got:9.5f} [{lo:.2f}, {hi:.2f}]  "
                      f"reference {want:9.5f}  diff {difference:.1e}  {'ok' if ok else 'MISMATCH'}")
    print(f"largest difference {worst:.2e} (x100 scale, tolerance {TOLERANCE:g}): "
          + ("all equal" if failures == 0 else f"{failures} mismatches"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
