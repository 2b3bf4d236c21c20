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
from codeflare_compile.diagnostics import Code, Diagnostics
from codeflare_compile.ir import CodeSource, Program, Resource, RunPlan
from codeflare_compile.podlayout import CLONE_DIR, WORKSPACE
from codeflare_compile.redact import has_credentials

#: The message of a `repo` with credentials in it (the pipeline hides them in the excerpt).
CREDENTIALS_IN_URL = ("the repository URL holds credentials (user:password@host, or a token "
                      "in the query), which would be written into the output")
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
            diags.error(Code.BAD_REPO, CREDENTIALS_IN_URL, app.span("spec", "repo"),
                        help="remove them from the URL; put them in a Secret (keys username "
                             "and password) and name it in repoSecret")
            return None
        match = _REPO.match(spec.repo)
        if match is None:
            diags.error(Code.BAD_REPO, f"'{spec.repo}' is not a repository URL this compiler "
                        "can clone", app.span("spec", "repo"),
                        help="write https://host/org/repo, optionally followed by "
                             "/tree/<branch>/<subfolder>")
            return None
        clone_url = f"{match['base']}.git"
        branch = match["branch"]
        subdir = posixpath.normpath(match["subdir"] or ".").strip("/")
        if subdir == ".." or subdir.startswith("../"):  # the working directory and the
            # mounts under it would leave the clone (`/workspace/src/../../etc`)
            diags.error(Code.BAD_REPO, f"the subfolder '{match['subdir']}' of the repository "
                        "URL leaves the repository", app.span("spec", "repo"),
                        help="name a folder inside the repository, without '..'")
            return None
        subdir = None if subdir == "." else subdir
        workdir = posixpath.join(CLONE_DIR, subdir) if subdir else CLONE_DIR
    files: list[tuple[str, str]] = []
    for i, item in enumerate(spec.code):
        name = posixpath.normpath(item.name) if item.name else ""
        if not name or name.startswith(("/", "..")) or name == ".":
            diags.error(Code.BAD_CODE_FILE, f"code file name '{item.name}' is not a relative "
                        "path inside the working directory", app.span("spec", "code", i,
                                                                            "name"),
                        help="use a name such as main.py or pkg/util.py")
            return None
        if any(name == other for other, _ in files):
            diags.error(Code.BAD_CODE_FILE, f"code file '{name}' is given twice",
                        app.span("spec", "code", i, "name"), help="remove one of them")
            return None
        files.append((name, item.source))
    return CodeSource(clone_url, branch, subdir, spec.repo_secret, tuple(files), workdir)
