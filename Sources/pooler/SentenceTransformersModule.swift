/// The files `pooler export` writes so an exported head runs inside sentence-transformers.
///
/// NOTE: the Python module is not exercised by the test suite (PyTorch is not installed here);
/// `Examples/python/pool.py` (numpy) is the checked reference of the same math.
enum SentenceTransformersModule {
    static let fileName = "pooler_head.py"

    /// A `modules.json` for a sentence-transformers model folder whose module 1 is this export
    /// (copied into the model folder as `1_PoolerHead/`), replacing the usual `1_Pooling`.
    static let modulesJSON = """
        [
          {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
          {"idx": 1, "name": "1", "path": "1_PoolerHead", "type": "pooler_head.PoolerHead"}
        ]

        """

    static let source = #"""
        """Sentence-transformers module for a pooling head exported by `pooler export`.

        Usage: copy the export folder into a sentence-transformers model folder as `1_PoolerHead/`,
        replace the Pooling entry of the model's modules.json with the one in this folder's
        modules.json, and make `pooler_head` importable (e.g. put this file next to your script or
        on PYTHONPATH). Or use it directly:

            head = PoolerHead.load("exported-head")
            features = head({"token_embeddings": hidden, "attention_mask": mask})
            embeddings = features["sentence_embedding"]          # [batch, dim]

        Math (same as pooler's Swift code and Examples/python/pool.py):
          additive:  s_t = v . tanh(W h_t + b);  w = softmax over real tokens;  x = sum_t w_t h_t
          multihead: s_tk = h_t . (W_k^T q_k) / sqrt(key_dim);  softmax over real tokens per head k;
                     head k weights dims k*dim/heads .. (k+1)*dim/heads;  heads concatenated
          then optionally y = P x + c, and optionally y / ||y||.
        """
        import json
        import math
        import os

        import torch
        from torch import nn
        from safetensors.torch import load_file, save_file


        class PoolerHead(nn.Module):
            def __init__(self, config: dict):
                super().__init__()
                self.config = dict(config)
                if config.get("format_version") != 1:
                    raise ValueError(f"unsupported format_version {config.get('format_version')}")
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
                else:
                    raise ValueError(f"unknown head kind {self.kind!r}")
                self.projection = nn.Linear(dim, dim) if config.get("projection", False) else None
                self.normalize = bool(config.get("normalize", False))
                self.dim = dim

            def forward(self, features: dict) -> dict:
                h = features["token_embeddings"].float()                      # [batch, tokens, dim]
                mask = features["attention_mask"].to(h.device).bool()         # [batch, tokens]
                if self.kind == "additive":
                    scores = torch.tanh(self.attention(h)) @ self.attention.v  # [batch, tokens]
                    scores = scores.masked_fill(~mask, float("-inf"))
                    weights = torch.softmax(scores, dim=1)                      # [batch, tokens]
                    x = torch.einsum("bt,btd->bd", weights, h)
                else:
                    u = self.keys.weight.t() @ self.queries.t()                 # [dim, heads]
                    scores = (h @ u) / math.sqrt(self.key_dim)                  # [batch, tokens, heads]
                    scores = scores.masked_fill(~mask.unsqueeze(-1), float("-inf"))
                    weights = torch.softmax(scores, dim=1)                      # [batch, tokens, heads]
                    b, t, d = h.shape
                    values = h.view(b, t, self.heads, d // self.heads)
                    x = torch.einsum("btk,btkc->bkc", weights, values).reshape(b, d)
                if self.projection is not None:
                    x = self.projection(x)
                if self.normalize:
                    x = x / torch.sqrt((x * x).sum(dim=-1, keepdim=True) + 1e-12)
                features["sentence_embedding"] = x
                return features

            def get_sentence_embedding_dimension(self) -> int:
                return self.dim

            def get_config_dict(self) -> dict:
                return dict(self.config)

            def save(self, output_path: str, *args, **kwargs) -> None:
                os.makedirs(output_path, exist_ok=True)
                with open(os.path.join(output_path, "config.json"), "w") as f:
                    json.dump(self.config, f, indent=2, sort_keys=True)
                tensors = {k: v.detach().float().contiguous().cpu() for k, v in self.state_dict().items()}
                save_file(tensors, os.path.join(output_path, "model.safetensors"),
                          metadata={"format": "pt", "pooler_format_version": "1", "head": self.kind})

            @staticmethod
            def load(input_path: str, *args, **kwargs) -> "PoolerHead":
                with open(os.path.join(input_path, "config.json")) as f:
                    config = json.load(f)
                head = PoolerHead(config)
                head.load_state_dict(load_file(os.path.join(input_path, "model.safetensors")), strict=True)
                return head

        """#
}
