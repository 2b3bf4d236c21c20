"""Benchmark: cold single-run compile and 1,000-run throughput, as ratios measured in one run.

Not a test: run `python benchmarks/bench.py [--repeat N]`. Every figure is the median of N
timed subprocess runs, reported beside two baselines measured in the same run on the same
machine: the bare interpreter (`python -c pass`) and PyYAML's C loader and dumper reading the same
input documents and writing the same output documents. Ratios, not seconds, are what to compare
across machines.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "ray-mnist"

PYYAML_ROUND_TRIP = """
import sys, yaml
docs = []
for name in sys.argv[2:]:
    with open(name) as f:
        docs.extend(yaml.load_all(f, Loader=yaml.CSafeLoader))
with open(sys.argv[1]) as f:
    out = list(yaml.load_all(f, Loader=yaml.CSafeLoader))
sys.stdout.write(yaml.dump_all(out, Dumper=yaml.CSafeDumper, sort_keys=False))
"""


def timed(cmd: list[str], repeat: int) -> float:
    """Median wall time of `cmd` in seconds; the command must succeed."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def write_batch(folder: Path, runs: int) -> list[Path]:
    """An Application, a sizing policy and `runs` Runs of assorted sizes, one file per Run."""
    (folder / "application.yaml").write_text((EXAMPLE / "application.yaml").read_text())
    (folder / "sizes.yaml").write_text((EXAMPLE / "sizes.yaml").read_text())
    template = (EXAMPLE / "run.yaml").read_text()
    sizes = ("xs", "sm", "md", "lg")
    for i in range(runs):
        text = template.replace("mnist-nightly", f"mnist-{i:04d}") \
            .replace("size: md", f"size: {sizes[i % len(sizes)]}")
        (folder / f"run-{i:04d}.yaml").write_text(text)
    return sorted(folder.glob("*.yaml"))


def measure(label: str, inputs: list[Path], args: list[str], repeat: int,
            interpreter: float) -> None:
    compiler = [sys.executable, "-m", "codeflare_compile"]
    with tempfile.TemporaryDirectory() as tmp:
        rendered = Path(tmp) / "out.yaml"
        subprocess.run([*compiler, *args, "-o", str(rendered)], check=True)
        ours = timed([*compiler, *args], repeat)
        baseline = timed([sys.executable, "-c", PYYAML_ROUND_TRIP, str(rendered),
                          *map(str, inputs)], repeat)
    print(f"{label}: {ours * 1000:.0f} ms  = {ours / interpreter:.1f}x `python -c pass`, "
          f"{ours / baseline:.1f}x PyYAML C load+dump of the same documents "
          f"({baseline * 1000:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--runs", type=int, default=1000)
    options = parser.parse_args()
    interpreter = timed([sys.executable, "-c", "pass"], options.repeat)
    print(f"python -c pass: {interpreter * 1000:.0f} ms (median of {options.repeat})")
    single = sorted(EXAMPLE.glob("*.yaml"))
    measure("cold compile, 1 Run", single, [str(EXAMPLE)], options.repeat, interpreter)
    with tempfile.TemporaryDirectory() as tmp:
        batch = write_batch(Path(tmp), options.runs)
        measure(f"batch compile, {options.runs} Runs", batch, [tmp],
                max(3, options.repeat // 2), interpreter)


if __name__ == "__main__":
    main()
