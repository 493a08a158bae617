#!/usr/bin/env python3
"""Checks Examples/extract_hidden_states.py on decoders: the tiny random Llama and GPT-2 of
scripts/make-tiny-decoder.py and the tiny BERT fixture, offline. Run by
Tests/CLITests/DecoderExtractionTests.swift (which then runs `pooler inspect` and `pooler evaluate`
on the files), or by hand:

    python3 Tests/Scripts/check_decoder_extraction.py SCRATCH

Writes into SCRATCH: models/{llama,gpt2}/, pairs.tsv (16 scored pairs, 3 … 24 words), and

    right.h5, left.h5      Llama, last layer, float32, right / left padding, all in one batch
    gpt2-{right,left}.h5   the same with GPT-2
    eos.h5                 Llama with --append-eos (left padding)
    template.h5            Llama with --template (PromptEOL's prompt)
    gpt2-eos.h5            GPT-2 with --append-eos
    layers/L{0,2}/pairs.h5 Llama --layer 0,2
    all/L{0..3}/pairs.h5   Llama --layer all

and checks: left and right padding give the same states of the real tokens (max |Δ| ≤ 1e-5), which
equal those of each sentence run alone; the same holds for GPT-2 (absolute positions) and BERT,
where leaving out the position ids with left padding visibly changes the states (so the check
would catch that mistake; Llama's rotary positions are relative and hide it); --append-eos puts
EOS last, records it, and leaves the earlier tokens' states unchanged (causal attention);
--template wraps each sentence
in the prompt, keeps its suffix last when truncating, and records it; --layer writes one file per layer with `layer` and `num_layers` as `pooler extract` writes them;
the GGUF file gives the tokenizer and the same states as the folder it was written from;
misuse (several layers without {layer}, a layer out of range) fails. Prints one line per check;
exits 1 on the first failure.
"""
import glob
import importlib.util
import os
import random
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is local; never ask the hub

import h5py  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TOLERANCE = 1e-5


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


extractor = load("extract_hidden_states", "Examples/extract_hidden_states.py")
tiny = load("make_tiny_decoder", "scripts/make-tiny-decoder.py")


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {message}")


def states(path):
    """(tokens [T, D] float32, offsets, input_ids, attrs) of a ragged file."""
    with h5py.File(path, "r") as f:
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        return f["tokens"][...].astype(np.float32), f["offsets"][...], f["input_ids"][...], attrs


def rows(tokens, offsets):
    return [tokens[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]


def max_difference(a, b):
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b))


def run(argv):
    """extractor.main(argv); returns the error text when it exits with one, else None."""
    try:
        extractor.main(argv)
    except SystemExit as e:
        return str(e.code)
    return None


def write_pairs(path):
    rng = random.Random(7)
    words = [w for w in tiny.WORDS if w.isalpha()]
    with open(path, "w") as f:
        f.write("sentence1\tsentence2\tscore\n")
        for i in range(16):
            lengths = (3 + i, 24 - i) if i % 2 == 0 else (5 + i // 2, 4)
            s1, s2 = (" ".join(rng.choice(words) for _ in range(n)) + " ." for n in lengths)
            f.write(f"{s1}\t{s2}\t{rng.uniform(0, 5):.2f}\n")


def unpadded(model_folder, sentences, layer, append_eos=False):
    """Each sentence's states run alone (no padding at all): the reference."""
    tok, model = extractor.load_model(model_folder, "cpu")
    ids, _, _ = extractor.encode(tok, sentences, 64, append_eos)
    pad, _ = extractor.pad_token(tok)
    return [extractor.extract(model, [x], layer, pad, 1, "cpu")[0] for x in ids], (tok, model, ids, pad)


def position_checks(name, folder, scratch, layer, absolute):
    """Left = right = unpadded with position ids; left without them differs for `absolute`
    positions and not for rotary ones (q·k depends only on the distance)."""
    with h5py.File(os.path.join(scratch, "right.h5"), "r") as f:
        sentences = [s.decode() for s in f["sentences"][...]]
    alone, (tok, model, ids, pad) = unpadded(folder, sentences, layer)
    right = extractor.extract(model, ids, layer, pad, 64, "cpu", "right")
    left = extractor.extract(model, ids, layer, pad, 64, "cpu", "left")
    check(max_difference(left, right) <= TOLERANCE and max_difference(right, alone) <= TOLERANCE,
          f"{name}: left and right padding equal the unpadded states "
          f"(max |Δ| {max_difference(left, right):.1e}, {max_difference(right, alone):.1e})")
    wrong = extractor.extract(model, ids, layer, pad, 64, "cpu", "left", use_position_ids=False)
    if not absolute:
        check(max_difference(wrong, right) <= TOLERANCE,
              f"{name}: without position ids, left padding shifts every position alike: same states "
              f"(max |Δ| {max_difference(wrong, right):.1e})")
        return
    longest = max(range(len(ids)), key=lambda i: len(ids[i]))
    padded = [i for i in range(len(ids)) if len(ids[i]) < len(ids[longest])]
    smallest = min(float(np.abs(wrong[i] - right[i]).max()) for i in padded)
    check(np.abs(wrong[longest] - right[longest]).max() <= TOLERANCE and smallest > 1e-2,
          f"{name}: without position ids, left padding changes every padded sentence's states "
          f"(max |Δ| ≥ {smallest:.2f}), the unpadded longest one's not")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_decoder_extraction.py SCRATCH")
    scratch = sys.argv[1]
    os.makedirs(scratch, exist_ok=True)
    import torch
    torch.set_num_threads(1)  # tiny models: more threads only spin (and the machine may be shared)
    llama, gpt2, gguf_file = tiny.make(os.path.join(scratch, "models"))
    bert = os.path.join(ROOT, "Tests", "EncoderTests", "Fixtures", "tiny-bert")
    pairs = os.path.join(scratch, "pairs.tsv")
    write_pairs(pairs)
    out = lambda name: os.path.join(scratch, name)  # noqa: E731
    common = ["--input", pairs, "--dtype", "float32", "--batch-size", "64", "--max-length", "64"]

    # Padding side: the stored states of the real tokens do not depend on it.
    for side in ["right", "left"]:
        check(run(["--model", llama, "--output", out(f"{side}.h5"), "--padding-side", side] + common) is None,
              f"llama --padding-side {side} runs")
    right, offsets, input_ids, attrs = states(out("right.h5"))
    left, left_offsets, left_ids, left_attrs = states(out("left.h5"))
    check((offsets == left_offsets).all() and (input_ids == left_ids).all(), "left and right: same offsets and ids")
    lengths = np.diff(offsets)
    check(lengths.min() < lengths.max(), f"sentences of different lengths in one batch ({lengths.min()} … {lengths.max()} tokens)")
    difference = float(np.abs(left - right).max())
    check(difference <= TOLERANCE, f"left and right padding give the same token states (max |Δ| {difference:.1e})")
    check(attrs["padding_side"] == "right" and left_attrs["padding_side"] == "left", "padding_side recorded")
    check(attrs["pad_token"] == "</s> (eos)", f"no pad token in the tokenizer: EOS pads, recorded ({attrs['pad_token']!r})")
    check(attrs["special_tokens"] == "bos_first", f"llama special_tokens = bos_first ({attrs['special_tokens']!r})")
    check(all(input_ids[o] == 1 for o in offsets[:-1]), "llama: BOS is each sentence's first row")
    check(attrs["layer"] == "last" and attrs["num_layers"] == 3 and attrs["hidden_size"] == 32,
          "layer, num_layers, hidden_size as pooler extract writes them")
    for side in ["right", "left"]:  # the command line too, on a model with absolute positions
        check(run(["--model", gpt2, "--output", out(f"gpt2-{side}.h5"), "--padding-side", side] + common) is None,
              f"gpt2 --padding-side {side} runs")
    difference = float(np.abs(states(out("gpt2-left.h5"))[0] - states(out("gpt2-right.h5"))[0]).max())
    check(difference <= TOLERANCE, f"gpt2: left and right padding give the same token states (max |Δ| {difference:.1e})")
    check(states(out("gpt2-left.h5"))[3]["special_tokens"] == "none", "gpt2 special_tokens = none")
    position_checks("llama (rotary)", llama, scratch, 3, absolute=False)
    position_checks("gpt2 (absolute positions)", gpt2, scratch, 3, absolute=True)
    position_checks("bert (absolute positions)", bert, scratch, 2, absolute=True)

    # --append-eos: EOS last, recorded; earlier tokens unchanged (a decoder attends backwards only).
    check(run(["--model", llama, "--output", out("eos.h5"), "--append-eos", "--padding-side", "left"] + common) is None,
          "llama --append-eos runs")
    eos, eos_offsets, eos_ids, eos_attrs = states(out("eos.h5"))
    check((np.diff(eos_offsets) == lengths + 1).all() and all(eos_ids[o - 1] == 2 for o in eos_offsets[1:]),
          "--append-eos: every sentence one token longer, EOS (id 2) last")
    check(eos_attrs["special_tokens"] == "bos_first,eos_last" and eos_attrs["append_eos"] == "true (</s>)",
          f"--append-eos recorded: special_tokens {eos_attrs['special_tokens']!r}, append_eos {eos_attrs['append_eos']!r}")
    before_eos = [r[:-1] for r in rows(eos, eos_offsets)]
    check(max_difference(before_eos, rows(right, offsets)) <= TOLERANCE, "--append-eos leaves the earlier tokens' states unchanged")
    check(run(["--model", gpt2, "--output", out("gpt2-eos.h5"), "--append-eos"] + common) is None, "gpt2 --append-eos runs")
    check(states(out("gpt2-eos.h5"))[3]["special_tokens"] == "eos_last", "gpt2 --append-eos: special_tokens = eos_last")

    # --template: the prompt wraps each sentence, its suffix always ends the text, recorded.
    template = 'This sentence : "{sentence}" means in one word:"'
    check(run(["--model", llama, "--output", out("template.h5"), "--template", template] + common) is None,
          "llama --template runs")
    _, t_offsets, t_ids, t_attrs = states(out("template.h5"))
    tok, _ = extractor.load_model(llama, "cpu")
    suffix = tok('" means in one word:"', add_special_tokens=False)["input_ids"]
    texts = [[int(i) for i in t_ids[a:b]] for a, b in zip(t_offsets[:-1], t_offsets[1:])]
    check(all(t[0] == 1 and t[-len(suffix):] == suffix for t in texts) and (np.diff(t_offsets) > lengths).all(),
          "--template: BOS first, the prompt's suffix last, every text longer than the bare sentence")
    check(t_attrs["template"] == template and attrs["template"] == "none",
          f"--template recorded (template {t_attrs['template']!r}; without it {attrs['template']!r})")
    short, truncated = extractor.encode_templated(tok, ["one two three four five six seven eight"], 12, template)
    check(truncated == 1 and len(short[0]) == 12 and short[0][-len(suffix):] == suffix,
          f"--template truncation shortens the sentence, never the suffix ({len(short[0])} ids)")
    message = run(["--model", llama, "--output", out("x.h5"), "--template", "no placeholder"] + common)
    check(message is not None and "{sentence}" in message, f"a template without {{sentence}} fails ({message})")

    # --layer: one file per layer from one pass.
    check(run(["--model", llama, "--output", out("layers/L{layer}/pairs.h5"), "--layer", "0,2"] + common) is None,
          "--layer 0,2 runs")
    check(run(["--model", llama, "--output", out("all/L{layer}/pairs.h5"), "--layer", "all"] + common) is None,
          "--layer all runs")
    found = sorted(os.path.relpath(p, scratch) for p in glob.glob(out("layers/*/*")) + glob.glob(out("all/*/*")))
    expected = sorted([f"layers/L{k}/pairs.h5" for k in (0, 2)] + [f"all/L{k}/pairs.h5" for k in range(4)])
    check(found == expected, f"the right files and nothing else (no temp files): {found}")
    for k in range(4):
        tokens, _, _, a = states(out(f"all/L{k}/pairs.h5"))
        check(a["layer"] == ("last" if k == 3 else str(k)) and a["num_layers"] == 3, f"all/L{k}: layer = {a['layer']!r}")
        if k in (0, 2):
            check((tokens == states(out(f"layers/L{k}/pairs.h5"))[0]).all(), f"layers/L{k} equals all/L{k}")
    check((states(out("all/L3/pairs.h5"))[0] == right).all(), "all/L3 equals the default (last layer) file")
    # Small chunks and windows of 4 sentences (batches of 2): the order across windows and the
    # chunk-by-chunk writing give the same files.
    extractor.CHUNK_ROWS, extractor.WINDOW_BYTES = 50, 4 * 12 * 32 * 4 * 4
    check(run(["--model", llama, "--output", out("windows/L{layer}/pairs.h5"), "--layer", "all"] + common
              + ["--batch-size", "2"]) is None, "--layer all in windows of 4 sentences, chunks of 50 rows")
    extractor.CHUNK_ROWS, extractor.WINDOW_BYTES = 4096, 256e6
    for k in range(4):
        check(max_difference([states(out(f"windows/L{k}/pairs.h5"))[0]], [states(out(f"all/L{k}/pairs.h5"))[0]])
              <= TOLERANCE, f"windows/L{k} equals all/L{k}")

    # GGUF: model and tokenizer from one file, dequantised to float32.
    if gguf_file is None:
        print("skipped: the GGUF checks need the gguf package (pip install gguf)")
    else:
        for side in ["right", "left"]:
            check(run(["--model", gguf_file, "--output", out(f"gguf-{side}.h5"), "--padding-side", side] + common) is None,
                  f"--model tiny-llama.F32.gguf --padding-side {side} runs")
        check(run(["--model", os.path.dirname(gguf_file), "--gguf-file", os.path.basename(gguf_file),
                   "--output", out("gguf-folder.h5")] + common) is None, "--model FOLDER --gguf-file NAME runs")
        g_right, g_offsets, g_ids, g_attrs = states(out("gguf-right.h5"))
        difference = float(np.abs(g_right - states(out("gguf-left.h5"))[0]).max())
        check(difference <= TOLERANCE, f"gguf: left and right padding give the same states (max |Δ| {difference:.1e})")
        check((states(out("gguf-folder.h5"))[0] == g_right).all(), "gguf: --gguf-file and --model x.gguf write the same states")
        check(g_attrs["gguf_file"] == "tiny-llama.F32.gguf" and g_attrs["model"] == "tiny-llama.F32"
              and g_attrs["special_tokens"] == "bos_first" and g_attrs["pad_token"] == "</s> (eos)"
              and all(g_ids[o] == 1 for o in g_offsets[:-1]),
              f"gguf: tokenizer from the file (BOS first, EOS pads), recorded: model {g_attrs['model']!r}, "
              f"special_tokens {g_attrs['special_tokens']!r}, pad_token {g_attrs['pad_token']!r}")
        ids = [[1, 5, 9, 20, 40, 81, 3], [1, 7, 7, 30]]
        folder, name = extractor.model_source(gguf_file, None)
        _, gmodel = extractor.load_model(folder, "cpu", name)
        _, lmodel = extractor.load_model(llama, "cpu")
        from_gguf = extractor.extract(gmodel, ids, 3, 2, 8, "cpu", "left")
        from_folder = extractor.extract(lmodel, ids, 3, 2, 8, "cpu", "left")
        check(max_difference(from_gguf, from_folder) <= TOLERANCE,
              f"gguf: the same states as the Llama folder it was written from, on the same ids "
              f"(max |Δ| {max_difference(from_gguf, from_folder):.1e})")

    # Misuse.
    message = run(["--model", llama, "--output", out("x.h5"), "--layer", "0,1"] + common)
    check(message is not None and "{layer}" in message, f"several layers without {{layer}} fail ({message})")
    message = run(["--model", llama, "--output", out("x.h5"), "--layer", "4"] + common)
    check(message is not None and "out of range" in message, f"--layer 4 of 3 fails ({message})")
    check(not os.path.exists(out("x.h5")), "nothing written on failure")
    print("all checks passed")


if __name__ == "__main__":
    main()
