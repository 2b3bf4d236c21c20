"""Code: where a Run's program comes from, and the working directory it runs in.

`repo` (`https://host/org/repo[/tree/<branch>/<subdir>]`) is cloned into the shared working
directory before the command starts; `code` files are placed there. The branch is the first path
segment after `/tree/`; the rest is the subfolder to run in.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from codeflare_compile.api import Application
from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.ir import CodeSource, Program, Resource, RunPlan
from codeflare_compile.podlayout import CLONE_DIR, WORKSPACE
from codeflare_compile.problems.policy import (
    code_file_outside,
    code_file_twice,
    credentials_in_repo,
    not_a_repo_url,
    subfolder_leaves_repo,
)
from codeflare_compile.redact import has_credentials

_REPO = re.compile(
    r"^(?P<base>https://[^/\s@]+/[^/\s]+/[^/\s]+?)(\.git)?"
    r"(/tree/(?P<branch>[^/\s]+)(/(?P<subdir>\S*?))?)?/?$")


def code(plans: list[RunPlan], program: Program, diags: Diagnostics) -> list[RunPlan]:
    out = []
    for plan in plans:
        spec = plan.app.model.spec
        if spec.repo is None and not spec.code:
            out.append(plan)
            continue
        source = source_of(plan.app, diags)
        if source is not None:
            out.append(replace(plan, code=source))
    return out


def source_of(app: Resource[Application], diags: Diagnostics) -> CodeSource | None:
    """Where the Application's code comes from; a bad `repo` or `code` entry is reported."""
    spec = app.model.spec
    clone_url = branch = subdir = None
    workdir = WORKSPACE
    if spec.repo is not None:
        if has_credentials(spec.repo):  # never quoted back: the URL holds a password or token
            diags.add(credentials_in_repo(app.span("spec", "repo")))
            return None
        match = _REPO.match(spec.repo)
        if match is None:
            diags.add(not_a_repo_url(spec.repo, app.span("spec", "repo")))
            return None
        clone_url = f"{match['base']}.git"
        branch = match["branch"]
        subdir = posixpath.normpath(match["subdir"] or ".").strip("/")
        if subdir == ".." or subdir.startswith("../"):  # the working directory and the
            # mounts under it would leave the clone (`/workspace/src/../../etc`)
            diags.add(subfolder_leaves_repo(match["subdir"], app.span("spec", "repo")))
            return None
        subdir = None if subdir == "." else subdir
        workdir = posixpath.join(CLONE_DIR, subdir) if subdir else CLONE_DIR
    files: list[tuple[str, str]] = []
    for i, item in enumerate(spec.code):
        name = posixpath.normpath(item.name) if item.name else ""
        if not name or name.startswith(("/", "..")) or name == ".":
            diags.add(code_file_outside(item.name, app.span("spec", "code", i, "name")))
            return None
        if any(name == other for other, _ in files):
            diags.add(code_file_twice(name, app.span("spec", "code", i, "name")))
            return None
        files.append((name, item.source))
    return CodeSource(clone_url, branch, subdir, spec.repo_secret, tuple(files), workdir)
