#!/usr/bin/env python3
"""Writes two tiny random decoders with their tokenizers, offline (no hub):

    python3 scripts/make-tiny-decoder.py FOLDER

    FOLDER/llama/   LlamaModel: 3 layers, dim 32, 4 query and 2 key/value heads, rotary positions;
                    its tokenizer puts BOS `<s>` first and no EOS, like Llama's
    FOLDER/gpt2/    GPT2Model: 3 layers, dim 32, 4 heads, learned absolute positions; its
                    tokenizer adds no special token, like GPT-2's
    FOLDER/gguf/tiny-llama.F32.gguf
                    the Llama model as a GGUF file (F32 tensors, Q/K permuted as llama.cpp writes
                    them) with a byte-level BPE tokenizer (tokenizer.ggml.model = gpt2: the 256
                    byte symbols, a few merges, BOS added) and a chat template; its first 82
                    embedding rows are the Llama folder's, so ids below 82 give the same states

Each folder holds config.json, model.safetensors and a word-level tokenizer (tokenizer.json,
tokenizer_config.json) of about 80 words with EOS `</s>` and no padding token (so the extractor
has to choose one). Rotary positions are relative (q·k depends only on the distance), so shifting
every position — left padding without position ids — changes Llama's states only by rounding;
GPT-2's absolute positions change them visibly. The weights are drawn with a large standard
deviation (0.2) so that positions matter. Seeded: the same folders every time. Used by
Tests/Scripts/check_decoder_extraction.py; needs torch, transformers and tokenizers (and gguf
for the GGUF file, which is left out without it).
"""
import os
import sys

WORDS = ["the", "a", "an", "cat", "dog", "man", "woman", "child", "bird", "fish", "sat", "sits", "runs", "ran",
         "is", "was", "are", "on", "in", "under", "over", "near", "mat", "house", "tree", "road", "river",
         "big", "small", "red", "blue", "green", "old", "young", "quick", "slow", "and", "but", "of", "to",
         "playing", "eating", "reading", "singing", "walking", "guitar", "flute", "apple", "bread", "book",
         "song", "park", "street", "water", "sun", "moon", "sky", "sea", "high", "low", "very", "not", "two",
         "three", "people", "men", "women", "dogs", "cats", "with", "his", "her", "their", "at", "by", ".",
         ",", "!", "?"]
SPECIAL = ["<unk>", "<s>", "</s>"]


def tokenizer(bos_first):
    """A word-level tokenizer over SPECIAL + WORDS; BOS first when `bos_first`; no padding token."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate(SPECIAL + WORDS)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace(), pre_tokenizers.Punctuation()])
    if bos_first:
        backend.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A $B",
                                                               special_tokens=[("<s>", vocab["<s>"])])
    return PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>",
                                   unk_token="<unk>", padding_side="right", model_max_length=64)


def write_gguf(path, model, seed):
    """`model` (a LlamaModel) as a GGUF file with a byte-level BPE tokenizer, the way llama.cpp's
    convert_hf_to_gguf.py lays it out (tensor names, Q/K permutation, tokenizer metadata)."""
    import gguf
    import numpy as np
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    config, weights = model.config, {k: v.detach().numpy() for k, v in model.state_dict().items()}
    space = bytes_to_unicode()[ord(" ")]
    tokens = SPECIAL + sorted(set(bytes_to_unicode().values()))
    merges = [(space, "t"), ("h", "e"), (space + "t", "he"), (space, "c"), ("a", "t"), (space, "a")]
    tokens += [a + b for a, b in merges]

    def permute(w, heads):  # llama.cpp interleaves the rotary halves of each head
        return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)

    os.makedirs(os.path.dirname(path), exist_ok=True)
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("tiny-llama")
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_rope_dimension_count(config.hidden_size // config.num_attention_heads)
    writer.add_rope_freq_base(float(config.rope_parameters["rope_theta"]))
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_vocab_size(len(tokens))
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types([3] * len(SPECIAL) + [1] * (len(tokens) - len(SPECIAL)))  # 3 = control
    writer.add_token_merges([f"{a} {b}" for a, b in merges])
    writer.add_bos_token_id(SPECIAL.index("<s>"))
    writer.add_eos_token_id(SPECIAL.index("</s>"))
    writer.add_unk_token_id(SPECIAL.index("<unk>"))
    writer.add_add_bos_token(True)
    writer.add_chat_template("{% for m in messages %}<s>{{ m['content'] }}</s>{% endfor %}")
    extra = np.random.RandomState(seed).randn(len(tokens) - config.vocab_size, config.hidden_size) * 0.2
    writer.add_tensor("token_embd.weight", np.concatenate([weights["embed_tokens.weight"], extra]).astype(np.float32))
    names = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
             "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
             "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}
    for i in range(config.num_hidden_layers):
        for hf, ggml in names.items():
            w = weights[f"layers.{i}.{hf}.weight"]
            if ggml in ("attn_q", "attn_k"):
                w = permute(w, config.num_attention_heads if ggml == "attn_q" else config.num_key_value_heads)
            writer.add_tensor(f"blk.{i}.{ggml}.weight", w)
    writer.add_tensor("output_norm.weight", weights["norm.weight"])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def make(folder, seed=20261201):
    """Writes FOLDER/llama, FOLDER/gpt2 and (with gguf installed) FOLDER/gguf/tiny-llama.F32.gguf;
    returns the paths of the two model folders and of the GGUF file (None without gguf)."""
    import torch
    from transformers import GPT2Config, GPT2Model, LlamaConfig, LlamaModel

    size = len(SPECIAL) + len(WORDS)
    bos, eos = SPECIAL.index("<s>"), SPECIAL.index("</s>")
    configs = {
        "llama": (LlamaModel, LlamaConfig(
            vocab_size=size, hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
            num_key_value_heads=2, max_position_embeddings=64, bos_token_id=bos, eos_token_id=eos,
            pad_token_id=None, initializer_range=0.2, tie_word_embeddings=False)),
        "gpt2": (GPT2Model, GPT2Config(
            vocab_size=size, n_embd=32, n_layer=3, n_head=4, n_positions=64, bos_token_id=bos, eos_token_id=eos,
            initializer_range=0.2, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)),
    }
    paths = []
    for name, (model_class, config) in configs.items():
        path = os.path.join(folder, name)
        os.makedirs(path, exist_ok=True)
        tokenizer(bos_first=name == "llama").save_pretrained(path)
        torch.manual_seed(seed)
        model = model_class(config).eval()
        model.save_pretrained(path)
        paths.append(path)
        if name == "llama":
            llama = model
    try:
        import gguf  # noqa: F401
    except ImportError:
        return paths + [None]
    gguf_path = os.path.join(folder, "gguf", "tiny-llama.F32.gguf")
    write_gguf(gguf_path, llama, seed)
    return paths + [gguf_path]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make-tiny-decoder.py FOLDER")
    print("\n".join(p or "(no GGUF file: pip install gguf)" for p in make(sys.argv[1])))
