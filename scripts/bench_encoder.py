#!/usr/bin/env python3
"""`make bench BENCH=encoder`: pooler's Swift encoder against sentence-transformers, in one run.

Embeds the unique STS-B test sentences (2,552) with 2 threads:
  - sentence-transformers `encode` (torch CPU, 2 threads, batch 64), all-MiniLM-L6-v2, full depth;
  - `pooler embed --model` full depth (mean pooling), whole process including model loading;
  - `pooler embed --model --head` with a layer-3 additive+projection head: 3 of 6 layers computed.
The layer-3 head is trained here on `pooler extract --layer 3` of STS-B train/dev (cached in
$POOLER_CACHE, default ~/.cache/pooler/bench-encoder) and scored on STS-B test, so quality and
speed stand in one table. Peak RSS of each pooler process comes from /usr/bin/time -v.

usage: bench_encoder.py POOLER_BINARY SHARED_DATA MODEL_DIR   (MODEL_DIR from scripts/fetch-model.sh)
"""
import json, os, re, subprocess, sys, tempfile, time

pooler, shared, model = sys.argv[1], sys.argv[2], sys.argv[3]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
try:
    import h5py, numpy as np, torch
    from sentence_transformers import SentenceTransformer
except ImportError as e:
    sys.exit(f"bench encoder: {e}; install with: pip install torch sentence-transformers h5py")
cache = os.path.join(os.environ.get("POOLER_CACHE", os.path.expanduser("~/.cache/pooler")), "bench-encoder")
os.makedirs(cache, exist_ok=True)
stsb = os.path.join(shared, "stsbenchmark")

with h5py.File(os.path.join(shared, "stsb-minilm-l6", "test.h5")) as f:
    sentences = [s.decode() if isinstance(s, bytes) else s for s in f["sentences"][:]]
work = tempfile.mkdtemp(prefix="bench-encoder-")
texts = os.path.join(work, "test-sentences.txt")
with open(texts, "w") as f:
    f.write("\n".join(sentences) + "\n")
n = len(sentences)

def run(arguments, timed=True):
    """Runs pooler; returns (seconds, peak RSS MiB, stdout)."""
    command = (["/usr/bin/time", "-v"] if timed and os.path.exists("/usr/bin/time") else []) + [pooler] + arguments
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"bench encoder: {' '.join(arguments[:2])} failed:\n{done.stderr[-2000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return seconds, (int(rss.group(1)) / 1024 if rss else float("nan")), done.stdout

# The layer-3 head (cached): extract train/dev/test at layer 3, train additive+projection, score on test.
states = {split: os.path.join(cache, f"layer3-{split}.h5") for split in ("train", "dev", "test")}
for split, path in states.items():
    if not os.path.exists(path):
        print(f"extracting layer 3 of STS-B {split} with pooler extract ...", file=sys.stderr)
        run(["extract", "--model", model, "--input", os.path.join(stsb, f"sts-{split}.csv"), "--format", "stsb",
             "--output", path, "--layer", "3", "--max-length", "128", "--threads", "2", "--quiet",
             "--dataset", "stsbenchmark", "--split", split], timed=False)
head = os.path.join(cache, "layer3-additive-projection")
if not os.path.exists(os.path.join(head, "summary.json")):
    print("training the layer-3 additive+projection head ...", file=sys.stderr)
    run(["train", "--train", states["train"], "--dev", states["dev"], "--out", head, "--head", "additive",
         "--projection", "--epochs", "8", "--seed", "42", "--quiet"], timed=False)
_, _, report = run(["evaluate", "--data", states["test"], "--strategies", "mean", "--head", f"layer3-head={head}",
                    "--system", f"layer6-mean={os.path.join(shared, 'stsb-minilm-l6', 'test.h5')}:mean",
                    "--baseline", "layer6-mean", "--format", "json", "--quiet"], timed=False)
scores = {r["strategy"]: r["spearman_cosine"] for r in json.loads(report)["results"]}

# sentence-transformers, 2 threads, batch 64 (the reference).
torch.set_num_threads(2)
start = time.perf_counter()
st = SentenceTransformer(model, device="cpu")
loaded = time.perf_counter()
st.encode(sentences[:64], batch_size=64)  # warm-up
start_encode = time.perf_counter()
reference = st.encode(sentences, batch_size=64, convert_to_numpy=True, normalize_embeddings=False)
st_seconds = time.perf_counter() - start_encode
st_total = st_seconds + (loaded - start)

full_seconds, full_rss, _ = run(["embed", "--model", model, "--input", texts, "--output", os.path.join(work, "full.npy"),
                                 "--strategy", "mean", "--threads", "2", "--max-length", "128"])
ours = np.load(os.path.join(work, "full.npy"))
ours = ours / np.linalg.norm(ours, axis=1, keepdims=True)  # the model's last module is Normalize
difference = float(np.abs(ours - reference).max())
head_seconds, head_rss, _ = run(["embed", "--model", model, "--input", texts, "--output", os.path.join(work, "head.npy"),
                                 "--head", head, "--threads", "2", "--max-length", "128"])

with h5py.File(os.path.join(shared, "stsb-minilm-l6", "test.h5")) as f:
    tokens = int(f["offsets"][-1])
flops = 21e6 * tokens  # ≈ 2 · 10.6 M weights per token per layer stack (full depth), attention aside
print()
print(f"STS-B test, {n} unique sentences, 2 threads (all-MiniLM-L6-v2)")
print(f"{'system':58} {'sent/s':>8} {'× ST':>6} {'RSS MiB':>8} {'STS-B test':>10}")
print(f"{'sentence-transformers encode, full depth (encode only)':58} {n / st_seconds:8.0f} {1.0:6.2f} {'':>8} {scores.get('layer6-mean', float('nan')):10.2f}")
print(f"{'  … including model loading':58} {n / st_total:8.0f}")
print(f"{'pooler embed --model, full depth, mean (whole process)':58} {n / full_seconds:8.0f} {st_seconds / full_seconds:6.2f} {full_rss:8.0f} {scores.get('layer6-mean', float('nan')):10.2f}")
print(f"{'pooler embed --model --head, layer 3 + additive+projection':58} {n / head_seconds:8.0f} {st_seconds / head_seconds:6.2f} {head_rss:8.0f} {scores.get('layer3-head', float('nan')):10.2f}")
print(f"  targets: full depth ≥ 1.3× ST; layer-3 head ≥ 2.5× ST; peak RSS ≤ 400 MiB")
print(f"  pooler full-depth embeddings (L2-normalised, as the model's Normalize module does) vs sentence-transformers: max |Δ| = {difference:.2e}")
print(f"  layer-3 mean pooling (no head) on STS-B test: {scores.get('mean', float('nan')):.2f}")
print(f"  full depth: {tokens} tokens ≈ {flops / 1e9:.0f} GFLOP; pooler's whole process ran at {flops / full_seconds / 1e9:.0f} GFLOP/s "
      f"({flops / full_seconds / 250e9:.0%} of the 250 GFLOP/s floor on paper, = {n / (flops / 250e9):.0f} sentences/s)")
