"""Hypothesis strategies: VALID CodeFlare resource sets, and single mutations that break them.

`valid_sets()` draws a whole input: an optional Platform, Images (some with digests), DataSets
of each backend kind, Applications of every archetype (workflows whose steps run other
Applications), Runs, and RunSizeConfigurations with namespaces and distinct priorities. Every
cross-resource rule of the contract is respected while drawing (references resolve, datasets
fit the backend, sizes exist in the configuration that applies, names never collide), so the
whole set must compile.

`invalid_cases()` takes one valid set and applies exactly one mutation from `MUTATIONS` (an
unknown field, a bad enum value, a bad name, a bad quantity, a dangling reference, a duplicate,
a wrong type, …); each mutation says which diagnostic codes may report it.

The sets are plain data (`list[dict]`); `dump_stream()` renders them as YAML text. Strings that a
YAML 1.2 reader would take for a number, boolean or null are quoted, as a person would.
"""

from __future__ import annotations

import copy
import io
import itertools
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from hypothesis import strategies as st

from codeflare_compile.shelltext import strip_end, swallow_problem
from tests.properties.oracle import needed_sizes

API = "codeflare.dev/v1alpha1"
SIZES = ("xxs", "xs", "sm", "md", "lg", "xl", "xxl")
ARCHETYPES = ("ray", "torch", "shell", "workqueue")  # and "workflow", drawn apart
#: Paths the compiler mounts itself in the main container; a dataset may not go there.
RESERVED_PATHS = ("/workspace", "/dev/shm", "/var/log/codeflare", "/etc/codeflare/tasks",
                  "/tmp/ray", "/workspace/")
KUBE_VERSIONS = ("1.29", "1.30", "1.31", "1.33", "1.35", "1.37")

Doc = dict[str, Any]


# ------------------------------------------------------------------------------ rendering


_PLAIN_NOT_STRING = re.compile(
    r"[-+]?([0-9][0-9_]*(\.[0-9_]*)?|\.[0-9_]+)([eE][-+]?[0-9]+)?|0[ox][0-9a-fA-F_]+"
    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|[-+]?[0-9][0-9_:]*")
_KEYWORDS = frozenset({"", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n"})


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    risky = value.lower() in _KEYWORDS or _PLAIN_NOT_STRING.fullmatch(value) is not None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'" if risky else None)


_Dumper.add_representer(str, _represent_str)


def dump(doc: Doc) -> str:
    out = io.StringIO()
    yaml.dump(doc, out, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 16,
              default_flow_style=False)
    return out.getvalue()


def dump_stream(docs: list[Doc]) -> str:
    return "".join(f"---\n{dump(d)}" for d in docs)


# ------------------------------------------------------------------------------ a set


@dataclass
class ResourceSet:
    """A whole input: documents in drawing order, and the Secrets the cluster holds for them."""

    docs: list[Doc]
    #: Secret name → key → value: what the references point at. Never part of the input.
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Doc]:
        return [d for d in self.docs if d["kind"] == kind]

    @property
    def platform(self) -> Doc | None:
        found = self.of_kind("Platform")
        return found[0] if found else None


def one_file(docs: list[Doc]) -> dict[str, str | bytes]:
    return {"input.yaml": dump_stream(docs)}


def split(docs: list[Doc], order: list[int], cuts: list[int],
          names: list[str]) -> dict[str, str | bytes]:
    """The documents in `order`, cut into files at `cuts`, named by `names` (may be nested)."""
    ordered = [docs[i] for i in order]
    bounds = [0, *sorted(set(cuts)), len(ordered)]
    files: dict[str, str | bytes] = {}
    for i, (start, end) in enumerate(itertools.pairwise(bounds)):
        if start < end:
            files[f"{names[i % len(names)]}-{i}.yaml"] = dump_stream(ordered[start:end])
    return files


# ------------------------------------------------------------------------------ atoms

_LABEL = r"[a-z]([-a-z0-9]{0,10}[a-z0-9])?"


def dns_labels(min_len: int = 1, max_len: int = 63) -> st.SearchStrategy[str]:
    """DNS-1123 labels, mostly short and letter-first, sometimes long or digit-first."""
    short = st.from_regex(_LABEL, fullmatch=True)
    long = st.integers(40, 63).map(lambda n: ("x" * (n - 3)) + "-z9")
    digit = st.from_regex(r"[0-9][a-z0-9]{0,6}", fullmatch=True)
    return st.one_of(short, short, short, long, digit).filter(
        lambda s: min_len <= len(s) <= max_len)


#: Plain text as users write it in options, env values and annotations: any character but
#: NUL (which no argument or environment value can hold) and lone surrogates.
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
               max_size=24)
#: Options as users write them: any text, single-quoted when its end would swallow or split the
#: task a workqueue appends (refused with CF430, see tests/test_command_lines.py).
OPTIONS = TEXT.map(lambda text: shlex.quote(text) if swallow_problem(strip_end(text)) else text)
WORD = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,10}", fullmatch=True)
ENV_NAME = st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True).filter(
    lambda s: not s.startswith(("CODEFLARE", "PYTHONPATH", "JOB_COMPLETION")))
SECRET_KEY = st.from_regex(r"[A-Za-z][A-Za-z0-9._-]{0,10}", fullmatch=True)
LABEL_KEY = st.one_of(st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True),
                      st.from_regex(r"example\.com/[a-z][a-z0-9_.-]{0,8}[a-z0-9]",
                                    fullmatch=True))
LABEL_VALUE = st.from_regex(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?)?",
                            fullmatch=True)
CPU = st.one_of(st.sampled_from(["100m", "250m", "500m", "1", "1500m", "2", "4", "8"]),
                st.integers(1, 16))
MEMORY = st.sampled_from(["256Mi", "512Mi", "1Gi", "1536Mi", "4Gi", "8Gi", "16Gi", "64Gi"])
IMAGE_REF = st.sampled_from(["python:3.12-slim", "rayproject/ray:2.52.0",
                             "registry.example.com/team/trainer:1.4.2",
                             "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime",
                             "quay.io/org/img:v2@sha256:" + "0" * 64])
DIGEST = st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True)
COMMAND = st.sampled_from(["python3 main.py", "python3 -m pkg.train --epochs 2",
                           "./run.sh", "train.py --lr 0.1", "echo start && python3 x.py",
                           "python -u main.py"])
DURATION = st.one_of(st.integers(1, 10_000).map(lambda n: f"{n}s"),
                     st.integers(1, 600).map(lambda n: f"{n}m"),
                     st.tuples(st.integers(1, 48), st.integers(0, 59)).map(
                         lambda t: f"{t[0]}h{t[1]}m" if t[1] else f"{t[0]}h"))


def _meta(name: str, namespace: str | None, labels: dict[str, str] | None = None,
          annotations: dict[str, str] | None = None) -> Doc:
    meta: Doc = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    return meta


def _doc(kind: str, meta: Doc, spec: Doc | None) -> Doc:
    doc: Doc = {"apiVersion": API, "kind": kind, "metadata": meta}
    if spec is not None:
        doc["spec"] = spec
    return doc


# ------------------------------------------------------------------------------ valid sets


class _Names:
    """Names in use per (kind, namespace), so that drawn names never collide."""

    def __init__(self) -> None:
        self.used: dict[tuple[str, str], set[str]] = {}

    def take(self, draw: st.DrawFn, kind: str, namespace: str,
             strategy: st.SearchStrategy[str] | None = None) -> str:
        used = self.used.setdefault((kind, namespace), set())
        base = strategy if strategy is not None else dns_labels()
        name: str = draw(base.filter(lambda n: n not in used))
        used.add(name)
        return name


@st.composite
def platforms(draw: st.DrawFn) -> Doc:
    spec: Doc = {}
    for key, choices in (("queueing", ["appwrapper", "mcad", "kueue", "none"]),
                         ("gangScheduling", ["coscheduler", "none"]),
                         ("datasets", ["datashim", "native"]),
                         ("datashimGroup", ["datashim.io", "com.ie.ibm.hpsys"]),
                         ("torchBackend", ["job", "pytorchjob"]),
                         ("logging", ["none", "fluentbit"])):
        if draw(st.booleans()):
            spec[key] = draw(st.sampled_from(choices))
    if draw(st.booleans()):
        spec["kubernetesVersion"] = draw(st.sampled_from(KUBE_VERSIONS))
    if draw(st.booleans()):
        spec["defaultNamespace"] = draw(st.sampled_from(["team-a", "ml", "default"]))
    if draw(st.booleans()):
        spec["defaultSize"] = draw(st.sampled_from(SIZES))
    if draw(st.booleans()):
        spec["priorityClasses"] = {"low": "batch-low", "normal": "batch-normal",
                                   "high": "batch-high"}
        if draw(st.booleans()):
            spec["workloadPriorityClasses"] = {"low": "wl-low", "high": "wl-high"}
    if draw(st.booleans()):
        spec["schedulerName"] = draw(dns_labels())
    if draw(st.booleans()):
        spec["imagePullSecrets"] = draw(st.lists(dns_labels(), max_size=2, unique=True))
    if draw(st.booleans()):
        spec["fluentBit"] = {"cpu": draw(CPU), "memory": draw(MEMORY)}
    if draw(st.booleans()):
        spec["workflowServiceAccount"] = draw(dns_labels())
    return _doc("Platform", _meta(draw(dns_labels()), None), spec)


@dataclass
class _Ns:
    """What one namespace holds while a set is drawn."""

    name: str
    images: list[str] = field(default_factory=list)
    #: DataSet name → backend kind (s3, nfs, pvc)
    datasets: dict[str, str] = field(default_factory=dict)
    apps: dict[str, Doc] = field(default_factory=dict)


@st.composite
def valid_sets(draw: st.DrawFn, max_runs: int = 3) -> ResourceSet:
    """A set of resources that must compile: see the module docstring."""
    docs: list[Doc] = []
    secrets: dict[str, dict[str, str]] = {}
    names = _Names()
    platform = draw(st.none() | platforms())
    pspec: Doc = platform["spec"] if platform else {}
    default_ns = pspec.get("defaultNamespace", "default")
    backend = pspec.get("datasets", "datashim")
    namespaces = [_Ns(n) for n in draw(st.lists(st.sampled_from(
        ["default", "team-a", "ml", "research"]), min_size=1, max_size=2, unique=True))]

    def ns_field(ns: str) -> str | None:
        return None if ns == default_ns and draw(st.booleans()) else ns

    def secret(keys: tuple[str, ...] = ()) -> tuple[str, str]:
        """A Secret the cluster holds (its values only ever in `secrets`), and one key."""
        name = draw(st.sampled_from(sorted(secrets)) if secrets and draw(st.booleans())
                    else dns_labels())
        entries = secrets.setdefault(name, {})
        key = draw(st.sampled_from(keys)) if keys else draw(SECRET_KEY)
        for k in keys or (key,):
            entries.setdefault(k, f"s3cr3t-{name}-{k}-{draw(st.integers(0, 10**9)):x}")
        return name, key

    # Images and DataSets, per namespace
    for ns in namespaces:
        for _ in range(draw(st.integers(0, 2))):
            name = names.take(draw, "Image", ns.name)
            spec: Doc = {"image": draw(IMAGE_REF)}
            if draw(st.booleans()):
                spec["digest"] = draw(DIGEST)
            if draw(st.booleans()):
                spec["pullSecrets"] = [draw(dns_labels())]
            docs.append(_doc("Image", _meta(name, ns_field(ns.name)), spec))
            ns.images.append(name)
        for _ in range(draw(st.integers(0, 3))):
            name = names.take(draw, "DataSet", ns.name)
            kind = draw(st.sampled_from(["s3", "nfs", "pvc"]))
            if kind == "s3":
                source: Doc = {"endpoint": "https://s3.example.com", "bucket": draw(WORD)}
                for optional in ("prefix", "region"):
                    if draw(st.booleans()):
                        source[optional] = draw(WORD)
                if draw(st.booleans()):
                    source["secretRef"] = {"name": secret(("accessKeyID",
                                                           "secretAccessKey"))[0]}
            elif kind == "nfs":
                source = {"server": "nfs.example.com", "path": f"/exports/{draw(WORD)}"}
            else:
                source = {"claimName": draw(dns_labels())}
            spec = {kind: source}
            if draw(st.booleans()):
                spec["readOnly"] = draw(st.booleans())
            docs.append(_doc("DataSet", _meta(name, ns_field(ns.name)), spec))
            ns.datasets[name] = kind

    # Applications, per namespace; then at most one workflow over them
    mount_counter = iter(range(1_000))
    # MCAD never sees a RayJob finish: a Ray Run under mcad is an error (CF440)
    archetypes = tuple(a for a in ARCHETYPES if a != "ray" or pspec.get("queueing") != "mcad")
    for ns in namespaces:
        for _ in range(draw(st.integers(1, 3))):
            name = names.take(draw, "Application", ns.name)
            api = draw(st.sampled_from(archetypes))
            spec = _app_spec(draw, api, ns, backend, secret, mount_counter)
            labels = draw(st.dictionaries(LABEL_KEY, LABEL_VALUE, max_size=2))
            annotations = draw(st.dictionaries(LABEL_KEY, TEXT, max_size=2))
            doc = _doc("Application", _meta(name, ns_field(ns.name), labels, annotations), spec)
            docs.append(doc)
            ns.apps[name] = doc
        if draw(st.booleans()):
            name = names.take(draw, "Application", ns.name)
            doc = _doc("Application", _meta(name, ns_field(ns.name)),
                       _workflow_spec(draw, ns))
            docs.append(doc)
            ns.apps[name] = doc

    # Runs
    all_apps = [(ns, app) for ns in namespaces for app in ns.apps]
    step_names: dict[str, set[str]] = {}  # namespace → names the workflow steps' objects take
    runs = []
    for _ in range(draw(st.integers(1, max_runs))):
        ns = draw(st.sampled_from(namespaces))
        app_ns, app_name = draw(st.sampled_from(all_apps))
        app = app_ns.apps[app_name]
        taken = step_names.setdefault(ns.name, set())
        name = names.take(draw, "Run", ns.name,
                          dns_labels().filter(lambda n, taken=taken: n not in taken))
        ref: Any = app_name if app_ns is ns else {"name": app_name, "namespace": app_ns.name}
        spec = _run_spec(draw, app["spec"], ref, ns, backend, pspec, secret, mount_counter)
        labels = draw(st.dictionaries(LABEL_KEY, LABEL_VALUE, max_size=2))
        run = _doc("Run", _meta(name, ns_field(ns.name), labels), spec)
        runs.append(run)
        if app["spec"]["api"] == "workflow":
            for step in app["spec"]["steps"]:
                taken.add(_step_plan_name(name, step["name"]))
    # a Run named like another Run's workflow step would produce the same objects
    runs = [r for r in runs if r["metadata"]["name"] not in
            step_names.get(r["metadata"].get("namespace", default_ns), set())]
    docs.extend(runs)

    # RunSizeConfigurations: distinct priorities; then every size a Run needs is added to
    # the configuration that applies to it
    all_ns = [ns.name for ns in namespaces]
    priorities = draw(st.lists(st.integers(-5, 300), max_size=3, unique=True))
    for priority in priorities:
        spec = {"config": {s: _physical(draw) for s in
                           draw(st.lists(st.sampled_from(SIZES), min_size=1, max_size=4,
                                         unique=True))}}
        if priority != 1 or draw(st.booleans()):
            spec["priority"] = priority
        if draw(st.booleans()):
            spec["namespaces"] = draw(st.lists(st.sampled_from([*all_ns, "elsewhere"]),
                                               min_size=1, max_size=2, unique=True))
        docs.append(_doc("RunSizeConfiguration", _meta(
            names.take(draw, "RunSizeConfiguration", ""), None), spec))
    if platform is not None:
        docs.insert(0, platform)
    result = ResourceSet(docs, secrets)
    for config, size in needed_sizes(result):
        config["spec"]["config"].setdefault(size, _physical(draw))
    return result


def _step_plan_name(run: str, step: str) -> str:
    """What a workflow step's objects are named (`<run>-<step>`, fitted into 63 characters:
    longer names get a hash, which never equals a drawn name)."""
    return f"{run}-{step}"


def _physical(draw: st.DrawFn) -> Doc:
    size: Doc = {"workers": draw(st.integers(0, 6)), "cpu": draw(CPU), "memory": draw(MEMORY)}
    if draw(st.booleans()):
        size["gpu"] = draw(st.integers(0, 4))
    return size


def _env(draw: st.DrawFn, secret: Callable[..., tuple[str, str]]) -> Doc:
    env: Doc = {}
    for name in draw(st.lists(ENV_NAME, max_size=3, unique=True)):
        if draw(st.integers(0, 3)) == 0:
            secret_name, key = secret()
            env[name] = {"secretKeyRef": {"name": secret_name, "key": key}}
        else:
            env[name] = draw(TEXT)
    return env


def _inputs(draw: st.DrawFn, ns: _Ns, backend: str, counter: Iterator[int]) -> list[Doc]:
    """Inputs that fit the backend: env only from s3 DataSets with letter-first names, s3
    mounts only with Datashim, custom mount paths only where the backend can honour them."""
    out: list[Doc] = []
    if not ns.datasets:
        return out
    for _ in range(draw(st.integers(0, 2))):
        use = draw(st.sampled_from(["mount", "env"]))
        if use == "env":
            fit = [n for n, k in ns.datasets.items() if k == "s3" and n[0].isalpha()]
        elif backend == "native":
            fit = [n for n, k in ns.datasets.items() if k != "s3"]
        else:
            fit = list(ns.datasets)
        if not fit:
            continue
        item: Doc = {}
        if draw(st.booleans()):
            item["dataset"] = draw(st.sampled_from(fit))
        else:
            item["sizes"] = {s: draw(st.sampled_from(fit)) for s in SIZES}
        if use == "env":
            item["useAs"] = "env"
        elif draw(st.booleans()):
            item["useAs"] = "mount"
        chosen = [item["dataset"]] if "dataset" in item else list(item["sizes"].values())
        custom_ok = backend == "native" or all(ns.datasets[c] == "pvc" for c in chosen)
        if use == "mount" and custom_ok and draw(st.booleans()):
            item["mountPath"] = f"/data/in-{next(counter)}"
        out.append(item)
    return out


def _app_spec(draw: st.DrawFn, api: str, ns: _Ns, backend: str,
              secret: Callable[..., tuple[str, str]], counter: Iterator[int]) -> Doc:
    spec: Doc = {"api": api}
    if draw(st.booleans()):
        spec["description"] = draw(TEXT)
    if ns.images and draw(st.booleans()):
        spec["image"] = {"name": draw(st.sampled_from(ns.images))}
    else:
        spec["image"] = draw(IMAGE_REF)
    spec["command"] = draw(COMMAND)
    if draw(st.booleans()):
        spec["options"] = draw(OPTIONS)
    if draw(st.integers(0, 3)) == 0:
        spec["repo"] = draw(st.sampled_from([
            "https://github.com/org/repo", "https://github.com/org/repo.git",
            "https://github.com/org/repo/tree/main",
            "https://gitlab.example.com/g/p/tree/dev/src/x"]))
        if draw(st.booleans()):
            spec["repoSecret"] = secret(("username", "password"))[0]
    if draw(st.integers(0, 3)) == 0:
        files = draw(st.lists(st.sampled_from(["main.py", "pkg/util.py", "conf.yaml",
                                               "run.sh"]), min_size=1, max_size=3, unique=True))
        spec["code"] = [{"name": f, "source": draw(TEXT)} for f in files]
    if draw(st.booleans()):
        spec["requirements"] = draw(st.lists(st.sampled_from(
            ["numpy==2.1.0", "torch>=2", "ray[default]", "pyyaml"]), max_size=2, unique=True))
    env = _env(draw, secret)
    if env:
        spec["env"] = env
    if draw(st.booleans()):
        spec["minSize"] = draw(st.sampled_from(SIZES))
    if draw(st.booleans()):
        spec["supportsGpu"] = draw(st.booleans())
    inputs = _inputs(draw, ns, backend, counter)
    if inputs:
        spec["inputs"] = inputs
    if draw(st.integers(0, 3)) == 0:
        spec["securityContext"] = {k: draw(st.integers(0, 65_535)) for k in draw(st.lists(
            st.sampled_from(["runAsUser", "runAsGroup", "fsGroup"]), min_size=1, unique=True))}
    if api == "workqueue":
        spec["tasks"] = draw(_tasks())
    return spec


def _tasks() -> st.SearchStrategy[Any]:
    listed = st.lists(TEXT, min_size=1, max_size=5)
    ints = st.tuples(st.integers(-5, 5), st.integers(0, 8), st.integers(1, 3)).map(
        lambda t: {"sweep": {"min": t[0], "max": t[0] + t[1], "step": t[2]}})
    halves = st.tuples(st.integers(0, 4), st.integers(1, 6)).map(
        lambda t: {"sweep": {"min": t[0], "max": t[0] + t[1] / 2, "step": 0.5}})
    return st.one_of(listed, ints, halves)


def _workflow_spec(draw: st.DrawFn, ns: _Ns) -> Doc:
    apps = [n for n, d in ns.apps.items() if d["spec"]["api"] != "workflow"]
    steps: list[Doc] = []
    step_names = draw(st.lists(st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True),
                               min_size=1, max_size=3, unique=True))
    for i, name in enumerate(step_names):
        step: Doc = {"name": name, "application": draw(st.sampled_from(apps))}
        deps = draw(st.lists(st.sampled_from(step_names[:i]), unique=True)) if i else []
        if deps:
            step["dependsOn"] = deps
        if draw(st.booleans()):
            step["options"] = draw(OPTIONS)
        if draw(st.booleans()):
            step["size"] = draw(st.sampled_from(SIZES))
        steps.append(step)
    spec: Doc = {"api": "workflow", "steps": steps}
    if draw(st.booleans()):
        spec["description"] = draw(TEXT)
    if draw(st.booleans()):
        spec["supportsGpu"] = draw(st.booleans())
    return spec


def _run_spec(draw: st.DrawFn, app: Doc, ref: Any, ns: _Ns, backend: str, pspec: Doc,
              secret: Callable[..., tuple[str, str]], counter: Iterator[int]) -> Doc:
    spec: Doc = {"application": ref}
    workflow = app["api"] == "workflow"
    if draw(st.booleans()):
        spec["size"] = draw(st.sampled_from(SIZES))
    if not workflow and draw(st.booleans()):
        spec["workers"] = draw(st.integers(0, 6))
    if draw(st.booleans()):
        spec["supportsGpu"] = draw(st.booleans())
    if not workflow and draw(st.booleans()):
        spec["options"] = draw(OPTIONS)
    env = _env(draw, secret)
    if env:
        spec["env"] = env
    # a Run's inputs name DataSets of the Run's namespace; an Application elsewhere is fine
    inputs = _inputs(draw, ns, backend, counter)
    if inputs and (not workflow or draw(st.booleans())):
        spec["inputs"] = inputs
    if app["api"] == "workqueue" and draw(st.booleans()):
        spec["tasks"] = draw(_tasks())
    if "priorityClasses" in pspec and draw(st.booleans()):
        spec["priority"] = draw(st.sampled_from(["low", "normal", "high"]))
    if draw(st.booleans()):
        spec["queue"] = draw(dns_labels())
    if draw(st.booleans()):
        spec["timeout"] = draw(DURATION)
    return spec


# ------------------------------------------------------------------------------ invalid cases


@dataclass
class Case:
    """One invalid input: its files and the diagnostic codes that may report the mutation."""

    files: dict[str, str | bytes]
    mutation: str
    codes: frozenset[str]


Mutation = Callable[[st.DrawFn, ResourceSet], Case]
MUTATIONS: dict[str, Mutation] = {}


def mutation(*codes: str) -> Callable[[Mutation], Mutation]:
    def register(fn: Mutation) -> Mutation:
        def wrapped(draw: st.DrawFn, rs: ResourceSet) -> Case:
            case = fn(draw, rs)
            case.codes = frozenset(codes)
            case.mutation = fn.__name__
            return case
        MUTATIONS[fn.__name__] = wrapped
        return wrapped
    return register


def _case(docs: list[Doc]) -> Case:
    return Case(one_file(docs), "", frozenset())


def _pick(draw: st.DrawFn, rs: ResourceSet, *kinds: str) -> Doc:
    return draw(st.sampled_from([d for d in rs.docs if d["kind"] in kinds]))


def _non_workflow_apps(rs: ResourceSet) -> list[Doc]:
    return [d for d in rs.of_kind("Application") if d["spec"]["api"] != "workflow"]


@mutation("CF201")
def unknown_field(draw: st.DrawFn, rs: ResourceSet) -> Case:
    doc = _pick(draw, rs, "Application", "Run", "DataSet", "Image", "RunSizeConfiguration")
    where = draw(st.sampled_from(["spec", "metadata", "top"]))
    key = draw(st.sampled_from(["imagee", "replicas", "workerz", "extra", "nodeSelector"]))
    target = doc if where == "top" else doc.setdefault(where, {})
    target[key] = draw(st.sampled_from(["x", 1, True, ["a"]]))
    return _case(rs.docs)


@mutation("CF203")
def bad_enum(draw: st.DrawFn, rs: ResourceSet) -> Case:
    choices: list[tuple[Doc, str, Any]] = []
    for d in rs.of_kind("Application"):
        choices.append((d["spec"], "api", "rayy"))
        choices.append((d["spec"], "minSize", "huge"))
    for d in rs.of_kind("Run"):
        choices += [(d["spec"], "size", "XL"), (d["spec"], "priority", "urgent")]
    if rs.platform is not None:
        choices += [(rs.platform["spec"], "queueing", "fifo"),
                    (rs.platform["spec"], "datasets", "nfs")]
    target, key, value = draw(st.sampled_from(choices))
    target[key] = value
    return _case(rs.docs)


@mutation("CF204")
def bad_name(draw: st.DrawFn, rs: ResourceSet) -> Case:
    doc = _pick(draw, rs, "Application", "Run", "DataSet", "Image")
    doc["metadata"]["name"] = draw(st.sampled_from(
        ["Trainer", "under_score", "-lead", "trail-", "a" * 64, "dots.not.allowed", "spa ce",
         "name\n"]))
    return _case(rs.docs)


@mutation("CF205")
def bad_quantity(draw: st.DrawFn, rs: ResourceSet) -> Case:
    bad = draw(st.sampled_from(["2 cores", "1.5.3", "-1", "4GB", "lots", "1e", "0x10", "1\n",
                                "4Gi\n"]))
    configs = rs.of_kind("RunSizeConfiguration")
    if configs:
        config = draw(st.sampled_from(configs))["spec"]["config"]
        size = config[draw(st.sampled_from(sorted(config)))]
        size[draw(st.sampled_from(["cpu", "memory"]))] = bad
    else:
        rs.docs.append(_doc("RunSizeConfiguration", _meta("bad-sizes", None),
                            {"config": {"xs": {"workers": 1, "cpu": bad, "memory": "1Gi"}}}))
    return _case(rs.docs)


@mutation("CF301")
def dangling_reference(draw: st.DrawFn, rs: ResourceSet) -> Case:
    options: list[Callable[[], None]] = []
    for run in rs.of_kind("Run"):
        def to_missing_app(run: Doc = run) -> None:
            ref = run["spec"]["application"]
            if isinstance(ref, dict):
                ref["name"] = "no-such-app"
            else:
                run["spec"]["application"] = "no-such-app"
        options.append(to_missing_app)
    for app in _non_workflow_apps(rs):
        def to_missing_image(app: Doc = app) -> None:
            app["spec"]["image"] = {"name": "no-such-image"}

        def to_missing_dataset(app: Doc = app) -> None:
            app["spec"].setdefault("inputs", []).append({"dataset": "no-such-data"})
        options += [to_missing_image, to_missing_dataset]
    for app in rs.of_kind("Application"):
        if app["spec"]["api"] == "workflow":
            def to_missing_step_app(app: Doc = app) -> None:
                app["spec"]["steps"][0]["application"] = "no-such-app"
            options.append(to_missing_step_app)
    draw(st.sampled_from(options))()
    return _case(rs.docs)


@mutation("CF302", "CF303")
def duplicate_resource(draw: st.DrawFn, rs: ResourceSet) -> Case:
    doc = _pick(draw, rs, "Application", "Run", "DataSet", "Image", "RunSizeConfiguration",
                "Platform")
    twin = copy.deepcopy(doc)
    if draw(st.booleans()) and doc["kind"] == "Platform":
        twin["metadata"]["name"] = "another-platform"
    return Case({"a.yaml": dump_stream(rs.docs), "b/twin.yaml": dump_stream([twin])}, "",
                frozenset())


@mutation("CF102")
def duplicate_key(draw: st.DrawFn, rs: ResourceSet) -> Case:
    text = dump_stream(rs.docs)
    lines = text.splitlines(keepends=True)
    keyed = [i for i, line in enumerate(lines) if re.match(r"^ *[A-Za-z]+: \S", line)
             and not line.lstrip().startswith("- ")]
    i = draw(st.sampled_from(keyed))
    lines.insert(i + 1, lines[i])
    return Case({"input.yaml": "".join(lines)}, "", frozenset())


@mutation("CF203", "CF202")
def wrong_type(draw: st.DrawFn, rs: ResourceSet) -> Case:
    doc = _pick(draw, rs, "Application", "Run", "DataSet", "Image", "RunSizeConfiguration")
    keys = sorted(doc["spec"])
    key = draw(st.sampled_from(keys))
    current = doc["spec"][key]
    # (not null: null is how YAML leaves an optional field unset)
    wrong: list[Any] = [{"nested": "map"}, ["a", "list"], 12345, True, 1.5]
    doc["spec"][key] = draw(st.sampled_from([
        w for w in wrong if type(w) is not type(current)
        and not (key == "tasks" and isinstance(w, list))]))  # a list of tasks is no error
    return _case(rs.docs)


@mutation("CF202", "CF203")
def missing_field(draw: st.DrawFn, rs: ResourceSet) -> Case:
    doc = _pick(draw, rs, "Application", "Run", "DataSet", "Image")
    required = {"Application": ["api"], "Run": ["application"], "DataSet": [],
                "Image": ["image"]}[doc["kind"]]
    if doc["kind"] == "Application" and doc["spec"]["api"] != "workflow":
        required += ["image", "command"]
    if doc["kind"] == "DataSet":
        required = [k for k in ("s3", "nfs", "pvc") if k in doc["spec"]]
    where = draw(st.sampled_from(["metadata.name", "spec", *required]))
    if where == "metadata.name":
        del doc["metadata"]["name"]
    elif where == "spec":
        del doc["spec"]
    else:
        del doc["spec"][where]
    return _case(rs.docs)


@mutation("CF203")
def out_of_range(draw: st.DrawFn, rs: ResourceSet) -> Case:
    options: list[tuple[Doc, str, Any]] = []
    for run in rs.of_kind("Run"):
        options += [(run["spec"], "workers", -1), (run["spec"], "workers", 10**30),
                    (run["spec"], "workers", 100_001), (run["spec"], "timeout", "0s"),
                    (run["spec"], "timeout", "99999999999h")]
    for app in _non_workflow_apps(rs):
        context = app["spec"].setdefault("securityContext", {})
        options += [(context, "runAsUser", 2**31), (context, "fsGroup", -3),
                    (context, "runAsGroup", 10**40)]
    for config in rs.of_kind("RunSizeConfiguration"):
        size = next(iter(config["spec"]["config"].values()))
        options += [(size, "workers", 10**12), (size, "gpu", 10**9), (size, "gpu", -1)]
    target, key, value = draw(st.sampled_from(options))
    target[key] = value
    return _case(rs.docs)


@mutation("CF203", "CF204")
def bad_label(draw: st.DrawFn, rs: ResourceSet) -> Case:
    doc = _pick(draw, rs, "Application", "Run")
    where = draw(st.sampled_from(["labels", "annotations"]))
    if where == "labels":
        key, value = draw(st.sampled_from([("bad key", "x"), ("ok", "bad value!"),
                                           ("-lead", "x"), ("ok", "v" * 64),
                                           ("a/b/c", "x"), ("UPPER.example.com/x", "x"),
                                           ("", "x")]))
    else:
        key, value = draw(st.sampled_from([("bad key", "x"), ("/x", "y"), ("", "z")]))
    doc["metadata"].setdefault(where, {})[key] = value
    return _case(rs.docs)


@mutation("CF203")
def bad_env(draw: st.DrawFn, rs: ResourceSet) -> Case:
    doc = draw(st.sampled_from([*_non_workflow_apps(rs), *rs.of_kind("Run")]))
    kind = draw(st.sampled_from(["name", "nul", "key"]))
    env = doc["spec"].setdefault("env", {})
    if kind == "name":
        env[draw(st.sampled_from(["", "A=B", "1ST", "with space", "tab\tname", "NL\n"]))] = "v"
    elif kind == "nul":
        env["HAS_NUL"] = "a\x00b"
    else:
        env["FROM_SECRET"] = {"secretKeyRef": {"name": "creds", "key": draw(
            st.sampled_from(["", "has space", "slash/key", "x" * 254, "key\n"]))}}
    return _case(rs.docs)


@mutation("CF423", "CF422", "CF420")
def broken_dag(draw: st.DrawFn, rs: ResourceSet) -> Case:
    flows = [a for a in rs.of_kind("Application") if a["spec"]["api"] == "workflow"]
    if not flows:
        apps = _non_workflow_apps(rs)
        flows = [_doc("Application", _meta("flow-x", apps[0]["metadata"].get("namespace")),
                      {"api": "workflow", "steps": [{"name": "one", "application":
                                                     apps[0]["metadata"]["name"]}]})]
        rs.docs.append(flows[0])
    steps = draw(st.sampled_from(flows))["spec"]["steps"]
    kind = draw(st.sampled_from(["cycle", "unknown", "duplicate"]))
    if kind == "cycle":
        steps[0]["dependsOn"] = [steps[-1]["name"]]
        if len(steps) > 1:
            steps[-1]["dependsOn"] = sorted({*steps[-1].get("dependsOn", []), steps[0]["name"]})
    elif kind == "unknown":
        steps[0]["dependsOn"] = ["no-such-step"]
    else:
        steps.append(copy.deepcopy(steps[0]))
        steps[-1].pop("dependsOn", None)
    return _case(rs.docs)


@mutation("CF207")
def inline_credentials(draw: st.DrawFn, rs: ResourceSet) -> Case:
    s3 = [d for d in rs.of_kind("DataSet") if "s3" in d["spec"]]
    if s3:
        source = draw(st.sampled_from(s3))["spec"]["s3"]
    else:
        source = {"endpoint": "https://s3.example.com", "bucket": "b"}
        rs.docs.append(_doc("DataSet", _meta("leaky", None), {"s3": source}))
    source[draw(st.sampled_from(["secretAccessKey", "accessKeyID", "password"]))] = "hunter2"
    return _case(rs.docs)


@mutation("CF401", "CF402")
def size_policy(draw: st.DrawFn, rs: ResourceSet) -> Case:
    configs = rs.of_kind("RunSizeConfiguration")
    if configs and draw(st.booleans()):
        original = draw(st.sampled_from(configs))
        original["spec"].pop("namespaces", None)  # it applies everywhere, and so does its twin
        original["spec"]["priority"] = -1000  # below every other: it is the one that applies
        twin = copy.deepcopy(original)
        twin["metadata"]["name"] = "twin-policy"
        rs.docs.append(twin)  # the same priority, applicable to every Run: CF402
    else:
        rs.docs.append(_doc("RunSizeConfiguration", _meta("tiny-only", None), {
            "priority": -100, "config": {"xxs": {"workers": 1, "cpu": "1", "memory": "1Gi"}}}))
        for run in rs.of_kind("Run"):
            run["spec"]["size"] = "xxl"  # missing from the configuration that wins: CF401
    return _case(rs.docs)


@mutation("CF404", "CF203")
def bad_mount_path(draw: st.DrawFn, rs: ResourceSet) -> Case:
    app = draw(st.sampled_from(_non_workflow_apps(rs)))
    ns = app["metadata"].get("namespace")
    rs.docs.append(_doc("DataSet", _meta("mounted-twice", ns), {"pvc": {"claimName": "c"}}))
    path = draw(st.sampled_from([*RESERVED_PATHS, "same"]))
    inputs = app["spec"].setdefault("inputs", [])
    if path == "same":
        rs.docs.append(_doc("DataSet", _meta("mounted-too", ns), {"pvc": {"claimName": "d"}}))
        inputs += [{"dataset": "mounted-twice", "mountPath": "/data/same"},
                   {"dataset": "mounted-too", "mountPath": "/data/same"}]
    else:
        inputs.append({"dataset": "mounted-twice", "mountPath": path})
    return _case(rs.docs)


@mutation("CF104")
def unknown_kind(draw: st.DrawFn, rs: ResourceSet) -> Case:
    doc = _pick(draw, rs, "Application", "Run", "DataSet", "Image")
    if draw(st.booleans()):
        doc["kind"] = draw(st.sampled_from(["Aplication", "Job", "ConfigMap", "run"]))
    else:
        doc["apiVersion"] = draw(st.sampled_from(["v1", "codeflare.dev/v1", "batch/v1"]))
    return _case(rs.docs)


@mutation("CF206")
def namespaced_cluster_kind(draw: st.DrawFn, rs: ResourceSet) -> Case:
    docs = rs.of_kind("RunSizeConfiguration") + rs.of_kind("Platform")
    if not docs:
        docs = [_doc("Platform", _meta("p", None), {})]
        rs.docs.insert(0, docs[0])
    draw(st.sampled_from(docs))["metadata"]["namespace"] = "default"
    return _case(rs.docs)


@mutation("CF203")
def archetype_field(draw: st.DrawFn, rs: ResourceSet) -> Case:
    options: list[Callable[[], None]] = []
    for app in _non_workflow_apps(rs):
        if app["spec"]["api"] != "workqueue":
            options.append(lambda app=app: app["spec"].__setitem__("tasks", ["a"]))
        options.append(lambda app=app: app["spec"].__setitem__("steps", [
            {"name": "s", "application": "x"}]))
    for run in rs.of_kind("Run"):
        options.append(lambda run=run: run["spec"].__setitem__("tasks", ["t"]))
    draw(st.sampled_from(options))()
    # a Run's tasks are only wrong when its Application is not a workqueue
    if not any(_tasks_misplaced(rs, run) for run in rs.of_kind("Run")) and not any(
            ("tasks" in a["spec"] and a["spec"]["api"] != "workqueue")
            or ("steps" in a["spec"] and a["spec"]["api"] != "workflow")
            for a in rs.of_kind("Application")):
        apps = _non_workflow_apps(rs)
        apps[0]["spec"]["steps"] = [{"name": "s", "application": "x"}]
    return _case(rs.docs)


def _tasks_misplaced(rs: ResourceSet, run: Doc) -> bool:
    if "tasks" not in run["spec"]:
        return False
    ref = run["spec"]["application"]
    name = ref if isinstance(ref, str) else ref["name"]
    return any(a["metadata"]["name"] == name and a["spec"]["api"] != "workqueue"
               for a in rs.of_kind("Application"))


@mutation("CF101")
def yaml_syntax(draw: st.DrawFn, rs: ResourceSet) -> Case:
    text = dump_stream(rs.docs)
    lines = text.splitlines(keepends=True)
    i = draw(st.integers(1, len(lines) - 1))
    breakage = draw(st.sampled_from(["tab", "bracket", "indent", "quote", "colon"]))
    line = lines[i]
    if breakage == "tab":
        lines[i] = "\t" + line.lstrip(" ") if line.startswith(" ") else "\t" + line
    elif breakage == "bracket":
        indent = line[:len(line) - len(line.lstrip(" "))]
        lines[i] = f"{indent}broken: [unclosed\n"
    elif breakage == "indent":
        lines.insert(i, "   misplaced: [1, 2\n")
    elif breakage == "quote":
        indent = line[:len(line) - len(line.lstrip(" "))]
        lines[i] = f'{indent}broken: "quoted" tail\n'
    else:
        lines.insert(i, "key: value: other\n")
    return Case({"input.yaml": "".join(lines)}, "", frozenset())


@mutation("CF101")
def not_utf8(draw: st.DrawFn, rs: ResourceSet) -> Case:
    raw = dump_stream(rs.docs).encode()
    at = draw(st.integers(0, len(raw)))
    bad = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80abc"]))
    return Case({"input.yaml": raw[:at] + bad + raw[at:]}, "", frozenset())


@mutation("CF203", "CF512", "CF421")
def workflow_misuse(draw: st.DrawFn, rs: ResourceSet) -> Case:
    apps = _non_workflow_apps(rs)
    flows = [a for a in rs.of_kind("Application") if a["spec"]["api"] == "workflow"]
    if flows and draw(st.booleans()):
        flows[0]["spec"]["image"] = "python:3.12"  # a pod field on a workflow: CF512
        return _case(rs.docs)
    ns = apps[0]["metadata"].get("namespace")
    inner = _doc("Application", _meta("inner-flow", ns), {"api": "workflow", "steps": [
        {"name": "one", "application": apps[0]["metadata"]["name"]}]})
    outer = _doc("Application", _meta("outer-flow", ns), {"api": "workflow", "steps": [
        {"name": "nested", "application": "inner-flow"}]})
    run = _doc("Run", _meta("nested-run", ns), {"application": "outer-flow"})
    rs.docs += [inner, outer, run]
    return _case(rs.docs)



@mutation("CF304")
def step_named_like_a_run(draw: st.DrawFn, rs: ResourceSet) -> Case:
    """A Run named `<run>-<step>`: its objects would take the names of a workflow step's."""
    apps = _non_workflow_apps(rs)
    app = apps[0]
    ns = app["metadata"].get("namespace")
    flow = _doc("Application", _meta("pipeline-x", ns), {"api": "workflow", "steps": [
        {"name": "train", "application": app["metadata"]["name"]}]})
    rs.docs += [flow, _doc("Run", _meta("nightly-x", ns), {"application": "pipeline-x"}),
                _doc("Run", _meta("nightly-x-train", ns),
                     {"application": app["metadata"]["name"]})]
    return _case(rs.docs)


@mutation("CF407", "CF408")
def bad_code(draw: st.DrawFn, rs: ResourceSet) -> Case:
    app = draw(st.sampled_from(_non_workflow_apps(rs)))
    if draw(st.booleans()):
        app["spec"]["repo"] = draw(st.sampled_from([
            "git@github.com:org/repo.git", "ftp://host/a/b", "https://host/only",
            "http://github.com/org/repo", "https://bot:t0ken@github.com/org/repo"]))
    else:
        app["spec"]["code"] = [{"name": draw(st.sampled_from(["/etc/passwd", "../up.py", "."])),
                                "source": "x"}]
    return _case(rs.docs)


@st.composite
def invalid_cases(draw: st.DrawFn) -> Case:
    rs = draw(valid_sets(max_runs=2))
    name = draw(st.sampled_from(sorted(MUTATIONS)))
    return MUTATIONS[name](draw, rs)
