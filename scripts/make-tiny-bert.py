#!/usr/bin/env python3
"""Writes the tiny random BERT fixture of the Encoder tests (Tests/EncoderTests/Fixtures/).

Needs torch, transformers and safetensors; run from the repository root:

    python3 scripts/make-tiny-bert.py

Writes, all small (well under 1 MB together):

    tiny-bert/          config.json, model.safetensors (F32, names with the `bert.` prefix, plus
                        pooler and MLM-head tensors the encoder must ignore), vocab.txt,
                        tokenizer_config.json, sentence_bert_config.json, 1_Pooling/config.json
    tiny-bert-f16/      the same model as F16, names without the prefix (config, vocab)
    tiny-bert-bf16/     the same model as BF16, names without the prefix (config, vocab)
    tiny-bert-references.safetensors
                        for each case k: `ids.k` (F32 [L]), `types.k` (F32 [L]) and
                        `layer.<l>.k` (F32 [L, 32]) for every layer l in 0...2: HF BertModel's
                        `output_hidden_states`, one sentence at a time (no padding involved);
                        `f16.layer.2.k` / `bf16.layer.2.k`: the last layer of the same model with
                        its weights rounded to F16 / BF16 (computed in F32).
"""
import json
import os
import shutil

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertForPreTraining

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "EncoderTests", "Fixtures")
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = ["the", "a", "cat", "dog", "sat", "on", "mat", "is", "was", "and", "of", "to", "in", "it", "big",
         "small", "red", "blue", "runs", "##s", "##ed", "##ing", "play", "house", "tree", "bird", "sing",
         "##ly", "quick", "slow", "man", "woman", "child", "eats", "apple", "bread", "water", "sun", "moon",
         "star", "sky", "sea", "fish", "swim", "fly", "high", "low", "up", "down", "left", "right", ".",
         ",", "!", "?", "'", "-", "x", "y"]
VOCAB = SPECIAL + WORDS  # 64 tokens


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2, sort_keys=True)
        f.write("\n")


def main():
    torch.manual_seed(20240611)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, hidden_act="gelu", max_position_embeddings=40, type_vocab_size=2,
                        layer_norm_eps=1e-12, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    model = BertForPreTraining(config).eval()
    # Larger-than-init weights so that layers differ visibly and GELU sees both signs.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name:
                p.copy_(1 + 0.2 * torch.randn_like(p) if name.endswith("weight") else 0.1 * torch.randn_like(p))
            else:
                p.normal_(0, 0.2)

    for folder in ["tiny-bert", "tiny-bert-f16", "tiny-bert-bf16"]:
        shutil.rmtree(os.path.join(ROOT, folder), ignore_errors=True)
        os.makedirs(os.path.join(ROOT, folder))
    base = os.path.join(ROOT, "tiny-bert")
    config_dict = json.loads(config.to_json_string())
    config_dict.pop("transformers_version", None)
    config_dict["architectures"] = ["BertForPreTraining"]
    for folder in ["tiny-bert", "tiny-bert-f16", "tiny-bert-bf16"]:
        write_json(os.path.join(ROOT, folder, "config.json"), config_dict)
        with open(os.path.join(ROOT, folder, "vocab.txt"), "w") as f:
            f.write("\n".join(VOCAB) + "\n")
    write_json(os.path.join(base, "tokenizer_config.json"),
               {"do_lower_case": True, "tokenizer_class": "BertTokenizer", "model_max_length": 40})
    write_json(os.path.join(base, "sentence_bert_config.json"), {"max_seq_length": 32, "do_lower_case": False})
    os.makedirs(os.path.join(base, "1_Pooling"))
    write_json(os.path.join(base, "1_Pooling", "config.json"),
               {"word_embedding_dimension": 32, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
                "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False})

    state = {k: v.clone().contiguous() for k, v in model.state_dict().items() if not k.endswith("position_ids")}
    # Drop the tied decoder weights (they equal the word embeddings and cls.predictions.bias).
    state.pop("cls.predictions.decoder.weight", None)
    state.pop("cls.predictions.decoder.bias", None)
    # As in checkpoints written by older transformers (e.g. all-MiniLM-L6-v2): an I64 buffer
    # the encoder must skip.
    state["bert.embeddings.position_ids"] = torch.arange(config.max_position_embeddings).unsqueeze(0)
    save_file(state, os.path.join(base, "model.safetensors"), metadata={"format": "pt"})
    bare = {k[len("bert."):]: v for k, v in state.items() if k.startswith("bert.")}
    save_file({k: v.half() for k, v in bare.items()}, os.path.join(ROOT, "tiny-bert-f16", "model.safetensors"),
              metadata={"format": "pt"})
    save_file({k: v.bfloat16() for k, v in bare.items()}, os.path.join(ROOT, "tiny-bert-bf16", "model.safetensors"),
              metadata={"format": "pt"})

    # The F16/BF16 copies hold rounded weights; their references come from the F32 model with
    # the same rounded weights, so the tests check loading exactly, not the rounding's effect.
    rounded = {}
    for prefix, dtype in [("f16.", torch.float16), ("bf16.", torch.bfloat16)]:
        copy = BertForPreTraining(config).eval()
        copy.load_state_dict({k: v.to(dtype).float() if v.is_floating_point() else v
                              for k, v in model.state_dict().items()})
        rounded[prefix] = copy

    generator = torch.Generator().manual_seed(7)
    lengths = [1, 2, 5, 13, 40]
    references = {}
    for k, length in enumerate(lengths):
        ids = torch.randint(0, len(VOCAB), (1, length), generator=generator)
        ids[0, 0] = 2  # [CLS]
        if length > 1:
            ids[0, -1] = 3  # [SEP]
        types = torch.zeros_like(ids)
        if k == 3:  # a sentence pair: second segment has token type 1
            types[0, length // 2:] = 1
        with torch.no_grad():
            out = model.bert(input_ids=ids, token_type_ids=types, attention_mask=torch.ones_like(ids),
                             output_hidden_states=True)
        # Ids as F32 (exact for these small integers): the Swift reader decodes float dtypes only.
        references[f"ids.{k}"] = ids[0].float()
        references[f"types.{k}"] = types[0].float()
        for layer, hidden in enumerate(out.hidden_states):
            references[f"layer.{layer}.{k}"] = hidden[0].contiguous()
        for prefix, copy in rounded.items():
            with torch.no_grad():
                out = copy.bert(input_ids=ids, token_type_ids=types, attention_mask=torch.ones_like(ids),
                                output_hidden_states=True)
            references[f"{prefix}layer.2.{k}"] = out.hidden_states[-1][0].contiguous()
    save_file(references, os.path.join(ROOT, "tiny-bert-references.safetensors"),
              metadata={"lengths": json.dumps(lengths), "layers": str(config.num_hidden_layers)})


if __name__ == "__main__":
    main()
