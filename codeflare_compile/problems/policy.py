"""Problems the policy passes find: sizes, datasets, code sources, priorities, images, GPUs
(CF305, CF401 to CF409, CF503, CF510)."""

from __future__ import annotations

from collections.abc import Sequence

from codeflare_compile.codes import Code
from codeflare_compile.diagnostics import Diagnostic, Note, Span


def ambiguous_size_policy(chosen: str, other: str, namespace: str, priority: int, span: Span,
                          other_span: Span) -> Diagnostic:
    return Diagnostic(Code.AMBIGUOUS_SIZE_POLICY, f"RunSizeConfigurations '{chosen}' and "
                      f"'{other}' both apply to namespace '{namespace}' with priority "
                      f"{priority}", span, "give them different priorities (the lowest number "
                      "wins)", (Note(other_span, "the other one"),))


def size_not_configured(size: str, config: str, defined: Sequence[str], namespace: str,
                        span: Span, config_span: Span) -> Diagnostic:
    return Diagnostic(Code.SIZE_NOT_CONFIGURED, f"size '{size}' is not in RunSizeConfiguration "
                      f"'{config}'", span, f"'{config}' defines: {', '.join(defined)}; add "
                      f"'{size}' there or choose one of those",
                      (Note(config_span, f"'{config}' applies to namespace '{namespace}'"),))


def gpu_refused_by_application(run: str, app: str, span: Span, app_span: Span,
                               app_sets_it: bool) -> Diagnostic:
    """`app_sets_it`: the Application says supportsGpu: false (else it leaves it out)."""
    return Diagnostic(Code.GPU_REFUSED, f"Run '{run}' asks for GPUs (supportsGpu: true), but "
                      f"its Application '{app}' does not allow them: its pods get no GPU", span,
                      f"set supportsGpu: true on Application '{app}' if it can use GPUs; "
                      "otherwise remove supportsGpu from the Run",
                      (Note(app_span, f"Application '{app}' " + (
                          "sets supportsGpu: false" if app_sets_it
                          else "does not set supportsGpu (false by default)")),))


def gpu_refused_by_size(run: str, size: str, config: str | None, span: Span,
                        config_span: Span | None) -> Diagnostic:
    """`config`: the RunSizeConfiguration that gives the size; None for the built-in table."""
    where = f"RunSizeConfiguration '{config}'" if config else "the built-in size table"
    return Diagnostic(Code.GPU_REFUSED, f"Run '{run}' asks for GPUs (supportsGpu: true), but "
                      f"size '{size}' of {where} gives no GPU", span,
                      "choose a size whose gpu is 1 or more"
                      + ("" if config else " (xs and larger in the built-in table)"),
                      (Note(config_span, f"'{config}' is here"),) if config and config_span
                      else ())


def no_variant_for_size(size: str, run: str, sizes: Sequence[str], span: Span) -> Diagnostic:
    return Diagnostic(Code.NO_VARIANT_FOR_SIZE, f"input has no DataSet for size '{size}' "
                      f"(Run '{run}')", span,
                      f"add '{size}: <DataSet>' under sizes; it has {', '.join(sizes)}")


def mount_path_clash(first: str, second: str, path: str, span: Span, first_span: Span
                     ) -> Diagnostic:
    return Diagnostic(Code.MOUNT_PATH_CLASH, f"DataSets '{first}' and '{second}' are both "
                      f"mounted at {path}", span, "give one of them another mountPath",
                      (Note(first_span, f"'{first}' is mounted here"),))


def env_needs_s3(dataset: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.ENV_NEEDS_S3, f"DataSet '{dataset}' is not s3: only s3 DataSets can "
                      "be read as environment", span, "remove useAs: env to mount it")


def no_env_name(dataset: str, prefix: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.NO_ENV_NAME, f"DataSet '{dataset}' cannot prefix environment "
                      f"variables ('{prefix}_…' is not a valid name)", span,
                      "rename the DataSet to start with a letter, or use useAs: mount")


def credentials_in_repo(span: Span) -> Diagnostic:
    """Never quotes the URL back: it holds a password or a token."""
    return Diagnostic(Code.BAD_REPO, "the repository URL holds credentials (user:password@host, "
                      "or a token in the query), which would be written into the output", span,
                      "remove them from the URL; put them in a Secret (keys username and "
                      "password) and name it in repoSecret")


def not_a_repo_url(repo: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.BAD_REPO, f"'{repo}' is not a repository URL this compiler can "
                      "clone", span, "write https://host/org/repo, optionally followed by "
                      "/tree/<branch>/<subfolder>")


def subfolder_leaves_repo(subfolder: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.BAD_REPO, f"the subfolder '{subfolder}' of the repository URL leaves "
                      "the repository", span, "name a folder inside the repository, without "
                      "'..'")


def code_file_outside(name: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.BAD_CODE_FILE, f"code file name '{name}' is not a relative path "
                      "inside the working directory", span,
                      "use a name such as main.py or pkg/util.py")


def code_file_twice(name: str, span: Span) -> Diagnostic:
    return Diagnostic(Code.BAD_CODE_FILE, f"code file '{name}' is given twice", span,
                      "remove one of them")


def no_priority_class(level: str, span: Span, platform: Span | None) -> Diagnostic:
    """`platform`: the spec of the Platform that maps none to `level`; None when there is no
    Platform."""
    if platform is None:
        return Diagnostic(Code.NO_PRIORITY_CLASS, f"priority '{level}' needs a PriorityClass, "
                          "and no Platform maps priorities to PriorityClasses", span,
                          "add a Platform with spec.priorityClasses: {" + level + ": "
                          "<PriorityClass name>} to the inputs (or -I it), or remove priority")
    return Diagnostic(Code.NO_PRIORITY_CLASS, f"priority '{level}' needs a PriorityClass, and "
                      f"the Platform in {platform.file} maps none to '{level}'", span,
                      f"add spec.priorityClasses.{level}: <PriorityClass name> to the Platform",
                      (Note(platform, "the Platform is here"),))


def unpinned_image(ref: str, tagless: bool, span: Span) -> Diagnostic:
    return Diagnostic(Code.UNPINNED_IMAGE, f"image '{ref}' is "
                      f"{'tagless' if tagless else 'tagged latest'}: every pull may get another "
                      "image", span, "use a fixed tag, or an Image with a digest")
