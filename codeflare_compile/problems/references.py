"""Problems between resources: what a reference names does not exist, or is invalid, or two
Runs' objects share names (CF216, CF301, CF304)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from codeflare_compile.codes import Code
from codeflare_compile.diagnostics import Diagnostic, Note, Span, suggestion


def unknown_application(run: str, name: str, namespace: str, available: Collection[str],
                        elsewhere: Sequence[str], run_has_namespace: bool, span: Span
                        ) -> Diagnostic:
    """`elsewhere`: "namespace/name" of the Applications of that name in other namespaces."""
    help_text = suggestion(name, available, f"Application in namespace '{namespace}'")
    if elsewhere and run_has_namespace:
        help_text = (f"an Application '{name}' exists as {', '.join(elsewhere)}: set "
                     "application: {name, namespace}")
    elif elsewhere:  # the likely slip: the Run's own namespace
        first = elsewhere[0].split("/", 1)[0]
        help_text = (f"an Application '{name}' exists as {', '.join(elsewhere)}; this Run "
                     f"has no metadata.namespace, so it is in '{namespace}': set "
                     f"metadata.namespace: {first} on the Run (or refer to the "
                     "Application with application: {name, namespace})")
    return Diagnostic(Code.UNKNOWN_REFERENCE, f"Run '{run}' refers to Application '{name}', "
                      f"which does not exist in namespace '{namespace}'", span, help_text)


def unknown_image(app: str, image: str, namespace: str, available: Collection[str], span: Span
                  ) -> Diagnostic:
    return Diagnostic(Code.UNKNOWN_REFERENCE, f"Application '{app}' refers to Image '{image}', "
                      f"which does not exist in namespace '{namespace}'", span,
                      suggestion(image, available, f"Image in '{namespace}'"))


def unknown_dataset(owner: str, name: str, namespace: str, available: Collection[str],
                    span: Span, elsewhere: Sequence[Span]) -> Diagnostic:
    """`owner`: "Application 'a'" or "Run 'r'"; `elsewhere`: DataSets of that name in other
    namespaces."""
    return Diagnostic(Code.UNKNOWN_REFERENCE, f"{owner} reads DataSet '{name}', which does not "
                      f"exist in namespace '{namespace}'", span,
                      suggestion(name, available, f"DataSet in '{namespace}'"),
                      tuple(Note(where, f"DataSet '{name}' is here") for where in elsewhere))


def unknown_step_application(step: str, application: str, namespace: str | None,
                             known: Collection[str], span: Span) -> Diagnostic:
    return Diagnostic(Code.UNKNOWN_REFERENCE, f"step '{step}' runs Application '{application}', "
                      f"which does not exist in namespace '{namespace}'", span,
                      suggestion(application, known, "Application"))


def uses_invalid_resource(user: str, kind: str, name: str, span: Span, where: Span) -> Diagnostic:
    """`user` ("Run 'r'") refers to `kind` `name`, defined at `where` and reported there."""
    return Diagnostic(Code.USES_INVALID, f"{user} uses {kind} '{name}', which is invalid", span,
                      f"fix the errors reported in {kind} '{name}'",
                      (Note(where, f"{kind} '{name}' is defined here"),))


def step_objects_named_alike(step: str, workflow: str, name: str, other: str, namespace: str,
                             span: Span, step_run: Span) -> Diagnostic:
    """The objects of a workflow's step are named `name`, as are those of `other` ("Run 'r'"
    or "step 's' of Run 'w'"); `step_run` is the workflow Run that runs the step."""
    return Diagnostic(Code.OBJECT_COLLISION, f"the objects of step '{step}' of Run "
                      f"'{workflow}' are named '{name}', as are those of {other} in namespace "
                      f"'{namespace}'", span, "rename the Run or the step",
                      (Note(step_run, f"Run '{workflow}' runs step '{step}'"),))
