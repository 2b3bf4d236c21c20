"""The compiler's stages, written down once.

load (files, folders, standard input, in-memory texts) → `front`: parse the typed resources,
decide the target, build the `Program`, resolve, policy passes → `back`: per Run, one lowering
per archetype → cross-cutting passes → validation → YAML text (`Emission`) → the output in
order. The per-Run stages run in forked workers with `jobs` > 1. Every stage is a plain
function; problems go to one `Diagnostics`, so one run reports them all.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from codeflare_compile.build import build, parse
from codeflare_compile.crosscut.dataset_mounts import dataset_mounts
from codeflare_compile.crosscut.expose import expose
from codeflare_compile.crosscut.gang import gang
from codeflare_compile.crosscut.log_sidecar import log_sidecar
from codeflare_compile.crosscut.queueing import queueing
from codeflare_compile.crosscut.security import security
from codeflare_compile.crosscut.waves import waves
from codeflare_compile.crosscut.workspace import workspace
from codeflare_compile.diagnostics import Diagnostic, Diagnostics
from codeflare_compile.emit.yaml import dump_embedded, dump_yaml_stream
from codeflare_compile.emitted import Identity, check_collisions, check_sizes, identities
from codeflare_compile.ir import Lowered, Program, RunPlan, Target
from codeflare_compile.kubeversion import parse as parse_kube_version
from codeflare_compile.lower import LOWERINGS
from codeflare_compile.lower.names import content_hash
from codeflare_compile.lower.workflow import lower_workflow
from codeflare_compile.parallel import ordered_map
from codeflare_compile.passes.code import code
from codeflare_compile.passes.datasets import datasets
from codeflare_compile.passes.platform import NO_OVERRIDES, make_target
from codeflare_compile.passes.priority import priority
from codeflare_compile.passes.resolve import resolve
from codeflare_compile.passes.sizing import sizing
from codeflare_compile.passes.tasks import tasks
from codeflare_compile.problems.output import empty_output
from codeflare_compile.problems.targets import unsupported_kube_version
from codeflare_compile.redact import scrub, scrub_source
from codeflare_compile.settings import Overrides
from codeflare_compile.source import Sources, Stdin, load

if TYPE_CHECKING:
    from codeflare_compile.validate import CrdSet, ValidationFailure

#: What a compilation keeps of each Run's objects (see `Emission`).
Keep = Literal["objects", "yaml", "none"]

PolicyPass = Callable[[list[RunPlan], Program, Diagnostics], list[RunPlan]]

#: Policy passes in order: each takes the resolved Runs and returns them with a decision taken.
POLICY_PASSES: tuple[PolicyPass, ...] = (sizing, datasets, code, priority, tasks)


@dataclass(frozen=True)
class Emission:
    """What happens to each Run's objects right after lowering, in the process that lowered
    them: with `validate`, validation (against the target's Kubernetes version and `crds`);
    then `keep`: the objects kept, or only their YAML text, or nothing (for `check`), so that
    a large batch need not hold every Run's objects at once."""

    validate: bool = False
    crds: CrdSet | None = None
    keep: Keep = "objects"


@dataclass(frozen=True)
class RunOutput:
    """What one Run produced, as `Emission.keep` asked: its objects in emission order or their
    YAML text; and the validation failures of those objects."""

    plan: RunPlan
    objects: list[dict[str, Any]]
    text: str = ""
    failures: list[ValidationFailure] = field(default_factory=list)


@dataclass
class Compilation:
    """Everything a command may want to show: the inputs, the decisions, the objects."""

    sources: Sources
    diagnostics: Diagnostics
    program: Program
    runs: list[RunOutput] = field(default_factory=list)
    #: Objects several Runs share (Datashim Datasets), once each, in a stable order.
    shared: list[dict[str, Any]] = field(default_factory=list)
    #: The shared objects' validation failures, with `Emission.validate`.
    shared_failures: list[ValidationFailure] = field(default_factory=list)
    #: Why the output could not be validated (an unbundled Kubernetes version, a bad CRD file).
    validation_error: str | None = None

    @property
    def plans(self) -> list[RunPlan]:
        """Every Run and workflow step, with every policy decision taken."""
        return self.program.plans

    @property
    def objects(self) -> list[dict[str, Any]]:
        """Everything to emit: the shared objects first, then each Run's."""
        return [*self.shared, *(obj for run in self.runs for obj in run.objects)]

    @property
    def failures(self) -> list[ValidationFailure]:
        """Validation failures in output order."""
        return [*self.shared_failures, *(f for run in self.runs for f in run.failures)]


@dataclass(frozen=True)
class _Group:
    """A top-level Run (None when it did not survive the passes) with its workflow steps."""

    top: RunPlan | None
    steps: list[RunPlan]


@dataclass(frozen=True)
class _GroupOutput:
    """What lowering a group gave, as it travels back from a worker."""

    objects: list[dict[str, Any]] | None  # None: not lowered (reported)
    text: str
    failures: list[ValidationFailure]
    shared: list[dict[str, Any]]
    diagnostics: tuple[Diagnostic, ...]
    validation_error: str | None
    #: Every object the cluster will hold for the Run, those its objects carry included.
    identities: list[Identity] = field(default_factory=list)


def compile_paths(paths: Sequence[str], includes: Sequence[str], overrides: Overrides,
                  allow_empty: bool = False, emission: Emission = Emission(),
                  jobs: int = 1, stdin: Stdin | None = None,
                  texts: Mapping[str, str] | None = None,
                  fallbacks: Overrides = NO_OVERRIDES) -> Compilation:
    """Load the inputs (files, folders, `stdin`, in-memory `texts`), then `front` and `back`,
    with the garbage collector paused: compiling makes few reference cycles (reference counting
    frees the rest as it goes; peak memory at 10,000 Runs is the same), while the collector's
    passes over the growing heap cost a large batch about a tenth of its time. Forked workers
    inherit the pause, so they do not copy the parent's pages either."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        diags = Diagnostics()
        sources = load(paths, includes, diags, stdin, texts)
        program = front(sources, diags, overrides, fallbacks)
        return back(program, sources, diags, emission, jobs=jobs, allow_empty=allow_empty)
    finally:
        if enabled:
            gc.enable()


def front(sources: Sources, diags: Diagnostics, overrides: Overrides,
          fallbacks: Overrides = NO_OVERRIDES) -> Program:
    """The documents as a `Program`: typed resources, the target (`overrides` over the
    Platform over `fallbacks`), and the Runs resolved with every policy decision taken (the
    policies read the target: default size, priority classes, the task budget)."""
    parsed = parse(sources.documents, diags)
    target = make_target(parsed.platform.model if parsed.platform else None, overrides,
                         fallbacks)
    program = build(parsed, target, diags)
    plans = resolve(program, diags)
    for policy in POLICY_PASSES:
        plans = policy(plans, program, diags)
    program.plans = plans
    return program


def back(program: Program, sources: Sources, diags: Diagnostics, emission: Emission = Emission(),
         *, jobs: int = 1, allow_empty: bool = False) -> Compilation:
    """Lower every Run of `program` for its target, then validate and keep as `emission`
    asks; the output in order, the diagnostics redacted."""
    result = Compilation(sources, diags, program)
    groups = _groups(program.plans)
    target = program.target
    version = _kube_version(result) if emission.validate else None
    lowered = ordered_map(lambda group: _lower_group(group, target, emission, version), groups,
                          jobs)
    shared: dict[tuple[str, ...], dict[str, Any]] = {}
    emitted: list[tuple[RunPlan, list[Identity]]] = []
    for group, out in zip(groups, lowered, strict=True):
        for diagnostic in out.diagnostics:
            diags.add(diagnostic)
        result.validation_error = result.validation_error or out.validation_error
        if group.top is None or out.objects is None:
            continue
        result.runs.append(RunOutput(group.top, out.objects, out.text, out.failures))
        emitted.append((group.top, out.identities))
        for obj in out.shared:
            shared.setdefault(_identity(obj), obj)
    check_collisions(emitted, diags)
    result.shared = [shared[key] for key in sorted(shared)]
    if version is not None and result.validation_error is None:
        result.shared_failures, result.validation_error = _validate(result.shared, version,
                                                                    emission.crds)
    if not result.runs and not allow_empty and not diags.has_errors:
        diags.add(empty_output(not program.runs))
    _redact(sources, diags)
    return result


def _groups(plans: list[RunPlan]) -> list[_Group]:
    """Each top-level Run with its workflow's steps, in output order; steps whose workflow did
    not survive the passes form groups of their own (lowered for their diagnostics only)."""
    tops: dict[tuple[str, str], RunPlan] = {}
    steps: dict[tuple[str, str], list[RunPlan]] = {}
    for plan in plans:  # keyed by (namespace, name): Runs in two namespaces may share a name
        if plan.step is not None:
            steps.setdefault((plan.namespace, plan.step.workflow), []).append(plan)
        else:
            tops[plan.namespace, plan.name] = plan
    groups = [_Group(top, steps.pop(key, [])) for key, top in tops.items()]
    return groups + [_Group(None, orphans) for orphans in steps.values()]


def _lower_group(group: _Group, target: Target, emission: Emission, version: str | None
                 ) -> _GroupOutput:
    """Lower a Run (a workflow after its steps) through every pass, then validate and keep it
    as `emission` asks.

    Lowered twice: first without a content hash, to hash what the Run's objects hold, then with
    it, for the names of the objects that cannot be updated in place (lower/names.py)."""
    diags = Diagnostics()
    lowered = _lower_plans(group, target, diags, hashing=True)
    if lowered is None:
        return _GroupOutput(None, "", [], [], diags.items, None)
    digest = content_hash(lowered.objects)
    top = replace(group.top, content_hash=digest) if group.top is not None else None
    named = _Group(top, [replace(step, content_hash=digest) for step in group.steps])
    lowered = _lower_plans(named, target, Diagnostics())  # the same diagnostics again
    assert lowered is not None
    objects = lowered.objects
    failures, error = _validate(objects, version, emission.crds) if version else ([], None)
    text = dump_yaml_stream(objects) if emission.keep == "yaml" and objects else ""
    assert top is not None  # a group without its Run is never lowered
    check_sizes([top, *named.steps], objects, text if emission.keep == "yaml" else None, diags)
    return _GroupOutput(objects if emission.keep == "objects" else [], text, failures,
                        lowered.shared, diags.items, error, identities(objects))


def _lower_plans(group: _Group, target: Target, diags: Diagnostics, hashing: bool = False
                 ) -> Lowered | None:
    """The group's Run lowered (a workflow after its steps), or None when it cannot be; when
    `hashing`, a workflow's steps are embedded as objects rather than as YAML text."""
    lowered_steps = [(step, lower_run(step, target, diags)) for step in group.steps]
    top = group.top
    lowered = None
    if top is not None and top.archetype == "workflow":
        if len(lowered_steps) == len(top.steps):  # else: a step's plan failed the passes
            lowered = lower_workflow(top, target, lowered_steps,
                                     embed=_as_is if hashing else dump_embedded)
    elif top is not None:
        lowered = lower_run(top, target, diags)
    return waves(lowered) if lowered is not None else None


def _as_is(obj: dict[str, Any]) -> dict[str, Any]:
    return obj


def _kube_version(result: Compilation) -> str | None:
    """The Kubernetes version whose schemas validate the output; None when there are none for
    the target's: a diagnostic at the Platform's `kubernetesVersion` when it is the Platform's,
    else (a flag, a setting) a `validation_error`."""
    from codeflare_compile.validate import core

    program = result.program
    wanted = program.target.kube_version
    try:
        return core.resolve_kube_version(str(wanted) if wanted else core.default_kube_version())
    except core.UnsupportedKubeVersion as exc:
        platform = program.platform
        given = platform.model.spec.kubernetes_version if platform is not None else None
        if platform is not None and given is not None and parse_kube_version(given) == wanted:
            result.diagnostics.add(unsupported_kube_version(
                str(exc), platform.span("spec", "kubernetesVersion")))
        else:
            result.validation_error = str(exc)
        return None


def _validate(objects: list[dict[str, Any]], version: str, crds: CrdSet | None
              ) -> tuple[list[ValidationFailure], str | None]:
    """The objects' validation failures, or why they could not be validated."""
    from codeflare_compile import validate

    try:
        return validate.validate_objects(objects, kube_version=version, crds=crds), None
    except (validate.UnsupportedKubeVersion, validate.CrdLoadError) as exc:
        return [], str(exc)
    except OSError as exc:
        return [], f"cannot read CRDs: {exc}"


def _redact(sources: Sources, diags: Diagnostics) -> None:
    """Credentials written where they do not belong (inline in a DataSet, in a repository URL)
    are refused; the excerpt of the diagnostic must not print them into a CI log."""
    for d in diags.items:
        lines = sources.lines.get(d.span.file) if d.span else None
        if d.span is None or lines is None or not 1 <= d.span.line <= len(lines):
            continue
        line = lines[d.span.line - 1]
        if d.redacts_value:  # the span is the key: hide what follows it
            key_end = line.find(":", d.span.col - 1)
            if key_end >= 0:
                lines[d.span.line - 1] = line[:key_end + 1] + " <redacted>"
    shown = {span.file for d in diags.items for span in (d.span, *(n.span for n in d.notes))
             if span is not None}
    for file in shown & sources.lines.keys():  # every line an excerpt shows: no credential
        sources.lines[file][:] = scrub_source(sources.lines[file])
    diags.rewrite(lambda d: d._replace(message=scrub(d.message),
                                       help=scrub(d.help) if d.help else d.help,
                                       notes=tuple(n._replace(message=scrub(n.message))
                                                   for n in d.notes)))


def _identity(obj: dict[str, Any]) -> tuple[str, ...]:
    meta = obj["metadata"]
    return (obj["kind"], meta.get("namespace", ""), meta["name"], obj["apiVersion"])


TargetPass = Callable[[Lowered, Target, Diagnostics], Lowered]


def _reports_nothing(step: Callable[[Lowered, Target], Lowered]) -> TargetPass:
    """A cross-cutting pass that never reports a problem, as a `TargetPass`."""
    return lambda lowered, target, _: step(lowered, target)


#: The cross-cutting passes in order, by name; each changes one Run's (or workflow step's)
#: lowered objects for a target setting. The order is the output's: the workspace's clone runs
#: before the log sidecar starts (init containers start in order); security comes after every
#: container is there (it sets a user on the compiler's own ones); gang scheduling counts every
#: container's resources, sidecars included; queueing wraps every object there is, so the
#: `expose` Service, which stays outside any wrapper, is made after it.
#: `waves` is not among them: it applies to a whole Run once its workflow steps are embedded.
TARGET_PASSES: tuple[tuple[str, TargetPass], ...] = (
    ("workspace", _reports_nothing(workspace)),
    ("dataset_mounts", dataset_mounts),
    ("log_sidecar", log_sidecar),
    ("security", security),
    ("gang", _reports_nothing(gang)),
    ("queueing", queueing),
    ("expose", _reports_nothing(expose)),
)


def lower_run(plan: RunPlan, target: Target, diags: Diagnostics) -> Lowered:
    """One Run (or workflow step) lowered by its archetype, then every cross-cutting pass."""
    lowered = LOWERINGS[plan.archetype](plan, target)
    for _, apply in TARGET_PASSES:
        lowered = apply(lowered, target, diags)
    return lowered

