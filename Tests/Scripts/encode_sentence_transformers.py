"""Loads a folder written by `pooler export RUN --sentence-transformers MODEL --out FOLDER` in
sentence-transformers, encodes a text file (one text a line) and compares with a `pooler embed`
.npy output (Tests/CLITests).

usage: encode_sentence_transformers.py FOLDER TEXTS.txt REFERENCE.npy
prints one JSON line: {"modules": [class names], "dim": ..., "shape": [...], "max_abs_diff": ...}
"""
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder: never reach for the Hub

import numpy as np
from sentence_transformers import SentenceTransformer

folder, texts_path, reference_path = sys.argv[1:4]
with open(texts_path, encoding="utf-8") as f:
    texts = [line.rstrip("\n") for line in f if line.strip()]
model = SentenceTransformer(folder, trust_remote_code=True, device="cpu")
embeddings = model.encode(texts, batch_size=8, convert_to_numpy=True).astype(np.float32)
reference = np.load(reference_path).astype(np.float32)
difference = float(np.abs(embeddings - reference).max()) if embeddings.shape == reference.shape else float("inf")
print(json.dumps({
    "modules": [type(module).__name__ for module in model],
    "dim": model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension") else model.get_sentence_embedding_dimension(),
    "layers": model[0].auto_model.config.num_hidden_layers,
    "shape": list(embeddings.shape),
    "max_abs_diff": difference,
}))
