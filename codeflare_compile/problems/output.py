"""What the output must be for its readers: command lines that stay whole, objects within
Kubernetes' size limits, no object emitted twice, not empty (CF304, CF430, CF431, CF601)."""

from __future__ import annotations

from codeflare_compile.codes import Code
from codeflare_compile.diagnostics import Diagnostic, Note, Span


def command_line_split(what: str, problem: str, follows: str, span: Span) -> Diagnostic:
    """`what` ("`command`") has `problem`, and `follows` ("the options") is appended to it."""
    return Diagnostic(Code.COMMAND_LINE_SPLIT, f"{what} {problem}: {follows} appended to it "
                      "would not reach its program as arguments", span,
                      "end the text with its last argument (a comment may follow it); a longer "
                      "script goes into a `code` file")


def object_too_large(what: str, size: int, limit: int, workflow: bool, span: Span,
                     largest: tuple[int, bool] | None) -> Diagnostic:
    """`largest`: the bytes of the ConfigMaps that weigh most in it, and whether they hold
    tasks (else code files); None when it carries none."""
    cause = "" if largest is None else (
        f" ({largest[0]:,} of them {'tasks' if largest[1] else 'code files'})")
    way_out = ("split the workflow's steps over several workflow Runs, or give its steps fewer "
               "or smaller tasks" if workflow else
               "queue with --queueing kueue or none (the workload and its ConfigMaps are then "
               "separate objects), or split the tasks over several Runs")
    return Diagnostic(Code.OVER_SIZE_LIMIT, f"{what} takes {size:,} bytes{cause}, more than the "
                      f"{limit:,} (1.5 MiB) etcd stores in one object", span,
                      f"{way_out}; move code files to a `repo`")


def annotations_too_large(what: str, size: int, limit: int, span: Span,
                          merged: Span | None) -> Diagnostic:
    """`merged`: the Application's annotations, when the Run's own are merged with them."""
    return Diagnostic(Code.OVER_SIZE_LIMIT, f"the annotations of {what} take {size:,} bytes "
                      "after merging the Application's, the Run's and the compiler's, more than "
                      f"the {limit:,} (256 KiB) Kubernetes allows", span,
                      "shorten the annotations of the Application or the Run; put large values "
                      "in a ConfigMap of your own and annotate its name",
                      (Note(merged, "the Application's annotations are merged in"),) if merged
                      else ())


def config_map_too_large(what: str, size: int, limit: int, tasks: bool, span: Span
                         ) -> Diagnostic:
    """`tasks`: the ConfigMap holds tasks (else code files)."""
    return Diagnostic(Code.OVER_SIZE_LIMIT, f"{what} holds {size:,} bytes of data, more than "
                      f"the {limit:,} (1 MiB) Kubernetes allows in a ConfigMap", span,
                      "pass large inputs as a dataset" if tasks else
                      "move the code files to a `repo`, or large data files to a dataset")


def object_collision(run: str, kind: str, name: str, api_version: str, namespace: str,
                     span: Span, other: tuple[str, Span] | None) -> Diagnostic:
    """`other`: the other Run that emits the object, and its name; None when the Run emits it
    twice itself."""
    who = "another of its objects" if other is None else f"Run '{other[0]}'"
    return Diagnostic(Code.OBJECT_COLLISION, f"Run '{run}' emits {kind} '{name}' ({api_version}) "
                      f"in namespace '{namespace}', as does {who}: one would overwrite the other",
                      span, "rename one of the Runs",
                      () if other is None else (Note(other[1], f"Run '{other[0]}' is here"),))


def empty_output(no_run: bool) -> Diagnostic:
    """`no_run`: the inputs define no Run at all (else no Run produced objects)."""
    return Diagnostic(Code.EMPTY_OUTPUT, "no Run found: the output would be empty" if no_run
                      else "the output is empty", None, "pass the files or folders holding "
                      "your Runs (-I paths only supply definitions), or --allow-empty")
