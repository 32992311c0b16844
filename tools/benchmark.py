"""Print wall time and peak memory of `mlops validate` and `mlops compile`.

Measured as a user runs them: a fresh process each time, the whole process tree
(Python and the Node process jsii starts) sampled for resident memory, median of
several runs. Two specs: the bundled mlops.yaml, and a generated large one with 25 of
every repeatable entry (key domains, datasets, code repositories, users, models with
triggers and endpoints; 10 buckets and images) in 3 environments. 50 models no longer
fit: the Studio role's inline policy would pass IAM's 10,240-character limit.

    .venv/bin/python tools/benchmark.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
MLOPS = [sys.executable, "-m", "mlops.cli"]


# The Studio role names every bucket and image in its inline policy, which IAM caps at
# 10,240 characters (mlops.policy_size refuses more): 10 of each fit with room to spare.
BUCKETS = 10


def large_spec(entries: int = 25) -> str:
    lines = [
        "project: bench", "region: eu-west-1", "state: {bucket: bench-tfstate}", "environments:",
        '  dev: {account: "111111111111", role: mlops-deploy}',
        '  stage: {account: "222222222222", role: mlops-deploy, overrides: {network: {cidr: 10.21.0.0/16}}}',
        '  prod: {account: "333333333333", role: mlops-deploy, overrides: {network: {cidr: 10.22.0.0/16, availability_zones: 3}}}',
        "network: {cidr: 10.20.0.0/16}", "keys:", "  domains:",
    ]
    lines += [f"    domain{i:02d}: {{}}" for i in range(entries)]
    lines += ["data:", "  buckets:"]
    lines += [f"    bucket{i:02d}: {{key: domain{i:02d}, object_lock_days: {i + 1}}}" for i in range(BUCKETS)]
    lines += ["    artifacts: {}", "  datasets:"]
    lines += [f"    dataset{i:02d}: {{bucket: bucket{i % BUCKETS:02d}, prefix: data{i:02d}/train/}}" for i in range(entries)]
    lines += [f"    validation{i:02d}: {{bucket: bucket{i % BUCKETS:02d}, prefix: data{i:02d}/validation/}}"
              for i in range(entries)]
    lines += ["repositories:", "  code:"]
    lines += [f"    repo{i:02d}: {{}}" for i in range(entries)]
    lines += ["  images:"]
    lines += [f"    image{i:02d}: {{source: repo{i:02d}}}" for i in range(BUCKETS)]
    lines += ["workspace:", "  users:"]
    lines += [f"    user{i:02d}: {{}}" for i in range(entries)]
    lines += ["models:"]
    for i in range(entries):
        lines += [
            f"  model{i:02d}:",
            f"    training: {{algorithm: xgboost, version: \"1.7-1\", input: dataset{i:02d}, validation: validation{i:02d}, instance_type: ml.m5.xlarge}}",
            "    evaluation: {metric: \"validation:auc\", min: 0.8}",
            "    retrain: {schedule: rate(7 days), on_new_data: true}",
            "    endpoint: {model_version: 1}",
        ]
    return "\n".join(lines) + "\n"


def measure(argv: list[str]) -> tuple[float, float, bool]:
    """Wall seconds, peak MiB of the process tree, and whether a node process ran."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root, peak, node = psutil.Process(proc.pid), 0, False
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            total = 0
            for p in tree:
                try:
                    total += p.memory_info().rss
                    node = node or "node" in p.name()
                except psutil.NoSuchProcess:
                    pass
            peak = max(peak, total)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.005)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {proc.stderr.read().decode()}")
    return wall, peak / 2**20, node


def report(label: str, argv: list[str], runs: int) -> None:
    samples = [measure(argv) for _ in range(runs)]
    wall = statistics.median(s[0] for s in samples)
    mem = statistics.median(s[1] for s in samples)
    node = "node started" if any(s[2] for s in samples) else "no node process"
    print(f"{label:<38} {wall:6.2f} s  {mem:7.0f} MiB  ({node}; median of {runs})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        large = Path(tmp) / "large.yaml"
        large.write_text(large_spec(25))
        specs = (("bundled mlops.yaml", ROOT / "mlops.yaml"), ("large spec (25 each, 3 envs)", large))
        for name, spec in specs:
            report(f"validate {name}", MLOPS + ["validate", "-f", str(spec)], args.runs)
            report(f"compile  {name}", MLOPS + ["compile", "-f", str(spec), "-o", str(Path(tmp) / "out")], args.runs)


if __name__ == "__main__":
    main()
