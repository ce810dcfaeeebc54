#!/usr/bin/env python3
"""Interleaved A/B of one solo workload between two builds of `compare`.

    benches/ab.py BASE_COMPARE NEW_COMPARE WORKLOAD RUNS [-- child args]

Runs `compare --child WORKLOAD solo` from each build RUNS times, in
alternating order (base, new, then new, base, ...), so that a noisy moment
of the shared machine hits both, and prints each metric's median for both
builds and their ratio. Build the base with `git worktree add` at the old
commit and `cargo build --release -p benches --bin compare` there.
"""
import json
import statistics
import subprocess
import sys
from pathlib import Path


def main() -> int:
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    base, new, workload, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    extra = [a for a in sys.argv[5:] if a != "--"]
    bins = {"base": base, "new": new}
    samples = {"base": {}, "new": {}}
    for i in range(runs):
        for side in (["base", "new"] if i % 2 == 0 else ["new", "base"]):
            out = subprocess.run(
                [bins[side], "--child", workload, "solo", *extra],
                cwd=Path(__file__).parent,
                capture_output=True,
                text=True,
                timeout=150,
            )
            if out.returncode != 0:
                print(f"{side}: child failed: {out.stderr.strip()}", file=sys.stderr)
                return 1
            report = json.loads(out.stdout.strip().splitlines()[-1])
            for m in report["metrics"]:
                samples[side].setdefault(m["label"], []).append(m["value"])
            samples[side].setdefault("process CPU ms", []).append(report["process_cpu_ms"])
    for label, values in samples["base"].items():
        b = statistics.median(values)
        n = statistics.median(samples["new"][label])
        ratio = n / b if b else float("nan")
        print(f"{workload:16} {label:28} base {b:12.4g}  new {n:12.4g}  new/base {ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
