"""The fuzzer (`python -m codeflare_compile.fuzz`) and the inputs it ever found crashing.

Every saved crash input compiles cleanly now (tests/fuzz_crashes/README.md says what each one
broke); the fuzzer itself finds and saves a crash, is deterministic for a seed, and a short run
from the seed corpus is clean.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import pytest

from codeflare_compile import fuzz
from codeflare_compile.settings import BY_NAME
from tests.helpers import REPO, run_cli

CRASHES = sorted((REPO / "tests" / "fuzz_crashes").glob("*.yaml"))


def test_there_are_saved_crashes() -> None:
    assert len(CRASHES) >= 4


@pytest.mark.parametrize("crash", CRASHES, ids=lambda p: p.stem)
def test_saved_crash_input_compiles_cleanly(crash: Path, tmp_path: Path) -> None:
    target = fuzz.target_of(crash)
    assert fuzz.compile_once(crash.read_bytes(), tmp_path, target, twice=True) is None
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "input.yaml").write_bytes(crash.read_bytes())
    flags = [arg for key, value in target.items() if value is not None
             for arg in (BY_NAME[key].flag, value)]
    out = run_cli("compile", "input.yaml", *flags, cwd=tmp_path / "cli")
    assert out.exit_code in (0, 1), out.stderr
    assert "Traceback" not in out.stderr and "internal error" not in out.stderr


def test_the_fuzzer_finds_and_saves_a_crash(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from codeflare_compile import lower

    def broken(plan: Any, target: Any) -> Any:
        raise KeyError("planted")

    monkeypatch.setitem(lower.LOWERINGS, "shell", broken)
    seed = (b"apiVersion: codeflare.dev/v1alpha1\nkind: Application\nmetadata: {name: a}\n"
            b"spec: {api: shell, image: 'python:3.12', command: echo}\n---\n"
            b"apiVersion: codeflare.dev/v1alpha1\nkind: Run\nmetadata: {name: r}\n"
            b"spec: {application: a}\n")
    log = io.StringIO()
    found = fuzz.fuzz([seed], seed=3, seconds=None, iterations=5, crashes=tmp_path, log=log)
    assert found == 1  # one place in the code, however often it is reached
    (saved,) = tmp_path.glob("crash-*.yaml")
    assert saved.read_bytes() == seed  # the seed corpus is tried first, unmutated
    assert saved.with_suffix(".json").exists()
    assert "fuzz: crash KeyError@" in log.getvalue()
    assert "KeyError: 'planted'" in log.getvalue()


def test_the_fuzzer_is_deterministic_for_a_seed() -> None:
    corpus = fuzz.seed_corpus([REPO / "archetypes" / "shell" / "example" / "input"])

    def inputs(seed: int) -> list[bytes]:
        import random

        mutator = fuzz.Mutator(random.Random(seed), corpus)
        return [mutator.mutate(corpus[i % len(corpus)]) for i in range(30)]

    assert inputs(11) == inputs(11)
    assert inputs(11) != inputs(12)


def test_a_short_fuzz_run_is_clean() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        code = fuzz.main(["--iterations", "150", "--seed", "1", "--crashes", tmp])
        assert code == 0
        assert list(Path(tmp).iterdir()) == []
