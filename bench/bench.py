"""Benchmark: whole-process compile times and memory, as ratios to baselines measured alongside.

Not a test. `python bench/bench.py` (or `--quick`) generates realistic inputs — every archetype,
datasets, a sizing policy, images — at 1, 1,000 and 10,000 Runs, then measures, side by side in
one run, medians of repeated whole-process runs of:

- the compiler on each input set (peak memory too);
- the bare interpreter (`python -c pass`);
- the C-YAML floor: PyYAML's C loader reading the same inputs and C dumper writing the same
  output, in one process;
- `kubectl kustomize` re-emitting the same output (when kubectl is on the PATH).

It prints every figure and ratio; `--write` also records them in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMPILER = [sys.executable, "-m", "codeflare_compile"]
C_YAML_FLOOR = """
import sys, yaml
docs = []
for name in sys.argv[2:]:
    with open(name) as f:
        docs.extend(yaml.load_all(f, Loader=yaml.CSafeLoader))
with open(sys.argv[1]) as f:
    out = list(yaml.load_all(f, Loader=yaml.CSafeLoader))
sys.stdout.write(yaml.dump_all(out, Dumper=yaml.CSafeDumper, sort_keys=False))
"""

DEFINITIONS = """\
apiVersion: codeflare.dev/v1alpha1
kind: RunSizeConfiguration
metadata: {name: gpu-nodes}
spec:
  priority: 10
  config:
    xs: {workers: 1, cpu: "2", memory: 8Gi, gpu: 1}
    sm: {workers: 2, cpu: "4", memory: 16Gi, gpu: 1}
    md: {workers: 4, cpu: "8", memory: 32Gi, gpu: 1}
---
apiVersion: codeflare.dev/v1alpha1
kind: Image
metadata: {name: ray}
spec:
  image: rayproject/ray:2.52.0
  digest: sha256:0d5a6fd2a1b0f7e5d2c4b3a291f0e8d7c6b5a4938271605f4e3d2c1b0a998877
---
apiVersion: codeflare.dev/v1alpha1
kind: DataSet
metadata: {name: corpus}
spec: {s3: {endpoint: "https://s3.example.com", bucket: corpus, secretRef: {name: s3-creds}}}
---
apiVersion: codeflare.dev/v1alpha1
kind: DataSet
metadata: {name: scratch}
spec: {pvc: {claimName: scratch}}
---
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: ray-train}
spec:
  api: ray
  image: {name: ray}
  command: python3 train.py
  requirements: [pandas==2.2.3]
  env: {TOKEN: {secretKeyRef: {name: tokens, key: hub}}}
  inputs: [{dataset: corpus}]
  supportsGpu: true
---
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: torch-ddp}
spec:
  api: torch
  image: pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime
  command: python3 ddp.py --lr 0.01
  inputs: [{dataset: scratch, mountPath: /scratch}]
  supportsGpu: true
---
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: shell-etl}
spec:
  api: shell
  image: python:3.12-slim
  command: python3 etl.py
  code: [{name: etl.py, source: "print('etl')"}]
---
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: sweep}
spec:
  api: workqueue
  image: python:3.12-slim
  command: python3 score.py
  tasks: {sweep: {min: 1, max: 20, step: 1}}
---
apiVersion: codeflare.dev/v1alpha1
kind: Application
metadata: {name: nightly}
spec:
  api: workflow
  steps:
    - {name: etl, application: shell-etl}
    - {name: train, application: torch-ddp, dependsOn: [etl], size: sm}
"""
APPLICATIONS = ("ray-train", "torch-ddp", "shell-etl", "sweep", "nightly")
#: The Applications that allow GPUs; a Run of another asking for them is a warning (CF510).
GPU_APPLICATIONS = ("ray-train", "torch-ddp")
SIZES = ("xs", "sm", "md")


def run_document(i: int) -> str:
    """The i-th Run: the Applications, sizes and GPU requests in turn, without a warning."""
    app = APPLICATIONS[i % len(APPLICATIONS)]
    return (f"apiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata: {{name: run-{i:05d}}}\n"
            f"spec: {{application: {app}, size: {SIZES[i % len(SIZES)]}, "
            f"supportsGpu: {str(app in GPU_APPLICATIONS).lower()}, queue: team}}\n")


def write_inputs(folder: Path, runs: int) -> list[Path]:
    """The definitions and `runs` Runs spread over every archetype, a file per 100 Runs."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "definitions.yaml").write_text(DEFINITIONS)
    for start in range(0, runs, 100):
        docs = [run_document(i) for i in range(start, min(start + 100, runs))]
        (folder / f"runs-{start // 100:04d}.yaml").write_text("---\n".join(docs))
    return sorted(folder.glob("*.yaml"))


@dataclass
class Sample:
    seconds: float
    peak_mib: float


#: Children run as after `pip install`, with bytecode cached: PYTHONDONTWRITEBYTECODE (set on
#: some CI machines) would make every run compile the package's sources again.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(cmd: list[str], cwd: Path | None = None) -> Sample:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, env=CHILD_ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return Sample(elapsed, usage.ru_maxrss / 1024)


def median(cmd: list[str], repeat: int, cwd: Path | None = None) -> Sample:
    samples = [run_once(cmd, cwd) for _ in range(repeat)]
    return Sample(statistics.median(s.seconds for s in samples),
                  max(s.peak_mib for s in samples))


def kustomize(output: Path, repeat: int) -> Sample | None:
    if shutil.which("kubectl") is None:
        return None
    folder = output.parent / "kustomize"
    folder.mkdir(exist_ok=True)
    shutil.copy(output, folder / "out.yaml")
    (folder / "kustomization.yaml").write_text("resources: [out.yaml]\n")
    return median(["kubectl", "kustomize", str(folder)], repeat)


def measure(runs: int, repeat: int, work: Path) -> dict[str, Sample | None]:
    """The compiler (the first run writes the output the baselines read), the C-YAML floor,
    `kubectl kustomize` up to 1,000 Runs (beyond, its time says nothing new) and, from 1,000
    Runs, the compiler with `-j 2`."""
    inputs = write_inputs(work / f"in-{runs}", runs)
    output = work / f"out-{runs}.yaml"
    folder = str(inputs[0].parent)
    first = run_once([*COMPILER, folder, "-o", str(output)])
    rest = [run_once([*COMPILER, folder]) for _ in range(repeat - 1)]
    samples = [first, *rest]
    return {
        "compile": Sample(statistics.median(s.seconds for s in samples),
                          max(s.peak_mib for s in samples)),
        "floor": median([sys.executable, "-c", C_YAML_FLOOR, str(output), *map(str, inputs)],
                        repeat),
        "kustomize": kustomize(output, repeat) if runs <= 1000 else None,
        "jobs2": median([*COMPILER, folder, "-j", "2"], repeat) if runs >= 1000 else None,
    }


def report(results: dict[int, dict[str, Sample | None]], interpreter: Sample,
           models: Sample) -> list[str]:
    lines = [f"- `python -c pass`: {interpreter.seconds * 1000:.0f} ms; the interpreter with "
             f"pydantic and the input models, imported and nothing run: "
             f"{models.seconds * 1000:.0f} ms"]
    for runs, r in results.items():
        ours, floor, kust = r["compile"], r["floor"], r["kustomize"]
        assert ours is not None and floor is not None
        parts = [f"{ours.seconds * 1000:.0f} ms, peak {ours.peak_mib:.0f} MiB",
                 f"{ours.seconds / interpreter.seconds:.1f}x `python -c pass`",
                 f"{ours.seconds / floor.seconds:.2f}x the C-YAML floor "
                 f"({floor.seconds * 1000:.0f} ms)"]
        if kust is not None:
            parts.append(f"{ours.seconds / kust.seconds:.2f}x `kubectl kustomize` "
                         f"({kust.seconds * 1000:.0f} ms)")
            if runs == 1:
                parts.append(f"the import of pydantic and the models alone is "
                             f"{models.seconds / kust.seconds:.2f}x `kubectl kustomize`")
        if (jobs := r["jobs2"]) is not None:
            parts.append(f"with `-j 2` {jobs.seconds * 1000:.0f} ms, "
                         f"{jobs.seconds / floor.seconds:.2f}x the floor, "
                         f"peak {jobs.peak_mib:.0f} MiB in the largest process")
        lines.append(f"- {runs} Run{'s' if runs != 1 else ''}: " + "; ".join(parts))
    if 1000 in results and 10000 in results:
        small, large = results[1000]["compile"], results[10000]["compile"]
        assert small is not None and large is not None
        lines.append(f"- growth 1,000 → 10,000 Runs: {large.seconds / small.seconds:.1f}x time")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for a quick look")
    parser.add_argument("--write", action="store_true",
                        help="record the figures in docs/performance.md")
    parser.add_argument("--runs", default="1,1000,10000",
                        help="comma-separated Run counts to measure (default: 1,1000,10000)")
    options = parser.parse_args()
    repeat = 3 if options.quick else 7
    counts = [int(n) for n in options.runs.split(",")]
    sizes = {n: repeat if n < 1000 else (max(2, repeat // 2) if n < 10000 else
                                         (1 if options.quick else 3)) for n in counts}
    interpreter = median([sys.executable, "-c", "pass"], repeat)
    models = median([sys.executable, "-c", "import codeflare_compile.api"], repeat)
    with tempfile.TemporaryDirectory() as tmp:
        results = {runs: measure(runs, count, Path(tmp)) for runs, count in sizes.items()}
    lines = report(results, interpreter, models)
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python "
               f"{platform.python_version()}, `python bench/bench.py"
               f"{' --quick' if options.quick else ''}`")
    print(f"Machine: {machine}")
    print("\n".join(lines))
    if options.write:
        record(machine, lines)


def record(machine: str, lines: list[str]) -> None:
    """Replace the measured block of docs/performance.md with these figures."""
    path = REPO / "docs" / "performance.md"
    text = path.read_text()
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    block = f"{begin}\nMeasured on {machine}:\n\n" + "\n".join(lines) + f"\n{end}"
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    path.write_text(head + block + tail)


if __name__ == "__main__":
    main()
