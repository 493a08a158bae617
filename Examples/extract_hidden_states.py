#!/usr/bin/env python3
"""Extract per-token hidden states of a Hugging Face model into Pooler's "ragged" HDF5 layout.

Usage:
    HF_HUB_OFFLINE=1 python3 Examples/extract_hidden_states.py \\
        --model sentence-transformers/all-MiniLM-L6-v2 \\
        --input ../shared/data/stsbenchmark/sts-dev.csv --format stsb \\
        --output dev.h5 --layer 3 --split dev

    python3 Examples/extract_hidden_states.py --model ./my-local-model --input pairs.jsonl \\
        --output pairs.h5 --dtype float32 --batch-size 64

Input (--format auto guesses from the extension and the first line):
    stsb   STS-B TSV: genre, file, year, id, score, sentence1, sentence2[, extra fields ignored]
    tsv    header row, tab-separated, fields taken literally (no quoting)
    csv    header row, comma-separated, standard CSV quoting
    jsonl  one JSON object per line
  The columns/keys are `sentence`, or `sentence1`, `sentence2` and optionally `score`;
  other columns are ignored. Sentences are stripped of surrounding white space.

Output (see shared/data/README.md): /tokens [T, D], /offsets [N+1], /input_ids [T],
/sentences [N], /vocab (token strings by id), and for pairs /pairs [P, 2] (+ /scores [P]). Identical sentences are
stored once, in order of first appearance. Needs torch, transformers, h5py, numpy; tqdm optional.
"""
import argparse, csv, io, json, os, sys, time

import numpy as np


def fail(message):
    sys.exit(f"error: {message}")


def read_rows(path, fmt):
    """Return (kind, rows): kind 'sentences' rows = [(line, s)]; 'pairs' rows = [(line, s1, s2, score|None)]."""
    if not os.path.isfile(path):
        fail(f"input file not found: {path}")
    with open(path, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    lines = [l[:-1] if l.endswith("\r") else l for l in text.split("\n")]
    if fmt == "auto":
        first = next((l for l in lines if l.strip()), "")
        fields = first.split("\t")
        if path.endswith((".jsonl", ".json")) or first.lstrip().startswith("{"):
            fmt = "jsonl"
        elif len(fields) >= 7 and not {"sentence1", "sentence2", "sentence"} & set(fields):
            fmt = "stsb"
        elif "\t" in first:
            fmt = "tsv"
        else:
            fmt = "csv"
    records = []
    if fmt in ("stsb", "jsonl"):
        for n, line in ((n, l) for n, l in enumerate(lines, 1) if l.strip()):
            if fmt == "stsb":
                f = line.split("\t")
                if len(f) < 7:
                    fail(f"{path}:{n}: expected at least 7 tab-separated fields (STS-B), got {len(f)}")
                records.append((n, {"score": f[4], "sentence1": f[5], "sentence2": f[6]}))
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                fail(f"{path}:{n}: invalid JSON ({e})")
            if not isinstance(obj, dict):
                fail(f"{path}:{n}: expected a JSON object")
            records.append((n, obj))
    else:
        reader = (csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE) if fmt == "tsv"
                  else csv.reader(io.StringIO(text)))
        rows = [(reader.line_num, r) for r in reader if r]  # skip blank lines only
        if not rows:
            fail(f"{path}: empty file")
        header = [c.strip() for c in rows[0][1]]
        records = [(n, dict(zip(header, r))) for n, r in rows[1:]]
    if not records:
        fail(f"{path}: no rows")
    keys = set(records[0][1])
    if {"sentence1", "sentence2"} <= keys:
        kind, cols = "pairs", ["sentence1", "sentence2"]
    elif "sentence" in keys:
        kind, cols = "sentences", ["sentence"]
    else:
        fail(f"{path}: unknown columns {sorted(keys)}; expected 'sentence', or 'sentence1' and "
             f"'sentence2' (optionally 'score')")
    out = []
    for n, rec in records:
        values = [rec.get(c) for c in cols]
        for c, v in zip(cols, values):
            if not isinstance(v, str):
                fail(f"{path}:{n}: column '{c}' is missing or not a string")
            if not v.strip():
                fail(f"{path}:{n}: empty sentence in column '{c}'")
        score = None
        if kind == "pairs" and "score" in keys:
            try:
                score = float(rec.get("score"))
            except (TypeError, ValueError):
                fail(f"{path}:{n}: score {rec.get('score')!r} is not a number")
        row = (n, *[v.strip() for v in values])
        out.append(row + (score,) if kind == "pairs" else row)
    return kind, fmt, out


def native_pooling(model):
    """The pooling a sentence-transformers model was trained with (its 1_Pooling config), or 'unknown'."""
    try:
        if os.path.isdir(model):
            cfg = json.load(open(os.path.join(model, "1_Pooling", "config.json")))
        else:
            from huggingface_hub import hf_hub_download
            cfg = json.load(open(hf_hub_download(model, "1_Pooling/config.json")))
    except Exception:
        return "unknown"
    modes = [m for key, m in [("pooling_mode_mean_tokens", "mean"), ("pooling_mode_cls_token", "cls"),
                              ("pooling_mode_max_tokens", "max"), ("pooling_mode_lasttoken", "last")]
             if cfg.get(key)]
    return ",".join(modes) or "unknown"


def special_tokens(tok):
    """Where the tokenizer adds special tokens, e.g. 'cls_first,sep_last', 'bos_first' or 'none'."""
    plain = tok("hello world", add_special_tokens=False)["input_ids"]
    full = tok("hello world", add_special_tokens=True)["input_ids"]
    start = next((i for i in range(len(full)) if full[i:i + len(plain)] == plain), None)
    if start is None:
        return "unknown"
    head, tail = full[:start], full[start + len(plain):]
    if len(head) > 1 or len(tail) > 1:
        print(f"warning: {len(head)} leading / {len(tail)} trailing special tokens; only one "
              f"of each is described in special_tokens", file=sys.stderr)
    items = []
    if head:
        items.append("cls_first" if head[0] == tok.cls_token_id else "bos_first")
    if tail:
        items.append("sep_last" if tail[-1] == tok.sep_token_id else "eos_last")
    return ",".join(items) or "none"


def progress(total, desc):
    """A tqdm bar on stderr, or a line every 10% when tqdm is not installed."""
    try:
        from tqdm import tqdm
        return tqdm(total=total, desc=desc, unit="sent", file=sys.stderr)
    except ImportError:
        class Lines:
            done = 0
            def update(self, k):
                before, self.done = self.done, self.done + k
                if 10 * self.done // total > 10 * before // total:
                    print(f"{desc}: {self.done}/{total} sentences", file=sys.stderr, flush=True)
            def close(self):
                pass
        return Lines()


def load_model(name, device):
    """Tokenizer and model (the encoder of an encoder-decoder); a sentence-transformers folder works."""
    if name.startswith(("/", "./", "../", "~")) and not os.path.isdir(os.path.expanduser(name)):
        fail(f"model folder not found: {name}")
    try:
        import torch  # noqa: F401
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging
    except ImportError as e:
        fail(f"{e}; install with: pip install torch transformers h5py numpy")
    hf_logging.set_verbosity_error()
    path = name
    if os.path.isfile(os.path.join(name, "modules.json")):  # the Transformer module may sit in a subfolder
        for m in json.load(open(os.path.join(name, "modules.json"))):
            if m.get("type", "").endswith("Transformer") and m.get("path"):
                path = os.path.join(name, m["path"])
    try:
        tok = AutoTokenizer.from_pretrained(path)
        model = AutoModel.from_pretrained(path)
    except Exception as e:
        fail(f"cannot load model '{name}': {type(e).__name__}: {e}")
    if getattr(model.config, "is_encoder_decoder", False):
        model = model.get_encoder()
    return tok, model.to(device).eval()


def extract(model, ids, layer, pad_id, dtype, batch_size, device):
    """Hidden states of `layer` for each token list in `ids`, in the order of `ids`."""
    import torch
    states = [None] * len(ids)
    order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))  # longest first: fail early on memory
    bar = progress(len(ids), "extracting")
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            batch = order[b:b + batch_size]
            input_ids = torch.full((len(batch), max(len(ids[i]) for i in batch)), pad_id, dtype=torch.long)
            mask = torch.zeros_like(input_ids)
            for r, i in enumerate(batch):  # right padding: real tokens keep positions 0..L-1
                input_ids[r, :len(ids[i])] = torch.tensor(ids[i])
                mask[r, :len(ids[i])] = 1
            out = model(input_ids=input_ids.to(device), attention_mask=mask.to(device), output_hidden_states=True)
            h = out.hidden_states[layer].float().cpu().numpy()
            for r, i in enumerate(batch):
                states[i] = h[r, :len(ids[i])].astype(dtype)
            bar.update(len(batch))
    bar.close()
    return states


def write_ragged(path, states, ids, sentences, pairs, scores, attrs, vocab=None):
    """Writes the ragged layout to a temp file beside `path`, then renames it into place."""
    import h5py
    tokens = np.concatenate(states)
    offsets = np.concatenate([[0], np.cumsum([len(x) for x in ids])]).astype(np.int64)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{os.path.basename(path)}.tmp{os.getpid()}")
    try:
        with h5py.File(tmp, "w") as f:
            f.create_dataset("tokens", data=tokens, chunks=(min(4096, len(tokens)), tokens.shape[1]),
                             compression="gzip", compression_opts=4, shuffle=True)
            f.create_dataset("offsets", data=offsets)
            f.create_dataset("input_ids", data=np.concatenate([np.asarray(x, dtype=np.int32) for x in ids]))
            f.create_dataset("sentences", data=sentences, dtype=h5py.string_dtype("utf-8"))
            if pairs:
                f.create_dataset("pairs", data=np.asarray(pairs, dtype=np.int64))
            if scores:
                f.create_dataset("scores", data=np.asarray(scores, dtype=np.float32))
            if vocab:  # token strings by id, so `pooler explain` can show tokens
                f.create_dataset("vocab", data=vocab, dtype=h5py.string_dtype("utf-8"),
                                 compression="gzip", compression_opts=4)
            for k, v in attrs.items():
                f.attrs[k] = np.int64(v) if isinstance(v, int) else v
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return tokens.shape


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="Hugging Face name or local folder")
    ap.add_argument("--model-name", help="value of the 'model' attribute (default: --model)")
    ap.add_argument("--input", required=True)
    ap.add_argument("--format", default="auto", choices=["auto", "stsb", "tsv", "csv", "jsonl"])
    ap.add_argument("--output", required=True)
    ap.add_argument("--layer", type=int, help="0 = embeddings, num_layers = last (default); <0 counts from the end")
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--dtype", default="float16", choices=["float16", "float32"])
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--split", default="")
    ap.add_argument("--dataset", default="")
    ap.add_argument("--license", default="")
    args = ap.parse_args()
    started = time.time()

    kind, fmt, rows = read_rows(args.input, args.format)
    index, sentences, pairs, scores = {}, [], [], []
    def sid(s):  # identical sentences are stored once, in order of first appearance
        if s not in index:
            index[s] = len(sentences)
            sentences.append(s)
        return index[s]
    for row in rows:
        if kind == "pairs":
            pairs.append((sid(row[1]), sid(row[2])))
            if row[3] is not None:
                scores.append(row[3])
        else:
            sid(row[1])

    tok, model = load_model(args.model, args.device)
    import torch
    with torch.inference_mode():  # count the hidden states on a tiny input rather than trust the config
        probe = torch.tensor([tok("a")["input_ids"]], device=args.device)
        num_layers = len(model(input_ids=probe, output_hidden_states=True).hidden_states) - 1
    layer = num_layers if args.layer is None else args.layer + (num_layers if args.layer < 0 else 0)
    if not 0 <= layer <= num_layers:
        fail(f"--layer {args.layer} out of range: the model has {num_layers} layers (0 ... {num_layers})")

    full_len = [len(x) for x in tok(sentences, add_special_tokens=True)["input_ids"]]
    ids = tok(sentences, add_special_tokens=True, truncation=True, max_length=args.max_length)["input_ids"]
    truncated = sum(f > len(x) for f, x in zip(full_len, ids))
    if truncated:
        print(f"warning: {truncated} sentences truncated to {args.max_length} tokens", file=sys.stderr)
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
    states = extract(model, ids, layer, pad_id, np.dtype(args.dtype), args.batch_size, args.device)

    attrs = {
        "model": args.model_name or args.model, "hidden_size": states[0].shape[1], "num_layers": num_layers,
        "layer": "last" if layer == num_layers else layer, "max_length": args.max_length,
        "special_tokens": special_tokens(tok), "native_pooling": native_pooling(args.model),
        "dataset": args.dataset, "split": args.split,
        "score_range": "0-5" if fmt == "stsb" else (f"{min(scores):g}-{max(scores):g}" if scores else ""),
        "license": args.license, "truncated_sentences": truncated,
        "source": args.input, "created_with": "Examples/extract_hidden_states.py",
    }
    vocab = [t if t is not None else "" for t in tok.convert_ids_to_tokens(list(range(len(tok))))]
    T, D = write_ragged(args.output, states, ids, sentences, pairs, scores, attrs, vocab)
    print(f"wrote {args.output}: {len(sentences)} sentences, {len(pairs)} pairs, {T} tokens x {D} "
          f"(layer {layer} of {num_layers}) in {time.time() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
