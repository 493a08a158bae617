#!/usr/bin/env python3
"""Checks `pooler evaluate` against the reference table in ../shared/data/README.md.

Usage: python3 scripts/check_reference_scores.py POOLER_BINARY [SHARED_DATA_DIR]

Parses the "Reference scores of the fixed poolings" table (Spearman / Pearson x100 per split and
strategy, from an independent numpy implementation), runs `pooler evaluate --format json` on each
split's file, and fails when any figure differs by more than 0.01.
"""
import json
import os
import re
import subprocess
import sys


def reference_table(readme):
    lines = open(readme, encoding="utf-8").read().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("### Reference scores"))
    header = None
    table = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            if header:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if header is None:
            header = cells
        elif not set(cells[0]) <= set("-: "):
            table[cells[0]] = {}
            for name, cell in zip(header[1:], cells[1:]):
                spearman, pearson = (float(x) for x in re.findall(r"[\d.]+", cell))
                table[cells[0]][name] = (spearman, pearson)
    return table


def main():
    pooler = sys.argv[1]
    shared = sys.argv[2] if len(sys.argv) > 2 else "../shared/data"
    table = reference_table(os.path.join(shared, "README.md"))
    failures = 0
    for split, expected in table.items():
        path = os.path.join(shared, "stsb-minilm-l6", f"{split}.h5")
        output = subprocess.run(
            [pooler, "evaluate", "--data", path, "--strategies", ",".join(expected), "--resamples", "100",
             "--format", "json", "--quiet"], check=True, capture_output=True, text=True).stdout
        for result in json.loads(output)["results"]:
            want = expected[result["strategy"]]
            got = (result["spearman_cosine"], result["pearson_cosine"])
            ok = all(abs(g - w) <= 0.01 + 1e-9 for g, w in zip(got, want))
            failures += not ok
            print(f"{split:5} {result['strategy']:15} Spearman {got[0]:6.2f} (ref {want[0]:.2f})  "
                  f"Pearson {got[1]:6.2f} (ref {want[1]:.2f})  {'ok' if ok else 'MISMATCH'}")
    print("all reference scores reproduced to ±0.01" if failures == 0 else f"{failures} mismatches")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
