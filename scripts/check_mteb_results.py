#!/usr/bin/env python3
"""Checks that `pooler evaluate --format mteb` files load as MTEB results.

Usage: python3 scripts/check_mteb_results.py POOLER_BINARY [SHARED_DATA_DIR]

Writes the mean and cls results of STS-B dev and test to a temporary folder, then loads every
file with `mteb.TaskResult.from_disk` (when the `mteb` package is installed), validates it against
the STSBenchmark task (`validate_and_filter_scores`) and reads its main score back; without mteb it
checks the layout MTEB's documentation gives (task_name, mteb_version, dataset_revision,
evaluation_time, scores -> split -> [{main_score, hf_subset, languages, ...}]). Either way the
test main score of mean pooling must be the reference 0.8203 (+-0.0001).
"""
import json
import os
import subprocess
import sys
import tempfile


def schema_check(document):
    for key, kind in [("task_name", str), ("dataset_revision", str), ("mteb_version", str),
                      ("evaluation_time", (int, float)), ("scores", dict)]:
        assert isinstance(document.get(key), kind), f"{key} missing or not {kind}"
    for split, entries in document["scores"].items():
        assert isinstance(entries, list) and entries, f"scores[{split}] is not a non-empty list"
        for entry in entries:
            assert isinstance(entry["hf_subset"], str) and isinstance(entry["languages"], list)
            for key in ["main_score", "cosine_spearman", "cosine_pearson", "euclidean_spearman",
                        "euclidean_pearson", "manhattan_spearman", "manhattan_pearson"]:
                assert isinstance(entry[key], float) and -1 <= entry[key] <= 1, f"{key} not a 0-1 float"


def main():
    pooler = sys.argv[1]
    shared = sys.argv[2] if len(sys.argv) > 2 else "../shared/data"
    data = os.path.join(shared, "stsb-minilm-l6")
    try:
        import mteb
    except ImportError:
        mteb = None
        print("mteb is not installed (pip install mteb): checking the documented layout instead")
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [pooler, "evaluate", "--data", os.path.join(data, "dev.h5"), "--data", os.path.join(data, "test.h5"),
             "--strategies", "mean,cls", "--resamples", "100", "--format", "mteb", "--output", folder, "--quiet"],
            check=True)
        files = sorted(os.path.join(root, name) for root, _, names in os.walk(folder) for name in names)
        main_scores = {}
        for path in files:
            document = json.load(open(path, encoding="utf-8"))
            schema_check(document)
            method = os.path.basename(os.path.dirname(path))
            if mteb is not None:
                from pathlib import Path
                result = mteb.TaskResult.from_disk(Path(path))
                task = mteb.get_task(result.task_name)
                validated = result.validate_and_filter_scores(task=task)
                score = validated.get_score()
                print(f"{os.path.relpath(path, folder)}: mteb.TaskResult loaded, task {result.task_name} "
                      f"(type {task.metadata.type}), splits {sorted(result.scores)}, validated main score {score:.6f}")
            else:
                score = document["scores"]["test"][0]["main_score"]
                print(f"{os.path.relpath(path, folder)}: layout ok, test main score {score:.6f}")
            main_scores[method] = score
    ok = abs(main_scores.get("mean", 0) - 0.8203) <= 1e-4 + 1e-9
    print(f"mean pooling, STSBenchmark test main_score {main_scores.get('mean')}: "
          + ("equals the MTEB leaderboard's 0.8203" if ok else "MISMATCH with 0.8203"))
    sys.exit(0 if ok and len(files) == 2 else 1)


if __name__ == "__main__":
    main()
