"""The documentation cannot rot: its examples compile, and its lists match the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from codeflare_compile.api.platform import PlatformSpec
from codeflare_compile.api.sizing import DEFAULT_SIZES
from codeflare_compile.cli import app
from tests.helpers import run_cli

REPO = Path(__file__).resolve().parents[1]
PAGES = sorted([*REPO.glob("docs/**/*.md"), *REPO.glob("archetypes/*/README.md"),
                REPO / "README.md"])
#: A fenced YAML block, indented or not (inside a list item).
_FENCE = re.compile(r"^( *)```yaml[^\n]*\n(.*?)^\1```", re.M | re.S)


def yaml_examples() -> list[tuple[str, str]]:
    """(page:line, text) of every ```yaml block of the docs and the archetype READMEs."""
    found = []
    for page in PAGES:
        text = page.read_text()
        for match in _FENCE.finditer(text):
            indent = len(match.group(1))
            body = "".join(line[indent:] for line in match.group(2).splitlines(keepends=True))
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{page.relative_to(REPO)}:{line}", body))
    return found


EXAMPLES = yaml_examples()


def _ours(document: object) -> bool:
    return isinstance(document, dict) and \
        str(document.get("apiVersion", "")).startswith("codeflare.dev/")


def test_the_docs_have_codeflare_examples() -> None:
    with_ours = [where for where, text in EXAMPLES if any(map(_ours, yaml.safe_load_all(text)))]
    assert any(w.startswith("docs/input-api.md") for w in with_ours)
    assert any(w.startswith("archetypes/workqueue/README.md") for w in with_ours)


@pytest.mark.parametrize(("where", "text"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_yaml_example_compiles(where: str, text: str, tmp_path: Path) -> None:
    """Every YAML example is YAML; its codeflare.dev documents (other tools' configuration is
    left out) compile cleanly, on their own: no error and no warning."""
    documents = list(yaml.safe_load_all(text))
    ours = [d for d in documents if _ours(d)]
    if not ours:
        return
    (tmp_path / "example.yaml").write_text(yaml.safe_dump_all(ours, sort_keys=False))
    out = run_cli("compile", "example.yaml", "--allow-empty", "--warnings-as-errors",
                  cwd=tmp_path)
    assert (out.exit_code, out.stderr) == (0, ""), f"{where}:\n{out.stderr}"


def test_built_in_size_table_is_written_down() -> None:
    page = (REPO / "docs" / "input-api.md").read_text()
    rows = {m.group(1): m.group(2, 3, 4, 5) for m in re.finditer(
        r"^\| `(\w+)` \| (\d+) \| `([^`]+)` \| `([^`]+)` \| (\d+) \|", page, re.M)}
    assert rows == {size: (str(p.workers), p.cpu, p.memory, str(p.gpu))
                    for size, p in DEFAULT_SIZES.items()}


def test_every_platform_field_is_listed() -> None:
    page = (REPO / "docs" / "input-api.md").read_text()
    section = page[page.index("## Platform"):]
    missing = [f.alias or name for name, f in PlatformSpec.model_fields.items()
               if f"`{f.alias or name}`" not in section]
    assert missing == []


def test_no_page_points_to_the_specification() -> None:
    """The docs stand alone: the specification the project was built from is not shipped."""
    assert [str(p.relative_to(REPO)) for p in PAGES if "SPEC" in p.read_text()] == []


def test_completion_page_names_every_command() -> None:
    page = (REPO / "docs" / "integrations" / "shell.md").read_text()
    names = [c.name for c in app.registered_commands if c.name and not c.hidden]
    assert names and [n for n in names if f"`{n}`" not in page] == []
