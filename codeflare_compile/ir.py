"""The intermediate representation: typed resources with their source, and the resolved Runs.

`Program` is what the front end produces from the documents (the resources, the target, the
resolved Runs); `RunPlan` is one Run with every reference resolved and every policy decision
taken, which is all a lowering and a cross-cutting pass need to know: they read the plan's
fields, not the input models behind it (`run` and `app` are there to point diagnostics at the
input). Policy passes take the resolved Runs and return them with a decision taken (new
`RunPlan`s, via `dataclasses.replace`). A lowering makes `Lowered` objects whose pod templates
the cross-cutting passes change through `PodTemplate`.
Immutable records that nothing `replace`s are NamedTuples: Python compiles six methods for each
frozen dataclass when the module is imported (about 0.5 ms a class), and one for a NamedTuple.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel

from codeflare_compile.api import Application, DataSet, Image, Platform, Run, RunSizeConfiguration
from codeflare_compile.api.application import SecurityContext
from codeflare_compile.api.common import EnvValue
from codeflare_compile.api.platform import FluentBit
from codeflare_compile.api.run import Priority
from codeflare_compile.choices import (
    DatasetsBackend,
    DatashimGroup,
    Gang,
    Logging,
    PodSecurity,
    Queueing,
    TorchBackend,
)
from codeflare_compile.diagnostics import Span
from codeflare_compile.kubeversion import KubeVersion
from codeflare_compile.settings import Overrides as Overrides  # where the passes' callers look
from codeflare_compile.shelltext import append_words
from codeflare_compile.source import DocPath, Document

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Resource(Generic[M]):
    """A validated input resource and the document it came from."""

    kind: str
    name: str
    namespace: str | None
    model: M
    doc: Document

    def span(self, *path: str | int) -> Span:
        return self.doc.span(path)

    def key_span(self, *path: str | int) -> Span:
        return self.doc.key_span(path)

    def has(self, path: DocPath) -> bool:
        return path in self.doc.spans


Key = tuple[str, str]  # (namespace, name)


class Target(NamedTuple):
    """The compile target: the Platform's fields with the target settings applied.

    Built only by `passes.platform.make_target`; a field named after a setting (settings.py)
    is that setting's outcome, the others are the Platform's.
    """

    queueing: Queueing
    gang: Gang
    scheduler_name: str
    datasets: DatasetsBackend
    datashim_group: DatashimGroup
    torch_backend: TorchBackend
    git_image: str
    workflow_service_account: str | None
    logging: Logging
    pod_security: PodSecurity
    kube_version: KubeVersion | None  # None: the newest the validator knows
    namespace: str
    default_size: str | None
    priority_classes: dict[str, str]
    workload_priority_classes: dict[str, str]
    fluent_bit: FluentBit
    image_pull_secrets: tuple[str, ...]


@dataclass
class Program:
    """Every input resource by kind, indexed the way references look them up."""

    target: Target
    applications: dict[Key, Resource[Application]] = field(default_factory=dict)
    runs: dict[Key, Resource[Run]] = field(default_factory=dict)
    datasets: dict[Key, Resource[DataSet]] = field(default_factory=dict)
    images: dict[Key, Resource[Image]] = field(default_factory=dict)
    size_configs: dict[str, Resource[RunSizeConfiguration]] = field(default_factory=dict)
    platform: Resource[Platform] | None = None
    #: Resources that failed validation, by (kind, namespace, name), at their name: a reference
    #: to one is reported as a reference to something invalid, not to something missing.
    invalid: dict[tuple[str, str, str], Span] = field(default_factory=dict)
    #: The Runs resolved, with every policy decision taken (pipeline.front).
    plans: list[RunPlan] = field(default_factory=list)


class PodSize(NamedTuple):
    """Per-pod resources and the pod count, after the sizing rules; `head` is the Ray head's
    (one pod) when the size gives it its own, else None: the head is sized like a worker."""

    cpu: str
    memory: str
    gpu: int
    workers: int
    head: PodSize | None = None


#: A plan's pods before the sizing pass.
_UNSIZED = PodSize("0", "0", 0, 0)


class SizeDecision(NamedTuple):
    """How the size was chosen, for `explain`: every input of the sizing rules."""

    requested: str
    requested_from: str  # "Run spec.size", "Platform defaultSize" or "default"
    min_size: str | None
    size: str
    config: str  # the RunSizeConfiguration name, or "built-in default"
    config_span: Span | None
    #: The other RunSizeConfigurations and why they were not chosen.
    passed_over: tuple[tuple[str, Span, str], ...] = ()
    app_supports_gpu: bool = False
    run_supports_gpu: bool = False
    size_gpu: int = 0
    workers_from: str = "size"  # "size" or "Run spec.workers"
    head_from: str = "as a worker"  # or "size head" when the size gives the head its own


class ResolvedInput(NamedTuple):
    """One dataset a Run reads, with the DataSet chosen (by size where the input says so)."""

    dataset: Resource[DataSet]
    use_as: str  # "mount" | "env"
    mount_path: str
    span: Span  # the input entry, for diagnostics about it


class CodeSource(NamedTuple):
    """Where the Run's code comes from: a git repository and/or inline files."""

    clone_url: str | None
    branch: str | None
    subdir: str | None
    secret: str | None
    files: tuple[tuple[str, str], ...]  # (relative path, content)
    workdir: str


class StepRef(NamedTuple):
    """Where a workflow step's plan sits in its workflow."""

    workflow: str
    name: str
    depends_on: tuple[str, ...]
    size_span: Span | None  # where the step asks for its size, if it does


@dataclass(frozen=True)
class RunPlan:
    """One Run with its Application, every reference resolved and every policy applied."""

    run: Resource[Run]
    app: Resource[Application]
    namespace: str
    name: str
    archetype: str
    image: str
    command: str
    options: str | None
    env: dict[str, EnvValue]
    requirements: tuple[str, ...]
    labels: dict[str, str]
    annotations: dict[str, str]
    image_pull_secrets: tuple[str, ...] = ()
    #: The Image resource `image` came from (None: written in the Application), for `explain`.
    image_from: Resource[Image] | None = None
    #: The Application's pod identity and the defaults it turns off (crosscut/security.py).
    security_context: SecurityContext | None = None
    #: The Run's `timeout` in seconds: the active deadline of whichever object takes one.
    deadline_seconds: int | None = None
    #: The Run's Kueue queue (a workflow step's is its workflow Run's).
    queue: str | None = None
    #: The Run's `priority`, and the PriorityClass it maps to (passes/priority.py).
    priority_level: Priority | None = None
    priority_class: str | None = None
    #: The ports the Application asks to expose (crosscut/expose.py).
    expose: tuple[int, ...] = ()
    size: str = ""
    pod: PodSize = _UNSIZED
    decision: SizeDecision | None = None
    size_request: str | None = None  # the size asked for (the Run's, or a workflow step's)
    workers_request: int | None = None  # the Run's `workers` (never a step's)
    #: For a workflow step: the workflow Run's name, the step's name and what it depends on.
    step: StepRef | None = None
    #: For a workflow: its steps' names, in order.
    steps: tuple[str, ...] = ()
    #: For a workqueue: its tasks, one per index of the Job (passes/tasks.py).
    tasks: tuple[str, ...] = ()
    inputs: tuple[ResolvedInput, ...] = ()
    code: CodeSource | None = None
    #: The hash of the Run's objects as lowered without it, which the names of the objects
    #: that cannot be updated in place carry (lower/names.py); empty while it is computed.
    content_hash: str = ""

    @property
    def entrypoint(self) -> str:
        """`command options` as one shell line: the options as the last arguments of the
        command's last line (before a comment that ends it; see shelltext.py)."""
        return append_words(self.command, self.options) if self.options else self.command


class PodSet(NamedTuple):
    """Where a pod template sits inside a workload object, how many pods it makes, and the name
    of its main container: the one that runs the Run's program, which the cross-cutting passes
    give the workspace, the datasets and the log folder.

    `logs` is the folder the pods' program writes log files to and the pattern a log sidecar
    tails there (None: no sidecar on these pods); `batch` pods run to completion, so a sidecar
    must be a native one (an init container with `restartPolicy: Always`) to let them finish;
    `serves`: the Run's program itself runs in these pods, so the ports it listens on, which the
    Application may `expose`, are theirs (Ray workers run only its tasks).
    """

    path: DocPath
    replicas: int
    main: str
    logs: tuple[str, str] | None = ("/var/log/codeflare", "/var/log/codeflare/*")
    batch: bool = True
    serves: bool = True


@dataclass
class Lowered:
    """A Run's output objects; `workload` is the one that makes pods, through `pod_sets`."""

    plan: RunPlan
    workload: dict[str, Any]
    pod_sets: list[PodSet]
    objects: list[dict[str, Any]] = field(default_factory=list)
    #: Objects several Runs may share (Datashim Datasets): emitted once, never wrapped.
    shared: list[dict[str, Any]] = field(default_factory=list)
    #: False when the pods are independent of each other: no gang, so none waits for another.
    gang: bool = True
    #: False when no queueing controller may run the workload again from the start (an
    #: AppWrapper reset, an MCAD requeue): its own controller retries what may be retried.
    rerun: bool = True
    #: AppWrapper fault-tolerance annotations the workload needs (short names, e.g. retryLimit).
    wrapper_annotations: dict[str, str] = field(default_factory=dict)
    #: Those of `objects` that stay at the top level, beside whatever wraps the workload or a
    #: workflow that creates it: objects clients find by a stable name (the `expose` Service).
    standalone: list[dict[str, Any]] = field(default_factory=list)

    def stands_alone(self, obj: dict[str, Any]) -> bool:
        """Whether `obj` (one of `objects`) is one of `standalone`."""
        return any(obj is alone for alone in self.standalone)

    def pod_templates(self) -> list[dict[str, Any]]:
        """The pod template mappings, for passes that label or schedule every pod."""
        return [template.template for template in self.templates()]

    def templates(self) -> list[PodTemplate]:
        """Each pod set's template, to be changed through `PodTemplate`."""
        templates = []
        for pod_set in self.pod_sets:
            node: Any = self.workload
            for seg in pod_set.path:
                node = node[seg]
            templates.append(PodTemplate(node, pod_set))
        return templates


class PodTemplate(NamedTuple):
    """A pod template inside a workload, as the cross-cutting passes change it: its labels,
    volumes, init containers and main container (`PodSet.main`, wherever it sits among the
    containers). Additions go after what is there, so the output keeps the passes' order."""

    template: dict[str, Any]
    pod_set: PodSet

    @property
    def labels(self) -> dict[str, str]:
        labels: dict[str, str] = self.template["metadata"]["labels"]
        return labels

    @property
    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = self.template["spec"]
        return spec

    def main_container(self) -> dict[str, Any]:
        """The container that runs the Run's program."""
        return next(c for c in self.spec["containers"] if c["name"] == self.pod_set.main)

    def add_volume(self, volume: dict[str, Any]) -> None:
        self.spec.setdefault("volumes", []).append(volume)

    def add_mount(self, mount: dict[str, Any]) -> None:
        """A volume mount in the main container."""
        self.main_container().setdefault("volumeMounts", []).append(mount)

    def add_env(self, *env: dict[str, Any]) -> None:
        """Environment for the main container, after its own."""
        self.main_container().setdefault("env", []).extend(env)

    def add_init_container(self, container: dict[str, Any]) -> None:
        """An init container (or, with `restartPolicy: Always`, a native sidecar), started
        after those already there."""
        self.spec.setdefault("initContainers", []).append(container)

    def add_container(self, container: dict[str, Any]) -> None:
        """A container beside the main one, for the pod's whole life."""
        self.spec["containers"].append(container)
