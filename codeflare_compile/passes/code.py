"""Code: where a Run's program comes from, and the working directory it runs in.

`repo` (`https://host/org/repo[/tree/<branch>/<subdir>]`) is cloned into the shared working
directory before the command starts; `code` files are placed there. The branch is the first path
segment after `/tree/`; the rest is the subfolder to run in.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from codeflare_compile.diagnostics import Code, Diagnostics
from codeflare_compile.ir import CodeSource, Program, RunPlan

WORKSPACE = "/workspace"
CLONE_DIR = f"{WORKSPACE}/src"
_REPO = re.compile(
    r"^(?P<base>https?://[^/\s]+/[^/\s]+/[^/\s]+?)(\.git)?"
    r"(/tree/(?P<branch>[^/\s]+)(/(?P<subdir>\S*?))?)?/?$")


def code(plans: list[RunPlan], program: Program, diags: Diagnostics) -> list[RunPlan]:
    out = []
    for plan in plans:
        spec = plan.app.model.spec
        if spec.repo is None and not spec.code:
            out.append(plan)
            continue
        source = _source(plan, diags)
        if source is not None:
            out.append(replace(plan, code=source))
    return out


def _source(plan: RunPlan, diags: Diagnostics) -> CodeSource | None:
    spec = plan.app.model.spec
    clone_url = branch = subdir = None
    workdir = WORKSPACE
    if spec.repo is not None:
        match = _REPO.match(spec.repo)
        if match is None:
            diags.error(Code.BAD_REPO, f"'{spec.repo}' is not a repository URL this compiler "
                        "can clone", plan.app.span("spec", "repo"),
                        help="write https://host/org/repo, optionally followed by "
                             "/tree/<branch>/<subfolder>")
            return None
        clone_url = f"{match['base']}.git"
        branch = match["branch"]
        subdir = (match["subdir"] or "").strip("/") or None
        workdir = posixpath.join(CLONE_DIR, subdir) if subdir else CLONE_DIR
    files: list[tuple[str, str]] = []
    for i, item in enumerate(spec.code):
        name = posixpath.normpath(item.name) if item.name else ""
        if not name or name.startswith(("/", "..")) or name == ".":
            diags.error(Code.BAD_CODE_FILE, f"code file name '{item.name}' is not a relative "
                        "path inside the working directory", plan.app.span("spec", "code", i,
                                                                            "name"),
                        help="use a name such as main.py or pkg/util.py")
            return None
        if any(name == other for other, _ in files):
            diags.error(Code.BAD_CODE_FILE, f"code file '{name}' is given twice",
                        plan.app.span("spec", "code", i, "name"), help="remove one of them")
            return None
        files.append((name, item.source))
    return CodeSource(clone_url, branch, subdir, spec.repo_secret, tuple(files), workdir)
