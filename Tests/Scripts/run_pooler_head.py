"""Runs the exported PyTorch module (pooler_head.py of an export folder) on a ragged hidden-states
file and writes /embeddings, for comparison with `pooler embed` (Tests/CLITests).

usage: run_pooler_head.py EXPORT_FOLDER INPUT.h5 OUTPUT.h5 {right|left}
"""
import importlib.util
import sys

import h5py
import numpy as np
import torch

folder, source, target, side = sys.argv[1:5]
spec = importlib.util.spec_from_file_location("pooler_head", f"{folder}/pooler_head.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
head = module.PoolerHead.load(folder)
with h5py.File(source, "r") as f:
    tokens, offsets = f["tokens"][:].astype(np.float32), f["offsets"][:]
lengths = np.diff(offsets)
batch, width, dim = len(lengths), int(lengths.max()), tokens.shape[1]
padded = np.zeros((batch, width, dim), np.float32)
mask = np.zeros((batch, width), np.int64)
for i, n in enumerate(lengths):
    start = 0 if side == "right" else width - n
    padded[i, start:start + n] = tokens[offsets[i]:offsets[i + 1]]
    mask[i, start:start + n] = 1
with torch.no_grad():
    out = head({"token_embeddings": torch.from_numpy(padded), "attention_mask": torch.from_numpy(mask)})
with h5py.File(target, "w") as f:
    f["embeddings"] = out["sentence_embedding"].numpy()
