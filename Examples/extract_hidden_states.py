#!/usr/bin/env python3
"""Extract per-token hidden states of a Hugging Face model into Pooler's "ragged" HDF5 layout.

Usage:
    HF_HUB_OFFLINE=1 python3 Examples/extract_hidden_states.py \\
        --model sentence-transformers/all-MiniLM-L6-v2 \\
        --input ../shared/data/stsbenchmark/sts-dev.csv --format stsb \\
        --output dev.h5 --layer 3 --split dev

    # a decoder from a GGUF file, all layers from one pass, one file per layer:
    HF_HUB_OFFLINE=1 python3 Examples/extract_hidden_states.py \\
        --model ~/.cache/pooler/models/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf \\
        --input ../shared/data/stsbenchmark/sts-test.csv --output out/L{layer}/test.h5 --layer all

    python3 Examples/extract_hidden_states.py --model ./my-local-model --input pairs.jsonl \\
        --output pairs.h5 --dtype float32 --batch-size 64

Input (--format auto guesses from the extension and the first line):
    stsb   STS-B TSV: genre, file, year, id, score, sentence1, sentence2[, extra fields ignored]
    tsv    header row, tab-separated, fields taken literally (no quoting)
    csv    header row, comma-separated, standard CSV quoting
    jsonl  one JSON object per line
  The columns/keys are `sentence`, or `sentence1`, `sentence2` and optionally `score`;
  other columns are ignored. Sentences are stripped of surrounding white space.

Models: a hub name, a local folder, or a GGUF file (`--model file.gguf`, or a folder with
`--gguf-file NAME`; needs `pip install gguf`), dequantised to float32; the tokenizer comes from the
same place. A tokenizer without a padding token pads with EOS (else UNK, else id 0). Batches are
padded on --padding-side (default: the tokenizer's) and given explicit position ids counted over
the real tokens only, so left and right padding give the same states; only real tokens are written.

Output (see shared/data/README.md): /tokens [T, D], /offsets [N+1], /input_ids [T],
/sentences [N], /vocab (token strings by id), and for pairs /pairs [P, 2] (+ /scores [P]). Identical sentences are
stored once, in order of first appearance. `--layer 0,3,6` or `--layer all` writes one file per
layer from one forward pass: put {layer} in --output. Needs torch, transformers, h5py, numpy; tqdm optional.
"""
import argparse, csv, inspect, io, json, os, sys, time

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


def special_layout(tok):
    """The ids the tokenizer adds before and after a text: (head, tail), or None when not found."""
    plain = tok("hello world", add_special_tokens=False)["input_ids"]
    full = tok("hello world", add_special_tokens=True)["input_ids"]
    start = next((i for i in range(len(full)) if full[i:i + len(plain)] == plain), None)
    if start is None:
        return None
    return full[:start], full[start + len(plain):]


def special_tokens(tok, appended_eos=False):
    """Where each stored sentence has special tokens, e.g. 'cls_first,sep_last', 'bos_first',
    'bos_first,eos_last' (with --append-eos) or 'none' — the `special_tokens` attribute that
    `*-nospecial` poolings read (`cls` and `last` always take the first and last stored row)."""
    layout = special_layout(tok)
    if layout is None:
        return "unknown"
    head, tail = layout
    if len(head) > 1 or len(tail) > 1:
        print(f"warning: {len(head)} leading / {len(tail)} trailing special tokens; only one "
              f"of each is described in special_tokens", file=sys.stderr)
    items = []
    if head:
        items.append("cls_first" if head[0] == tok.cls_token_id else "bos_first")
    if tail:
        items.append("sep_last" if tail[-1] == tok.sep_token_id else "eos_last")
    elif appended_eos:
        items.append("eos_last")
    return ",".join(items) or "none"


def pad_token(tok):
    """(id, source) of the padding token: the tokenizer's, else EOS, else UNK, else id 0.
    Padding positions are masked and never written, so the choice changes no stored state."""
    for source, token_id in [("tokenizer", tok.pad_token_id), ("eos", tok.eos_token_id), ("unk", tok.unk_token_id)]:
        if token_id is not None:
            return token_id, source
    return 0, "id 0"


def split_template(template):
    """(prefix, suffix) around the one `{sentence}` of a --template; fails otherwise."""
    if template.count("{sentence}") != 1:
        fail(f"--template must contain {{sentence}} exactly once, got {template!r}")
    prefix, suffix = template.split("{sentence}")
    return prefix, suffix


def encode(tok, sentences, max_length, append_eos, template=None):
    """(ids, truncated, appended): token ids of each sentence (special tokens included, at most
    max_length), the number truncated, and whether EOS was appended. With append_eos, EOS is
    appended (after truncating to max_length − 1) unless the tokenizer already ends each
    sentence with it. With a template `prefix{sentence}suffix`, each text is
    head + ids(prefix + sentence) + ids(suffix) + tail (head, tail: the tokenizer's special
    tokens); truncation shortens the sentence, never the suffix, so a prompt that ends the text
    (PromptEOL's `… means in one word:"`) always ends it."""
    eos = tok.eos_token_id
    if append_eos:
        if eos is None:
            fail("--append-eos: the tokenizer has no EOS token")
        layout = special_layout(tok)
        if layout and layout[1] and layout[1][-1] == eos:
            print("note: the tokenizer already ends each sentence with EOS; --append-eos adds nothing",
                  file=sys.stderr)
            append_eos = False
    room = max_length - (1 if append_eos else 0)
    if template is not None:
        ids, truncated = encode_templated(tok, sentences, room, template)
        if append_eos:
            ids = [list(x) + [eos] for x in ids]
        return ids, truncated, append_eos
    full_len = [len(x) for x in tok(sentences, add_special_tokens=True)["input_ids"]]
    ids = tok(sentences, add_special_tokens=True, truncation=True, max_length=room)["input_ids"]
    truncated = sum(f > len(x) for f, x in zip(full_len, ids))
    if append_eos:
        ids = [list(x) + [eos] for x in ids]
    return ids, truncated, append_eos


def encode_templated(tok, sentences, room, template):
    """(ids, truncated) for `encode` with a template: at most `room` ids per text."""
    prefix, suffix = split_template(template)
    layout = special_layout(tok)
    if layout is None:
        fail("--template: cannot tell which special tokens the tokenizer adds around a text")
    head, tail = layout
    suffix_ids = tok(suffix, add_special_tokens=False)["input_ids"] if suffix else []
    body_room = room - len(head) - len(tail) - len(suffix_ids)
    if body_room < 1:
        fail(f"--template: the suffix and special tokens take {room - body_room} of the "
             f"{room} tokens allowed; raise --max-length")
    bodies = tok([prefix + s for s in sentences], add_special_tokens=False)["input_ids"]
    truncated = sum(len(b) > body_room for b in bodies)
    return [list(head) + list(b[:body_room]) + list(suffix_ids) + list(tail) for b in bodies], truncated


def progress(total, desc):
    """A tqdm bar on stderr, or a line every 10% when tqdm is not installed."""
    try:
        from tqdm import tqdm
        return tqdm(total=total, desc=desc, unit="sent", file=sys.stderr,
                    mininterval=0.1 if sys.stderr.isatty() else 30)  # a log file gets a line every 30 s
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


def model_source(model, gguf_file):
    """(folder or hub name, GGUF file name or None) for --model and --gguf-file; `--model x.gguf`
    means the file x.gguf in its folder."""
    path = os.path.expanduser(model)
    if gguf_file is None and model.endswith(".gguf"):
        if not os.path.isfile(path):
            fail(f"GGUF file not found: {model}")
        return os.path.dirname(os.path.abspath(path)), os.path.basename(path)
    if gguf_file is not None and os.path.isdir(path) and not os.path.isfile(os.path.join(path, gguf_file)):
        fail(f"GGUF file not found: {os.path.join(model, gguf_file)}")
    return (path if os.path.isdir(path) else model), gguf_file


def load_model(name, device, gguf_file=None):
    """Tokenizer and float32 model (the encoder of an encoder-decoder); a sentence-transformers
    folder works; with gguf_file, both come from that GGUF file in `name` (dequantised)."""
    if name.startswith(("/", "./", "../", "~")) and not os.path.isdir(os.path.expanduser(name)):
        fail(f"model folder not found: {name}")
    try:
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging
    except ImportError as e:
        fail(f"{e}; install with: pip install torch transformers h5py numpy")
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    path, extra = name, {}
    if gguf_file is not None:
        try:
            import gguf  # noqa: F401  (transformers' GGUF loader needs it)
        except ImportError:
            fail("reading GGUF files needs the gguf package: pip install gguf")
        extra = {"gguf_file": gguf_file}
    elif os.path.isfile(os.path.join(name, "modules.json")):  # the Transformer module may sit in a subfolder
        for m in json.load(open(os.path.join(name, "modules.json"))):
            if m.get("type", "").endswith("Transformer") and m.get("path"):
                path = os.path.join(name, m["path"])
    try:
        tok = AutoTokenizer.from_pretrained(path, **extra)
        model = AutoModel.from_pretrained(path, dtype=torch.float32, **extra)
    except Exception as e:
        fail(f"cannot load model '{name}'{' / ' + gguf_file if gguf_file else ''}: {type(e).__name__}: {e}")
    if getattr(model.config, "is_encoder_decoder", False):
        model = model.get_encoder()
    return tok, model.to(device).eval()


def parse_layers(text, num_layers):
    """The layers `text` names: K, last, K1,K2,… or all (0 = embeddings output, num_layers = last;
    a negative K means num_layers + K, so -1 is the layer below the last)."""
    if text is None or text == "last":
        return [num_layers]
    if text == "all":
        return list(range(num_layers + 1))
    layers = []
    for word in (w.strip() for w in text.split(",")):
        try:
            k = num_layers if word == "last" else int(word)
        except ValueError:
            fail(f"--layer '{word}': give K, last, K1,K2,… or all")
        k += num_layers if k < 0 else 0
        if not 0 <= k <= num_layers:
            fail(f"--layer {word} out of range: the model has {num_layers} layers (0 ... {num_layers})")
        if k not in layers:
            layers.append(k)
    return layers


def layer_name(k, num_layers):
    """The `layer` attribute, as `pooler extract` writes it: "last" or "K"."""
    return "last" if k == num_layers else str(k)


def position_ids(mask):
    """Positions counted over the real tokens only, `[batch, tokens]`: 0 … L−1 for a sentence of
    L tokens whichever side it is padded on (padding positions get 0, and are masked anyway).

        position = cumsum(mask) − 1, clamped at 0
    """
    return (mask.cumsum(-1) - 1).clamp(min=0)


def forward_windows(model, ids, layers, pad_id, batch_size, device, padding_side="right",
                    use_position_ids=True, window=1024):
    """Hidden states of `layers` for each token list in `ids`, window by window in input order.

    Yields (start, {layer: [states of sentence start, start+1, …]}), each states array
    [len(ids[i]), dim] float32 holding only the real tokens. Inside a window of `window`
    sentences, sentences are sorted by length (longest first) into batches, so little padding
    is computed; one forward pass (`output_hidden_states=True`) gives every layer.
    With use_position_ids, explicit `position_ids` (counted over the mask) are passed, so left
    padding gives the same states as right padding; False keeps the model's default positions
    0 … tokens−1 (wrong for left-padded rows; kept for the test that shows it).
    """
    import torch
    for start in range(0, len(ids), window):
        members = range(start, min(start + window, len(ids)))
        order = sorted(members, key=lambda i: -len(ids[i]))  # longest first: fail early on memory
        states = {k: [None] * len(members) for k in layers}
        for b in range(0, len(order), batch_size):
            batch = order[b:b + batch_size]
            width = max(len(ids[i]) for i in batch)
            input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
            mask = torch.zeros_like(input_ids)
            spans = []
            for r, i in enumerate(batch):
                n = len(ids[i])
                lo = width - n if padding_side == "left" else 0
                input_ids[r, lo:lo + n] = torch.tensor(ids[i])
                mask[r, lo:lo + n] = 1
                spans.append((lo, lo + n))
            extra = {"position_ids": position_ids(mask).to(device)} if use_position_ids else {}
            with torch.inference_mode():
                out = model(input_ids=input_ids.to(device), attention_mask=mask.to(device),
                            output_hidden_states=True, **extra)
            for k in layers:
                h = out.hidden_states[k].float().cpu().numpy()
                for r, i in enumerate(batch):
                    states[k][i - start] = h[r, spans[r][0]:spans[r][1]]
        yield start, states


def extract(model, ids, layer, pad_id, batch_size, device, padding_side="right", use_position_ids=True):
    """Hidden states of one `layer` for each token list in `ids`, in the order of `ids` (float32)."""
    result = []
    for _, states in forward_windows(model, ids, [layer], pad_id, batch_size, device, padding_side,
                                     use_position_ids, window=len(ids)):
        result.extend(states[layer])
    return result


CHUNK_ROWS = 4096      # rows per /tokens chunk (as the shared files)
WINDOW_BYTES = 256e6   # float32 states of all written layers held in memory before writing


class RaggedWriter:
    """One output file in the ragged layout, written to a temp file beside `path`: everything
    but /tokens at once, then /tokens appended in sentence order and written in whole chunks;
    finish() renames it into place, cancel() removes it."""

    def __init__(self, path, ids, sentences, pairs, scores, dim, dtype, attrs, vocab=None):
        import h5py
        self.path, self.dtype = path, np.dtype(dtype)
        self.total = sum(len(x) for x in ids)
        self.chunk = min(CHUNK_ROWS, self.total)
        self.done, self.pending = 0, []
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        self.tmp = os.path.join(folder, f".{os.path.basename(path)}.tmp{os.getpid()}")
        self.file = h5py.File(self.tmp, "w")
        try:
            f = self.file
            self.tokens = f.create_dataset("tokens", shape=(self.total, dim), dtype=self.dtype,
                                           chunks=(self.chunk, dim), compression="gzip", compression_opts=4,
                                           shuffle=True)
            f.create_dataset("offsets", data=np.concatenate([[0], np.cumsum([len(x) for x in ids])]).astype(np.int64))
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
        except BaseException:
            self.cancel()
            raise

    def append(self, rows):
        """Appends the rows `[n, dim]` of the next sentences."""
        self.pending.append(rows.astype(self.dtype))
        pending = sum(len(p) for p in self.pending)
        if pending >= self.chunk:
            self._write(pending - pending % self.chunk)

    def _write(self, n):
        block = np.concatenate(self.pending)
        self.tokens[self.done:self.done + n] = block[:n]
        self.done += n
        self.pending = [block[n:]] if n < len(block) else []

    def finish(self):
        if self.pending:
            self._write(sum(len(p) for p in self.pending))
        if self.done != self.total:
            raise RuntimeError(f"{self.path}: {self.done} token rows written, {self.total} expected")
        self.file.close()
        os.replace(self.tmp, self.path)

    def cancel(self):
        try:
            self.file.close()
        finally:
            if os.path.exists(self.tmp):
                os.remove(self.tmp)


FLOAT16_MAX = 65504.0


def check_states(states, k, batch_start, sentences, dtype):
    """Fails on NaN/Inf, or on values float16 cannot hold (decoders' massive activations)."""
    for j, h in enumerate(states):
        peak = float(np.abs(h).max())
        if not np.isfinite(peak):
            fail(f"layer {k}: non-finite hidden state in sentence {batch_start + j + 1} "
                 f"({sentences[batch_start + j][:60]!r})")
        if dtype == np.float16 and peak > FLOAT16_MAX:
            fail(f"layer {k}: |value| {peak:.0f} in sentence {batch_start + j + 1} exceeds the float16 "
                 f"range ({FLOAT16_MAX:.0f}); use --dtype float32")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="Hugging Face name, local folder, or a .gguf file")
    ap.add_argument("--gguf-file", help="the GGUF file inside the --model folder (dequantised to float32)")
    ap.add_argument("--model-name", help="value of the 'model' attribute (default: --model, or the GGUF file's name)")
    ap.add_argument("--input", required=True)
    ap.add_argument("--format", default="auto", choices=["auto", "stsb", "tsv", "csv", "jsonl"])
    ap.add_argument("--output", required=True, help="{layer} becomes the layer number (needed with several layers)")
    ap.add_argument("--layer", help="K, last (default), K1,K2,… or all; 0 = embeddings, num_layers = last; "
                                    "a negative K means num_layers + K")
    ap.add_argument("--max-length", type=int, default=128, help="tokens per sentence, special tokens and --append-eos included")
    ap.add_argument("--dtype", default="float16", choices=["float16", "float32"])
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--padding-side", choices=["left", "right"], help="default: the tokenizer's")
    ap.add_argument("--append-eos", action="store_true",
                    help="append the EOS token to every sentence (for last-token pooling, E5-Mistral style)")
    ap.add_argument("--template", help="wrap every sentence in a prompt, e.g. "
                    "'This sentence : \"{sentence}\" means in one word:\"' (PromptEOL; pool with "
                    "`last`); recorded in the `template` attribute; use the same one for every split")
    ap.add_argument("--split", default="")
    ap.add_argument("--dataset", default="")
    ap.add_argument("--license", default="")
    args = ap.parse_args(argv)
    started = time.time()
    if args.batch_size < 1:
        fail(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.max_length < 2:
        fail(f"--max-length must be at least 2, got {args.max_length}")
    if args.template is not None:
        split_template(args.template)  # fail before loading the model

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

    source, gguf_file = model_source(args.model, args.gguf_file)
    tok, model = load_model(source, args.device, gguf_file)
    import torch
    with torch.inference_mode():  # count the hidden states on a tiny input rather than trust the config
        probe = torch.tensor([tok("a")["input_ids"] or [0]], device=args.device)
        probed = model(input_ids=probe, output_hidden_states=True).hidden_states
    num_layers, dim = len(probed) - 1, probed[0].shape[-1]
    layers = parse_layers(args.layer, num_layers)
    if len(layers) > 1 and "{layer}" not in args.output:
        fail(f"--layer {args.layer} writes {len(layers)} files: put {{layer}} in --output, e.g. out/L{{layer}}/train.h5")
    outputs = [(k, args.output.replace("{layer}", str(k))) for k in layers]
    if os.path.abspath(args.input) in {os.path.abspath(p) for _, p in outputs}:
        fail(f"--output {args.output} would overwrite --input")
    padding_side = args.padding_side or getattr(tok, "padding_side", "right") or "right"
    accepts_positions = "position_ids" in inspect.signature(model.forward).parameters
    if padding_side == "left" and not accepts_positions:
        fail(f"{type(model).__name__} takes no position_ids, so left padding would shift its positions; "
             f"use --padding-side right (the stored states do not depend on the side)")

    ids, truncated, appended = encode(tok, sentences, args.max_length, args.append_eos, args.template)
    if truncated:
        print(f"warning: {truncated} sentences truncated to {args.max_length} tokens", file=sys.stderr)
    pad_id, pad_source = pad_token(tok)
    eos_token = tok.convert_ids_to_tokens(tok.eos_token_id) if tok.eos_token_id is not None else ""
    attrs = {
        "model": args.model_name or (os.path.splitext(gguf_file)[0] if gguf_file else args.model),
        "hidden_size": dim, "num_layers": num_layers, "max_length": args.max_length,
        "special_tokens": special_tokens(tok, appended_eos=appended),
        "native_pooling": "unknown" if gguf_file else native_pooling(source),
        "dataset": args.dataset, "split": args.split,
        "score_range": "0-5" if fmt == "stsb" else (f"{min(scores):g}-{max(scores):g}" if scores else ""),
        "license": args.license, "truncated_sentences": truncated,
        "padding_side": padding_side, "pad_token": f"{tok.convert_ids_to_tokens(pad_id)} ({pad_source})",
        "position_ids": "from the attention mask" if accepts_positions else "model default",
        "append_eos": f"true ({eos_token})" if appended else "false",
        "template": args.template if args.template is not None else "none",
        "source": args.input, "created_with": "Examples/extract_hidden_states.py",
    }
    if gguf_file:
        attrs["gguf_file"] = gguf_file
    vocab = [t if t is not None else "" for t in tok.convert_ids_to_tokens(list(range(len(tok))))]
    dtype = np.dtype(args.dtype)
    writers = []
    try:
        for k, path in outputs:
            writers.append(RaggedWriter(path, ids, sentences, pairs, scores, dim, dtype,
                                        dict(attrs, layer=layer_name(k, num_layers)), vocab))
        # A window's states of every layer stay in memory (as float32) until written.
        tokens_per_sentence = sum(map(len, ids)) / len(ids)
        window = max(args.batch_size, int(WINDOW_BYTES / (tokens_per_sentence * dim * 4 * len(layers))))
        window -= window % args.batch_size
        load_seconds, forward_started = time.time() - started, time.time()
        bar = progress(len(ids), f"extracting {len(layers)} layer{'s' * (len(layers) > 1)}")
        for start, states in forward_windows(model, ids, layers, pad_id, args.batch_size, args.device,
                                             padding_side, accepts_positions, window):
            for (k, _), writer in zip(outputs, writers):
                check_states(states[k], k, start, sentences, dtype)
                writer.append(np.concatenate(states[k]))
            bar.update(len(states[layers[0]]))
        bar.close()
        for writer in writers:
            writer.finish()
    except BaseException:
        for writer in writers:
            writer.cancel()
        raise
    seconds = time.time() - forward_started
    T = sum(map(len, ids))
    for k, path in outputs:
        print(f"wrote {path}: {len(sentences)} sentences, {len(pairs)} pairs, {T} tokens x {dim} "
              f"(layer {k} of {num_layers})", file=sys.stderr)
    print(f"extracted {len(layers)} layer(s) of {len(sentences)} sentences in {seconds:.1f} s "
          f"({len(sentences) / seconds:.1f} sentences/s, {T / seconds:.0f} tokens/s; loading took "
          f"{load_seconds:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
