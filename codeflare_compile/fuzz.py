"""A mutational fuzzer for the loader and the whole pipeline, run in-process.

    python -m codeflare_compile.fuzz [--seconds N | --iterations N] [--seed S]
                                     [--corpus PATH]... [--crashes DIR] [--crds PATH]

It starts from a seed corpus (the golden tests' and the archetype examples' inputs, and every
input that ever crashed, when run from a checkout), and feeds the compiler random bytes and
mutated inputs: bytes flipped, inserted, deleted and spliced; lines dropped, repeated, swapped
and re-indented; and, on the parsed documents, values replaced by hostile ones (huge numbers,
control characters, shell metacharacters, wrong types), fields removed, renamed and added. Each
input is compiled the way the command line does it, under a randomly chosen target: loaded,
built, resolved, lowered, validated, emitted, its diagnostics rendered in every format.

Clean diagnostics and valid output are the only acceptable outcomes. A crash is any exception
escaping, output that fails validation or is over a Kubernetes size limit, output that differs
when compiled again, or an error diagnostic pointing outside the input. Each new crash (one per
place in the code) is saved to `--crashes` and printed with its traceback; the exit code is 1 if
any was found.

The run is deterministic for a seed: the same inputs in the same order (a time bound only
decides how many of them are tried). Pure Python on purpose: it runs on every platform and
Python version CI uses, with no native fuzzing engine to install.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeflare_compile.backends import GANGS, QUEUEINGS

if TYPE_CHECKING:
    from codeflare_compile.ir import Overrides

#: Values that have broken parsers and compilers before.
HOSTILE_VALUES: tuple[Any, ...] = (
    0, -1, 1, 2**31, 2**63, 10**100, int("9" * 50), 1.5, -0.0, 1e400, float("nan"), True,
    None, "", " ", "0", "-", "--", "~", "null", "yes", "0x1F", "0o17", "1e3", "1_000", ".inf",
    "1\n", "4Gi\n", "name\n", " lead", "trail ", "A\n",
    "a" * 64, "A" * 300, "x" * 5000, "Upper", "under_score", "trailing-", "-leading",
    "dots.in.name", "a/b", "../../etc/passwd", "/", "/workspace", "/dev/shm", "C:\\x",
    "$HOME", "$(id)", "`id`", "a;b", "a && b", "'", '"', "\\", "a\nb", "a\r\nb", "\t",
    "a\x00b", "\x1b[2J", "\x7f", "\u202e", "\u2028", "\x85", "\ufeff", "\ud7ff", "😀",
    "0s", "99999999999h", "1h30m", "sha256:" + "0" * 64, "latest", "python:3.12",
    "https://github.com/org/repo/tree/main/sub", "git@github.com:o/r.git", "*", "&a", "*a",
    "<<", "!!binary", "%YAML", "{}", "[]", [], {}, [None], {"": ""}, {"a": {"b": {"c": 1}}},
    ["x"] * 50, "xxs", "xxl", "ray", "torch", "shell", "workqueue", "workflow", "low", "high",
    "mount", "env", "s3", "nfs", "pvc", "appwrapper", "mcad", "kueue", "none", "fluentbit",
)
#: Raw text that has broken YAML readers before.
HOSTILE_TEXT: tuple[bytes, ...] = (
    b"\t", b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"---\n", b"...\n", b"%YAML 1.1\n",
    b"&a ", b"*a", b"<<: *a\n", b"!!python/object:os.system ", b"? ", b": ", b"- ", b"[", b"{",
    b"]", b"}", b"'", b'"', b"|\n", b">-\n", b"#", b"\r", b"\r\n", b"\x85", b"\xe2\x80\xa8",
    b"\\", b"\\x", b"\\u12", b"9" * 400, b"[" * 200, b"{a: " * 120, b"a: &a [*a]\n",
)
#: Keys of the input API (and some near misses), for fields added or renamed.
KEYS: tuple[str, ...] = (
    "apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec",
    "api", "image", "command", "options", "repo", "repoSecret", "code", "source",
    "requirements", "env", "secretKeyRef", "key", "minSize", "supportsGpu", "inputs",
    "dataset", "sizes", "useAs", "mountPath", "expose", "securityContext", "runAsUser",
    "tasks", "sweep", "min", "max", "step", "steps", "application", "dependsOn", "size",
    "workers", "priority", "queue", "timeout", "s3", "endpoint", "bucket", "prefix",
    "region", "secretRef", "nfs", "server", "path", "pvc", "claimName", "readOnly",
    "namespaces", "config", "cpu", "memory", "gpu", "digest", "pullSecrets", "queueing",
    "gangScheduling", "schedulerName", "datasets", "datashimGroup", "torchBackend",
    "logging", "kubernetesVersion", "defaultNamespace", "defaultSize", "priorityClasses",
    "workloadPriorityClasses", "fluentBit", "imagePullSecrets", "gitImage", "imag", "wokers",
    "privileged", "hostPath", "<<",
)
#: The target settings each input is compiled under, one chosen at random (None: the default);
#: every queueing target and gang scheduler in the registry.
TARGETS: dict[str, tuple[str | None, ...]] = {
    "queueing": (None, *QUEUEINGS),
    "gang": (None, *GANGS),
    "datasets": (None, "datashim", "native"),
    "torch_backend": (None, "job", "pytorchjob"),
    "logging": (None, "none", "fluentbit"),
    "kube_version": (None, "1.28", "1.29", "1.33"),
    "namespace": (None, "team-a"),
}


# ------------------------------------------------------------------------------ the target


@dataclass(frozen=True)
class Crash:
    """What went wrong, and a signature: where in the code, so each is kept once."""

    signature: str
    report: str


def _overrides(target: dict[str, str | None]) -> Overrides:
    """The target's settings as the command line gives them."""
    from codeflare_compile.ir import Overrides
    from codeflare_compile.kubeversion import parse

    version = target.get("kube_version")
    return Overrides(**{**target,
                        "kube_version": parse(version) if version else None})


def compile_once(data: bytes, folder: Path, target: dict[str, str | None],
                 crds: Any = None, twice: bool = False) -> Crash | None:
    """Compile `data` as the only input file, as the command line would; None when the outcome
    is clean diagnostics or valid output."""
    from codeflare_compile import validate
    from codeflare_compile.codes import Severity
    from codeflare_compile.emit.yaml import dump_json_list, dump_yaml_stream
    from codeflare_compile.emitted import oversized
    from codeflare_compile.pipeline import compile_paths
    from codeflare_compile.report import render_all

    path = folder / "input.yaml"
    path.write_bytes(data)
    try:
        result = compile_paths([str(path)], [], _overrides(target))
        diagnostics = result.diagnostics.sorted()
        render_all(diagnostics, result.sources.lines)
        _render_other_formats(diagnostics, result.sources.lines, folder)
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        if errors:
            return _outside(errors, str(path), data)
        wanted = result.program.target.kube_version
        version = str(wanted) if wanted else validate.default_kube_version()
        failures = validate.validate_objects(result.objects, kube_version=version, crds=crds)
        if failures:
            return Crash("invalid-output:" + failures[0].path, "the output failed validation:\n"
                         + "\n".join(f"  {f.subject}: {f.path}: {f.message}" for f in failures))
        for obj in result.objects:
            for limit, inner, size in oversized(obj):
                return Crash(f"over-limit:{limit}", f"{inner.get('kind')} "
                             f"'{inner.get('metadata', {}).get('name')}' is over the {limit} "
                             f"size limit ({size:,} bytes) without a diagnostic")
        text = dump_yaml_stream(result.objects)
        dump_json_list(result.objects)
        if twice:
            again = compile_paths([str(path)], [], _overrides(target))
            if dump_yaml_stream(again.objects) != text:
                return Crash("nondeterministic", "compiling twice gave different output")
    except validate.UnsupportedKubeVersion:
        return None  # a Platform naming a version the validator lacks: a usage error (exit 2)
    except Exception as exc:  # anything escaping is the finding
        return Crash(_signature(exc), traceback.format_exc())
    return None


def _render_other_formats(diagnostics: Sequence[Any], lines: dict[str, list[str]],
                          folder: Path) -> None:
    from codeflare_compile import report

    render = getattr(report, "render", None)
    if render is None:
        return
    for fmt in ("json", "github", "sarif"):
        render(diagnostics, lines, fmt, cwd=folder)


def _outside(errors: Sequence[Any], file: str, data: bytes) -> Crash | None:
    """An error diagnostic must point at a place in the input (or have no place at all): a
    line as YAML 1.2 counts them (ended by LF, CR or CRLF), or one past the last line for what
    is missing at the end."""
    from codeflare_compile.source import source_lines

    lines = [*source_lines(data.decode("utf-8", "replace")), ""]
    for d in errors:
        span = d.span
        if span is None:
            continue
        ok = span.file == file and 1 <= span.line <= len(lines) and span.col >= 1
        if ok:
            ok = span.col <= len(lines[span.line - 1]) + 1
        if not ok:
            return Crash(f"outside:{d.code.value}", f"{d.code.value} points outside the input: "
                         f"{span} ({len(lines)} lines): {d.message}")
    return None


def _signature(exc: BaseException) -> str:
    """The exception type and the innermost frame in the compiler's own code."""
    where = "?"
    for frame in traceback.extract_tb(exc.__traceback__):
        if "codeflare_compile" in frame.filename and not frame.filename.endswith("fuzz.py"):
            where = f"{Path(frame.filename).name}:{frame.lineno}"
    return f"{type(exc).__name__}@{where}"


# ------------------------------------------------------------------------------ mutation


@dataclass
class Mutator:
    rng: random.Random
    corpus: list[bytes]
    #: How each mutation was chosen: (name, weight, function)
    operators: list[tuple[str, int, Callable[[bytes], bytes]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.operators = [
            ("structure", 12, self.structure), ("flip", 2, self.flip),
            ("insert-text", 3, self.insert_text), ("delete", 2, self.delete),
            ("duplicate", 1, self.duplicate), ("splice", 2, self.splice),
            ("lines", 4, self.lines), ("random", 1, self.random_bytes),
        ]

    def mutate(self, data: bytes) -> bytes:
        for _ in range(self.rng.choice((1, 1, 1, 2, 2, 3, 4))):
            _, _, operator = self.rng.choices(
                self.operators, weights=[w for _, w, _ in self.operators])[0]
            with contextlib.suppress(RecursionError):  # too deep to walk: keep it as it is
                data = operator(data)
        return data[: 256 * 1024]

    # bytes -----------------------------------------------------------------------------

    def flip(self, data: bytes) -> bytes:
        if not data:
            return bytes([self.rng.randrange(256)])
        out = bytearray(data)
        for _ in range(self.rng.randint(1, 4)):
            i = self.rng.randrange(len(out))
            out[i] = out[i] ^ (1 << self.rng.randrange(8)) if self.rng.random() < 0.5 \
                else self.rng.randrange(256)
        return bytes(out)

    def insert_text(self, data: bytes) -> bytes:
        i = self.rng.randint(0, len(data))
        return data[:i] + self.rng.choice(HOSTILE_TEXT) + data[i:]

    def delete(self, data: bytes) -> bytes:
        if not data:
            return data
        i = self.rng.randrange(len(data))
        return data[:i] + data[i + self.rng.randint(1, 64):]

    def duplicate(self, data: bytes) -> bytes:
        if not data:
            return data
        i = self.rng.randrange(len(data))
        j = min(len(data), i + self.rng.randint(1, 400))
        return data[:j] + data[i:j] * self.rng.randint(1, 8) + data[j:]

    def splice(self, data: bytes) -> bytes:
        other = self.rng.choice(self.corpus)
        i, j = self.rng.randint(0, len(data)), self.rng.randint(0, len(other))
        return data[:i] + other[j:]

    def random_bytes(self, data: bytes) -> bytes:
        return bytes(self.rng.randrange(256) for _ in range(self.rng.randint(0, 200)))

    # lines -----------------------------------------------------------------------------

    def lines(self, data: bytes) -> bytes:
        lines = data.split(b"\n")
        if len(lines) < 2:
            return data
        i, j = self.rng.randrange(len(lines)), self.rng.randrange(len(lines))
        action = self.rng.randrange(5)
        if action == 0:
            del lines[i]
        elif action == 1:
            lines.insert(j, lines[i])
        elif action == 2:
            lines[i], lines[j] = lines[j], lines[i]
        elif action == 3:
            lines[i] = b" " * self.rng.choice((1, 2, 4)) + lines[i]
        else:
            lines[i] = lines[i].lstrip(b" ")
        return b"\n".join(lines)

    # structure -------------------------------------------------------------------------

    def structure(self, data: bytes) -> bytes:
        """Parse the documents, change one place, write them back (as YAML or as JSON)."""
        import yaml

        try:
            docs = [d for d in yaml.safe_load_all(data.decode("utf-8")) if d is not None]
        except (UnicodeDecodeError, yaml.YAMLError, ValueError, RecursionError):
            return self.flip(data)
        if not docs:
            return data
        for _ in range(self.rng.randint(1, 3)):
            self._change(docs)
        if self.rng.random() < 0.2:
            return "".join("---\n" + json.dumps(d, default=str) + "\n"
                           for d in docs).encode()
        try:
            text: str = yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True)
            return text.encode()
        except (yaml.YAMLError, ValueError, RecursionError):
            return data

    def _change(self, docs: list[Any]) -> None:
        places = list(_places(docs))
        if not places:
            return
        parent, key = self.rng.choice(places)
        action = self.rng.randrange(7)
        if action <= 2:
            parent[key] = self._value()
        elif action == 3 and isinstance(parent, dict):
            del parent[key]
        elif action == 4 and isinstance(parent, dict):
            parent[self.rng.choice(KEYS)] = parent.pop(key)
        elif action == 5:
            container = parent[key] if isinstance(parent[key], dict | list) else parent
            if isinstance(container, dict):
                container[self.rng.choice(KEYS)] = self._value()
            else:
                container.append(self._value())
        else:
            parent[key] = _get(self.rng.choice(places))  # a value from elsewhere

    def _value(self) -> Any:
        value = self.rng.choice(HOSTILE_VALUES)
        if isinstance(value, dict | list):
            return json.loads(json.dumps(value))  # a fresh copy
        return value


def _places(node: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key or index) of every value in the documents."""
    if isinstance(node, dict):
        for key in list(node):
            yield node, key
            yield from _places(node[key])
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield node, i
            yield from _places(value)


def _get(place: tuple[Any, Any]) -> Any:
    value = place[0][place[1]]
    return json.loads(json.dumps(value, default=str))


# ------------------------------------------------------------------------------ the loop


def seed_corpus(paths: Sequence[Path]) -> list[bytes]:
    """Each folder of inputs as one stream (so references resolve), and each file alone."""
    corpus: list[bytes] = []
    for root in paths:
        if root.is_file():
            corpus.append(root.read_bytes())
            continue
        folders = sorted({f.parent for f in root.rglob("*.y*ml")})
        for folder in folders:
            files = sorted(folder.glob("*.y*ml"))
            corpus.append(b"\n---\n".join(f.read_bytes() for f in files))
            corpus += [f.read_bytes() for f in files]
    return corpus or [b"apiVersion: codeflare.dev/v1alpha1\nkind: Run\n"]


def default_corpus() -> list[Path]:
    repo = Path(__file__).resolve().parents[1]
    return [p for p in (repo / "tests" / "golden", repo / "archetypes",
                        repo / "tests" / "fuzz_crashes") if p.exists()]


def fuzz(corpus: list[bytes], *, seed: int, seconds: float | None, iterations: int | None,
         crashes: Path, crds: Any = None, log: Any = sys.stderr) -> int:
    """Run until the time or the iterations are spent; the number of new crashes found."""
    rng = random.Random(seed)
    mutator = Mutator(rng, corpus)
    seen: set[str] = set()
    deadline = time.monotonic() + seconds if seconds is not None else None
    count = 0
    with tempfile.TemporaryDirectory(prefix="codeflare-fuzz-") as tmp:
        folder = Path(tmp)
        while True:
            if iterations is not None and count >= iterations:
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
            count += 1
            base = corpus[count - 1] if count <= len(corpus) else rng.choice(corpus)
            data = base if count <= len(corpus) else mutator.mutate(base)
            target = {k: rng.choice(v) for k, v in TARGETS.items()}
            crash = compile_once(data, folder, target, crds, twice=rng.random() < 0.1)
            if crash is None or crash.signature in seen:
                continue
            seen.add(crash.signature)
            saved = _save(crashes, data, target)
            log.write(f"fuzz: crash {crash.signature} (target {json.dumps(target)}), "
                      f"input saved as {saved}\n{crash.report}\n")
    log.write(f"fuzz: {count} inputs, seed {seed}: {len(seen)} crash(es)\n")
    return len(seen)


def _save(folder: Path, data: bytes, target: dict[str, str | None]) -> Path:
    """The input as `crash-<hash>.yaml`, and the target it was compiled for beside it (the
    command-line overrides, as `crash-<hash>.json`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"crash-{hashlib.sha1(data).hexdigest()[:12]}.yaml"
    path.write_bytes(data)
    chosen = {k: v for k, v in target.items() if v is not None}
    path.with_suffix(".json").write_text(json.dumps(chosen, sort_keys=True) + "\n")
    return path


def target_of(crash: Path) -> dict[str, str | None]:
    """The target a saved crash input was compiled for (none recorded: the defaults)."""
    sidecar = crash.with_suffix(".json")
    chosen = json.loads(sidecar.read_text()) if sidecar.exists() else {}
    return {key: chosen.get(key) for key in TARGETS}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codeflare_compile.fuzz",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop after this long (default 60, unless --iterations is given)")
    parser.add_argument("--iterations", type=int, default=None, help="stop after this many "
                        "inputs (the seed corpus first, then mutations)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random choices")
    parser.add_argument("--corpus", type=Path, action="append", default=None,
                        help="seed inputs: files, or folders of *.yaml (default: the golden "
                             "tests, the archetype examples and tests/fuzz_crashes)")
    parser.add_argument("--crashes", type=Path, default=Path("tests") / "fuzz_crashes",
                        help="where to save inputs that crash (default: tests/fuzz_crashes)")
    parser.add_argument("--crds", type=Path, action="append", default=None,
                        help="CRDs to validate custom resources with, instead of the bundled "
                             "ones for the kinds they define")
    args = parser.parse_args(argv)
    seconds = args.seconds if args.seconds is not None or args.iterations is not None else 60.0
    corpus = seed_corpus(args.corpus or default_corpus())
    crds = None
    if args.crds:
        from codeflare_compile import validate

        crds = validate.load_crds(args.crds)
    found = fuzz(corpus, seed=args.seed, seconds=seconds, iterations=args.iterations,
                 crashes=args.crashes, crds=crds)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
