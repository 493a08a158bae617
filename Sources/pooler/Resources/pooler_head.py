"""Sentence-transformers module for a pooling head exported by `pooler export`.

Use in sentence-transformers (checked with sentence-transformers 6.2; see docs/sentence-transformers.md):

    pooler export RUN --sentence-transformers ENCODER_FOLDER --out my-model   # encoder (truncated to the head's layer) + this head
    SentenceTransformer("my-model", trust_remote_code=True)                   # required for custom modules since 6.0

`model.save(path)` writes `path/1_PoolerHead/` as a complete export folder (config.json,
model.safetensors, pooler_head.py) and copies pooler_head.py beside path/modules.json, so the
saved model reloads the same way.

Plain PyTorch:

    from pooler_head import PoolerHead
    head = PoolerHead.load("exported-head").eval()
    features = head({"token_embeddings": hidden, "attention_mask": mask})  # [batch, tokens, dim], [batch, tokens]
    embeddings = features["sentence_embedding"]                            # [batch, dim]

Math (same as pooler's Swift code and Examples/python/pool.py):
  additive:  s_t = v . tanh(W h_t + b);  w = softmax over real tokens;  x = sum_t w_t h_t
  multihead: g_t = sqrt(dim) h_t / sqrt(|h_t|^2 + 1e-12) with score_normalization "rms" (absent or "none": g_t = h_t);
             s_tk = g_t . (K^T q_k) / sqrt(key_dim) (K shared by all heads);  softmax over real tokens per head k;
             head k weights dims k*dim/heads .. (k+1)*dim/heads;  heads concatenated
  then optionally y = P x + c, and optionally y / sqrt(|y|^2 + 1e-12).
Padding may be on either side (attention_mask 1 = real token); a sentence without real tokens
gets the pooled vector x = 0 (the projection, if any, then adds its bias).
"""
import json
import math
import os
import re
import shutil

import torch
from torch import nn
from safetensors.torch import load_file, save_file

FORMAT_VERSIONS = (1, 2)  # 2: multihead heads carry score_normalization; 1: they score raw rows


class PoolerHead(nn.Module):
    def __init__(self, config: dict):
        super().__init__()
        if config.get("format_version") not in FORMAT_VERSIONS:
            raise ValueError(f"not a pooler head config this module reads (format_version "
                             f"{config.get('format_version')!r}, expected one of {FORMAT_VERSIONS})")
        self.config = dict(config)
        dim = int(config["dim"])
        self.kind = config["kind"]
        if self.kind == "additive":
            hidden = int(config.get("hidden", 128))
            self.attention = nn.Linear(dim, hidden)
            self.attention.register_parameter("v", nn.Parameter(torch.zeros(hidden)))
        elif self.kind == "multihead":
            self.heads = int(config.get("heads", 4))
            self.key_dim = int(config.get("key_dim", 64))
            if dim % self.heads != 0:
                raise ValueError(f"dim {dim} is not divisible by heads {self.heads}")
            self.keys = nn.Linear(dim, self.key_dim, bias=False)
            self.queries = nn.Parameter(torch.zeros(self.heads, self.key_dim))
            self.score_normalization = config.get("score_normalization", "none")  # absent: a head from before it existed
            if self.score_normalization not in ("rms", "none"):
                raise ValueError(f"unknown score_normalization {self.score_normalization!r}")
        else:
            raise ValueError(f"unknown head kind {self.kind!r}")
        self.projection = nn.Linear(dim, dim) if config.get("projection", False) else None
        self.normalize = bool(config.get("normalize", False))
        self.dim = dim

    def forward(self, features: dict, **kwargs) -> dict:
        dtype = next(self.parameters()).dtype                             # float32 unless the model was cast
        h = features["token_embeddings"].to(dtype)                        # [batch, tokens, dim]
        mask = features["attention_mask"].to(h.device).bool()             # [batch, tokens]
        h = h.masked_fill(~mask.unsqueeze(-1), 0)                         # padding rows never matter
        lowest = torch.finfo(dtype).min
        if self.kind == "additive":
            scores = torch.tanh(self.attention(h)) @ self.attention.v      # [batch, tokens]
            weights = torch.softmax(scores.masked_fill(~mask, lowest), dim=1) * mask  # [batch, tokens]
            x = torch.einsum("bt,btd->bd", weights, h)
        else:
            u = self.keys.weight.t() @ self.queries.t()                     # [dim, heads]
            g = h
            if self.score_normalization == "rms":                           # RMS 1 per row; padding rows stay 0
                g = math.sqrt(self.dim) * h / torch.sqrt((h * h).sum(dim=-1, keepdim=True) + 1e-12)
            scores = (g @ u) / math.sqrt(self.key_dim)                      # [batch, tokens, heads]
            m = mask.unsqueeze(-1)
            weights = torch.softmax(scores.masked_fill(~m, lowest), dim=1) * m  # [batch, tokens, heads]
            b, t, d = h.shape
            values = h.reshape(b, t, self.heads, d // self.heads)
            x = torch.einsum("btk,btkc->bkc", weights, values).reshape(b, d)
        if self.projection is not None:
            x = self.projection(x)
        if self.normalize:
            x = x / torch.sqrt((x * x).sum(dim=-1, keepdim=True) + 1e-12)
        features["sentence_embedding"] = x
        return features

    def get_embedding_dimension(self) -> int:
        """sentence-transformers >= 6 name."""
        return self.dim

    def get_sentence_embedding_dimension(self) -> int:
        """sentence-transformers < 6 name."""
        return self.dim

    def get_config_dict(self) -> dict:
        return dict(self.config)

    def save(self, output_path: str, *args, safe_serialization: bool = True, **kwargs) -> None:
        """Writes an export folder: config.json, model.safetensors (F32) and this file.

        Inside `SentenceTransformer.save(path)` (output_path is path/<idx>_PoolerHead) this file is
        also copied to path/, where sentence-transformers looks for `pooler_head.PoolerHead`.
        """
        os.makedirs(output_path, exist_ok=True)
        with open(os.path.join(output_path, "config.json"), "w") as f:
            json.dump(self.config, f, indent=2, sort_keys=True)
        tensors = {k: v.detach().float().contiguous().cpu() for k, v in self.state_dict().items()}
        save_file(tensors, os.path.join(output_path, "model.safetensors"),
                  metadata={"format": "pt", "pooler_format_version": str(self.config["format_version"]),
                            "head": self.kind})
        source = os.path.abspath(__file__)
        targets = [os.path.join(output_path, "pooler_head.py")]
        if re.fullmatch(r"\d+_PoolerHead", os.path.basename(os.path.normpath(output_path))):
            targets.append(os.path.join(os.path.dirname(os.path.normpath(output_path)), "pooler_head.py"))
        for target in targets:
            if not (os.path.exists(target) and os.path.samefile(source, target)):
                shutil.copyfile(source, target)

    @classmethod
    def load(cls, model_name_or_path: str, subfolder: str = "", token=None, cache_folder=None, revision=None,
             local_files_only: bool = False, **kwargs) -> "PoolerHead":
        """Loads from an export folder: `load("exported-head")`, or as sentence-transformers calls it,
        `load(model_folder_or_hub_id, subfolder="1_PoolerHead", ...)`."""
        folder = os.path.join(model_name_or_path, subfolder) if subfolder else model_name_or_path
        if not os.path.isdir(folder):
            from sentence_transformers.util import load_dir_path  # a Hugging Face Hub model id
            folder = load_dir_path(model_name_or_path, subfolder=subfolder, token=token, cache_folder=cache_folder,
                                   revision=revision, local_files_only=local_files_only)
            if folder is None:
                raise FileNotFoundError(f"no pooler head in {model_name_or_path!r} (subfolder {subfolder!r})")
        with open(os.path.join(folder, "config.json")) as f:
            config = json.load(f)
        head = cls(config)
        head.load_state_dict(load_file(os.path.join(folder, "model.safetensors")), strict=True)
        return head

