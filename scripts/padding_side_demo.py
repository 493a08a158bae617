#!/usr/bin/env python3
"""What the wrong padding side does to last-token pooling on a decoder LLM (numbers for the docs).

A decoder's last-token embedding is the state of the *last real token*. Batched, that token sits
at a different index in every row unless the batch is left-padded. This script embeds every
distinct STS-B sentence in batches of --batch-size **in file order** (not sorted by length, as
typical user code batches), reads layers --layers from one forward pass, and reports Spearman x100
of cosine similarity vs the gold scores for four last-token poolings:

  (a) right padding, the last real token (index = mask.sum - 1)            correct
  (b) right padding, position -1 (naive `hidden[:, -1]`): a pad token for every sentence shorter
      than its batch's longest; no position ids are passed, as in `model(**tokenizer(batch))`
  (c) left padding, position ids from the mask (cumsum - 1), position -1   correct, = (a)
  (d) left padding without position ids (the pads are numbered, so the real tokens' positions
      shift by the pad count), position -1

It also prints max |Δ| of the embeddings (c) - (a) and (d) - (a), and the fraction of sentences
whose pooled token in (b) was a pad. The model, tokenizer, input reader and position ids come from
Examples/extract_hidden_states.py (a GGUF file, dequantised to float32; sentences truncated to 128
tokens; padded with the tokenizer's pad token, else EOS). Three forward passes over the sentences.

    nice -n 5 env HF_HUB_OFFLINE=1 python3 scripts/padding_side_demo.py --output padding.json
    ... --limit 100            # the first 100 pairs only, a quick check

Defaults: --model "$(bash scripts/fetch-decoder.sh)/SmolLM2-135M-Instruct.Q4_1.gguf",
--input ../shared/data/stsbenchmark/sts-test.csv (STS-B TSV), --layers 15,30, --batch-size 32.
Needs torch, transformers, gguf, numpy; scipy optional (else a rank-based Spearman, average ranks).
"""
import argparse, json, os, sys, time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Examples"))
import extract_hidden_states as ex  # noqa: E402

MODEL = os.path.join(os.environ.get("POOLER_CACHE", os.path.expanduser("~/.cache/pooler")),
                     "models", "SmolLM2-135M-Instruct-GGUF", "SmolLM2-135M-Instruct.Q4_1.gguf")
INPUT = os.path.join(ROOT, "..", "shared", "data", "stsbenchmark", "sts-test.csv")
VARIANTS = {"a": "right, last real token", "b": "right, position -1 (naive)",
            "c": "left + position ids, position -1", "d": "left, no position ids, position -1"}


def spearman(x, y):
    try:
        from scipy.stats import spearmanr
        return float(spearmanr(x, y)[0])
    except ImportError:
        def ranks(v):  # average ranks for ties
            v = np.asarray(v, dtype=np.float64)
            order = np.argsort(v, kind="mergesort")
            r = np.empty(len(v))
            r[order] = np.arange(1, len(v) + 1)
            _, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
            sums = np.bincount(inverse, weights=r)
            return (sums / counts)[inverse]
        return float(np.corrcoef(ranks(x), ranks(y))[0, 1])


def last_tokens(model, ids, layers, pad_id, batch_size, side, use_positions):
    """One pass, batches in the order of `ids`: ({"real": {layer: [N, dim]}, "end": {…}}, pads):
    float64 states of each sentence's last real token and of position -1, and the number of
    sentences whose position -1 is a pad."""
    import torch
    out = {"real": {k: [] for k in layers}, "end": {k: [] for k in layers}}
    pads = 0
    for b in range(0, len(ids), batch_size):
        batch = ids[b:b + batch_size]
        width, rows = max(map(len, batch)), torch.arange(len(batch))
        input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        mask = torch.zeros_like(input_ids)
        for r, x in enumerate(batch):
            lo = width - len(x) if side == "left" else 0
            input_ids[r, lo:lo + len(x)] = torch.tensor(x)
            mask[r, lo:lo + len(x)] = 1
        extra = {"position_ids": ex.position_ids(mask)} if use_positions else {}
        with torch.inference_mode():
            hidden = model(input_ids=input_ids, attention_mask=mask, output_hidden_states=True,
                           **extra).hidden_states
        real = mask.shape[1] - 1 - mask.flip(-1).argmax(-1)  # last real index (= mask.sum - 1 if right)
        pads += int((mask[:, -1] == 0).sum())
        for k in layers:
            for key, index in (("real", real), ("end", torch.full_like(real, width - 1))):
                v = hidden[k][rows, index].double().numpy()
                if not np.isfinite(v).all():
                    ex.fail(f"layer {k}: non-finite last-token state in the batch at sentence {b + 1}")
                out[key][k].append(v)
        print(f"  {side} padding{', position ids' if use_positions else ''}: {b + len(batch)}/"
              f"{len(ids)}", file=sys.stderr, end="\r", flush=True)
    print(file=sys.stderr)
    return {key: {k: np.concatenate(v) for k, v in d.items()} for key, d in out.items()}, pads


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=MODEL, help="a .gguf file (or a model folder / hub name)")
    ap.add_argument("--input", default=INPUT, help="STS-B TSV: genre, file, year, id, score, s1, s2")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--layers", default="15,30", help="hidden_states indices, e.g. 15,30")
    ap.add_argument("--limit", type=int, help="only the first N pairs")
    ap.add_argument("--output", help="write the figures as JSON here (default: the table only)")
    args = ap.parse_args(argv)
    if args.batch_size < 1:
        ex.fail(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.limit is not None and args.limit < 1:
        ex.fail(f"--limit must be at least 1, got {args.limit}")
    if args.output and not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
        ex.fail(f"--output: folder not found: {os.path.dirname(args.output)}")
    if not os.path.isfile(args.input):
        ex.fail(f"input file not found: {args.input}")
    if args.model.endswith(".gguf") and not os.path.isfile(os.path.expanduser(args.model)):
        ex.fail(f"model file not found: {args.model} (fetch it with: bash scripts/fetch-decoder.sh)")
    started = time.time()
    _, _, rows = ex.read_rows(args.input, "stsb")
    rows = rows[:args.limit] if args.limit else rows
    index, sentences, pairs = {}, [], []
    for _, s1, s2, _score in rows:  # distinct sentences in order of first appearance
        for s in (s1, s2):
            if s not in index:
                index[s] = len(sentences)
                sentences.append(s)
        pairs.append((index[s1], index[s2]))
    gold = [r[3] for r in rows]

    import torch
    torch.set_num_threads(min(2, torch.get_num_threads()))
    source, gguf_file = ex.model_source(args.model, None)
    tok, model = ex.load_model(source, "cpu", gguf_file)
    num_layers = model.config.num_hidden_layers
    layers = ex.parse_layers(args.layers, num_layers)
    ids, truncated, _ = ex.encode(tok, sentences, 128, False)
    pad_id, pad_source = ex.pad_token(tok)
    print(f"{len(sentences)} sentences, {len(pairs)} pairs; layers {layers} of {num_layers}; pad "
          f"{tok.convert_ids_to_tokens(pad_id)} ({pad_source}); {truncated} truncated", file=sys.stderr)

    forward = time.time()
    right, pads = last_tokens(model, ids, layers, pad_id, args.batch_size, "right", False)
    left, _ = last_tokens(model, ids, layers, pad_id, args.batch_size, "left", True)
    shifted, _ = last_tokens(model, ids, layers, pad_id, args.batch_size, "left", False)
    states = {"a": right["real"], "b": right["end"], "c": left["end"], "d": shifted["end"]}
    forward = time.time() - forward

    p = np.asarray(pairs)
    def score(e):
        e = e / np.linalg.norm(e, axis=1, keepdims=True)
        return 100 * spearman(np.sum(e[p[:, 0]] * e[p[:, 1]], axis=1), gold)
    result = {"model": os.path.basename(args.model), "input": args.input, "pairs": len(pairs),
              "sentences": len(sentences), "batch_size": args.batch_size, "max_length": 128,
              "order": "file order",
              "pad_token": tok.convert_ids_to_tokens(pad_id), "variants": VARIANTS,
              "b_pad_fraction": pads / len(sentences), "layers": {}}
    for k in layers:
        result["layers"][str(k)] = {
            "spearman": {v: round(score(states[v][k]), 2) for v in "abcd"},
            "max_abs_delta_c_a": float(np.abs(states["c"][k] - states["a"][k]).max()),
            "max_abs_delta_d_a": float(np.abs(states["d"][k] - states["a"][k]).max()),
            "max_abs_a": float(np.abs(states["a"][k]).max())}
    result["seconds"] = {"total": round(time.time() - started, 1), "forward": round(forward, 1)}

    print("| layer | " + " | ".join(f"({v}) {d}" for v, d in VARIANTS.items()) + " |")
    print("|---:|" + "---:|" * 4)
    for k, r in result["layers"].items():
        print(f"| {k} | " + " | ".join(f"{r['spearman'][v]:.2f}" for v in "abcd") + " |")
    print(f"\n(b) pooled a pad token for {pads}/{len(sentences)} sentences "
          f"({100 * result['b_pad_fraction']:.1f} %).")
    for k, r in result["layers"].items():
        print(f"layer {k}: max |Δ| (c)-(a) {r['max_abs_delta_c_a']:.2e}, (d)-(a) "
              f"{r['max_abs_delta_d_a']:.2e} (max |state| {r['max_abs_a']:.1f})")
    print(f"{len(pairs)} pairs, {len(sentences)} sentences, batches of {args.batch_size} in file "
          f"order; {result['seconds']['total']} s ({result['seconds']['forward']} s forward)")
    if args.output:
        with open(args.output, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
