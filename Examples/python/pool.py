#!/usr/bin/env python3
"""Reference implementation (numpy) of pooler's exported heads.

Loads an export folder (config.json + model.safetensors, as written by `pooler export`) and pools
every sentence of an HDF5 hidden-states file into one embedding, independently of the Swift code.

    python3 pool.py HEAD_DIR INPUT.h5 [--output OUT.h5] [--batch-size N]

Input layouts: ragged (/tokens [T, D] float16/32, /offsets int64 [N+1]) or padded
(/hidden_states [N, L, D] + /attention_mask [N, L], 1 = real token, either padding side).
Output: /embeddings [N, D] float32 (and /sentences when the input has them); without --output the
embeddings are printed, one sentence per line.

Math (float64 here; pooler computes in float32):
  additive:  s_t = v . tanh(W h_t + b);  w = softmax_t(s);  x = sum_t w_t h_t
  multihead: g_t = sqrt(D) h_t / sqrt(|h_t|^2 + 1e-12) (score_normalization "rms"; "none" or absent: g_t = h_t);
             U = W_k^T Q^T [D, K];  s_tk = g_t . U[:, k] / sqrt(key_dim);  w_k = softmax_t(s_:k);
             x[block k] = sum_t w_tk h_t[block k], block k = dims k*D/K .. (k+1)*D/K
  then optionally x = P x + c (projection) and x = x / sqrt(|x|^2 + 1e-12) (normalize).
Requires: pip install numpy h5py safetensors
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np
from safetensors.numpy import load_file


def load_head(folder):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    if config.get("format_version") not in (1, 2):  # 2: multihead heads carry score_normalization
        sys.exit(f"{folder}: unsupported format_version {config.get('format_version')}")
    tensors = {k: v.astype(np.float64) for k, v in load_file(os.path.join(folder, "model.safetensors")).items()}
    return config, tensors


def softmax(scores):
    """Softmax over axis 0 (the sentence's tokens), stable."""
    e = np.exp(scores - scores.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def pool_sentence(config, p, h):
    """h: [L, D] float64, real tokens only -> [D]."""
    dim = config["dim"]
    if config["kind"] == "additive":
        scores = np.tanh(h @ p["attention.weight"].T + p["attention.bias"]) @ p["attention.v"]  # [L]
        x = softmax(scores) @ h                                                                # [D]
    elif config["kind"] == "multihead":
        heads = config.get("heads", 4)
        key_dim = config.get("key_dim", 64)
        u = p["keys.weight"].T @ p["queries"].T                       # [D, K]
        g = h
        if config.get("score_normalization", "none") == "rms":        # absent: a head from before it existed
            g = np.sqrt(dim) * h / np.sqrt((h * h).sum(axis=1, keepdims=True) + 1e-12)
        elif config.get("score_normalization", "none") != "none":
            sys.exit(f"unknown score_normalization {config['score_normalization']!r}")
        weights = softmax(g @ u / np.sqrt(key_dim))                   # [L, K]
        block = dim // heads
        x = np.concatenate([weights[:, k] @ h[:, k * block:(k + 1) * block] for k in range(heads)])
    else:
        sys.exit(f"unknown head kind {config['kind']!r}")
    if config.get("projection", False):
        x = p["projection.weight"] @ x + p["projection.bias"]
    if config.get("normalize", False):
        x = x / np.sqrt((x * x).sum() + 1e-12)
    return x


def sentences(path):
    """Yields each sentence's real-token hidden states [L, D] (float64), in file order."""
    with h5py.File(path, "r") as f:
        if "tokens" in f:
            tokens, offsets = f["tokens"], f["offsets"][:]
            for i in range(len(offsets) - 1):
                yield tokens[offsets[i]:offsets[i + 1]].astype(np.float64)
        elif "hidden_states" in f:
            states, mask = f["hidden_states"], f["attention_mask"][:]
            for i in range(states.shape[0]):
                yield states[i][mask[i] != 0].astype(np.float64)
        else:
            sys.exit(f"{path}: neither /tokens + /offsets nor /hidden_states + /attention_mask")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("head", help="export folder (config.json + model.safetensors)")
    parser.add_argument("input", help="hidden-states HDF5 file")
    parser.add_argument("--output", help="write /embeddings [N, D] float32 here instead of printing")
    args = parser.parse_args()

    config, params = load_head(args.head)
    embeddings = []
    for h in sentences(args.input):
        if h.shape[1] != config["dim"]:
            sys.exit(f"{args.input}: hidden states have dimension {h.shape[1]}, the head expects {config['dim']}")
        embeddings.append(pool_sentence(config, params, h))
    embeddings = np.asarray(embeddings, dtype=np.float32).reshape(-1, config["dim"])

    if args.output:
        with h5py.File(args.input, "r") as source, h5py.File(args.output, "w") as out:
            out.create_dataset("embeddings", data=embeddings)
            if "sentences" in source:
                out.create_dataset("sentences", data=source["sentences"][:])
    else:
        try:
            for row in embeddings:
                print(" ".join(f"{v:.7g}" for v in row))
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader (e.g. `| head`) has gone: stop quietly, as command-line tools do. Point
            # stdout at /dev/null so the interpreter's final flush does not raise again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)


if __name__ == "__main__":
    main()
