"""`explain`: every decision the compiler took for a Run, and where it came from.

The report is built as plain data (for `--format json`) from what the passes recorded in each
`RunPlan`, then rendered as text for people.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from codeflare_compile.backends import GANGS, QUEUEINGS
from codeflare_compile.diagnostics import Span
from codeflare_compile.ir import Program, ResolvedInput, RunPlan
from codeflare_compile.pipeline import Compilation
from codeflare_compile.validate.kinds import gvk_of, wrapped_objects


def explain(result: Compilation, run: str | None = None) -> list[dict[str, Any]]:
    """One record per compiled Run (only `run`, by name, when given); a workflow's record holds
    one record per step, in the order the steps are written. A step is found by its own name
    too (`<workflow>-<step>`)."""
    program = result.program
    records = []
    for out in result.runs:
        if run is not None and out.plan.name != run:
            continue
        record = _record(out.plan, out.objects, program)
        if out.plan.archetype == "workflow":
            record["steps"] = [_step(step, out.objects, program) for step in result.plans
                               if step.step is not None and step.step.workflow == out.plan.name
                               and step.namespace == out.plan.namespace]
        records.append(record)
    if run is not None and not records:
        records = [step for record in explain(result) for step in record.get("steps", [])
                   if step["run"]["name"] == run]
    return records


def _step(plan: RunPlan, objects: list[dict[str, Any]], program: Program) -> dict[str, Any]:
    """A workflow step's record: as a Run's, its objects being the Workflow templates that
    create them."""
    assert plan.step is not None
    workflow = next(o for o in objects if o["kind"] == "Workflow")
    record = _record(plan, [], program)
    record["step"] = {"name": plan.step.name, "dependsOn": list(plan.step.depends_on)}
    record["objects"] = list(_templates(workflow, 0, plan.step.name))
    return record


def _where(span: Span | None) -> str | None:
    return str(span) if span else None


def _record(plan: RunPlan, objects: list[dict[str, Any]], program: Program) -> dict[str, Any]:
    """What was decided for a Run; `size` and `image` are None for a workflow (no pods of its
    own: each step has its own)."""
    target = program.target
    pods = plan.decision is not None
    return {
        "run": {"name": plan.name, "namespace": plan.namespace,
                "source": _where(plan.run.key_span("metadata", "name"))},
        "application": {"name": plan.app.name, "namespace": plan.app.namespace,
                        "archetype": plan.archetype,
                        "source": _where(plan.app.key_span("metadata", "name"))},
        "size": _size(plan) if pods else None,
        "image": _image(plan) if pods else None,
        "priority": {"level": plan.priority_level, "priorityClassName": plan.priority_class}
        if plan.priority_level else None,
        "datasets": [_dataset(item, target.datasets) for item in plan.inputs],
        "code": {"repo": plan.app.model.spec.repo, "files": [p for p, _ in plan.code.files],
                 "workingDir": plan.code.workdir} if plan.code else None,
        "target": {"queueing": target.queueing, "queue": plan.queue,
                   "queuedByKueueDirectly":
                       plan.archetype in QUEUEINGS[target.queueing].kueue_direct,
                   "gangScheduling": target.gang,
                   "schedulerName": target.scheduler_name
                   if GANGS[target.gang].uses_scheduler_name else None},
        "objects": list(_objects(objects)),
    }


def _size(plan: RunPlan) -> dict[str, Any]:
    decision = plan.decision
    assert decision is not None
    return {
        "requested": decision.requested,
        "requestedFrom": decision.requested_from,
        "minSize": decision.min_size,
        "size": decision.size,
        "configuration": decision.config,
        "configurationSource": _where(decision.config_span),
        "passedOver": [{"name": n, "source": str(s), "reason": r}
                       for n, s, r in decision.passed_over],
        "perPod": {"cpu": plan.pod.cpu, "memory": plan.pod.memory, "gpu": plan.pod.gpu},
        "gpuRule": {"application": decision.app_supports_gpu,
                    "run": decision.run_supports_gpu, "sizeGpu": decision.size_gpu,
                    "result": plan.pod.gpu},
        "workers": plan.pod.workers,
        "workersFrom": decision.workers_from,
        "rayHead": _head(plan) if plan.archetype == "ray" else None,
    }


def _head(plan: RunPlan) -> dict[str, Any]:
    """The Ray head's pod: its own size, or a worker's."""
    assert plan.decision is not None
    head = plan.pod.head or plan.pod
    return {"cpu": head.cpu, "memory": head.memory, "gpu": head.gpu,
            "from": plan.decision.head_from}


def _image(plan: RunPlan) -> dict[str, Any]:
    image = plan.image_from
    if image is not None:
        origin = f"Image '{image.name}' ({image.key_span('metadata', 'name')})"
        pinned = image.model.spec.digest is not None
    else:
        origin, pinned = "Application spec.image", "@sha256:" in plan.image
    return {"reference": plan.image, "from": origin, "pinnedByDigest": pinned,
            "pullSecrets": list(plan.image_pull_secrets)}


def _dataset(item: ResolvedInput, backend: str) -> dict[str, Any]:
    spec = item.dataset.model.spec
    kind = "s3" if spec.s3 else "nfs" if spec.nfs else "pvc"
    if kind == "pvc":
        how = f"volume from claim {spec.pvc.claim_name if spec.pvc else ''} (any backend)"
    elif backend == "datashim":
        how = "Datashim Dataset and pod labels"
    else:
        how = "environment from the Secret" if item.use_as == "env" else "volume"
    return {"dataset": item.dataset.name, "source": str(item.dataset.key_span("metadata",
                                                                               "name")),
            "kind": kind, "useAs": item.use_as,
            "mountPath": item.mount_path if item.use_as == "mount" else None,
            "backend": backend, "as": how}


def _objects(objects: list[dict[str, Any]], depth: int = 0) -> Iterator[str]:
    """`Kind namespace/name`, the objects a wrapper carries indented under it: a queueing
    target's wrapper, or a Workflow (each resource template, and what it creates), opened as
    the validator opens them."""
    for obj in objects:
        meta = obj.get("metadata", {})
        yield f"{'  ' * depth}{obj['kind']} {meta.get('namespace', '')}/{meta.get('name', '')}"
        if obj["kind"] == "Workflow":
            yield from _templates(obj, depth + 1)
        else:
            yield from _objects([w.template for w in wrapped_objects(gvk_of(obj), obj)],
                                depth + 1)


def _templates(workflow: dict[str, Any], depth: int, step: str | None = None) -> Iterator[str]:
    """What each resource template of a Workflow creates (only a step's, when `step` is
    given: its own template and those of its other objects, `<step>--…`)."""
    templates = workflow["spec"]["templates"]
    for created in wrapped_objects(gvk_of(workflow), workflow):
        name = templates[created.path[2]]["name"]
        if step is None or name == step or name.startswith(f"{step}--"):
            yield f"{'  ' * depth}template {name} creates"
            yield from _objects([created.template], depth + 1)


def render_json(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, indent=2) + "\n"


def render_text(records: list[dict[str, Any]]) -> str:
    return "\n".join("\n".join(_text(r)) + "\n" for r in records)


def _text(r: dict[str, Any]) -> list[str]:
    """A record's lines; a workflow's steps follow it, each indented under a `step` line."""
    if "step" in r:
        after = ", ".join(r["step"]["dependsOn"]) or "nothing"
        head = f"step {r['step']['name']} ({r['run']['name']}, after {after})"
    else:
        head = f"Run {r['run']['namespace']}/{r['run']['name']} ({r['run']['source']})"
    lines = [
        head,
        f"  application  {r['application']['name']} ({r['application']['source']}), "
        f"archetype {r['application']['archetype']}",
    ]
    if r["size"] is not None:
        lines += _size_lines(r["size"])
    if r["image"] is not None:
        image = r["image"]
        lines.append(f"  image        {image['reference']} (from {image['from']}"
                     + (", pinned by digest)" if image["pinnedByDigest"] else ", not pinned)"))
        if image["pullSecrets"]:
            lines.append(f"  pull secrets {', '.join(image['pullSecrets'])}")
    if r["priority"]:
        lines.append(f"  priority     {r['priority']['level']} → PriorityClass "
                     f"{r['priority']['priorityClassName']}")
    for d in r["datasets"]:
        where = f" at {d['mountPath']}" if d["mountPath"] else " as environment"
        lines.append(f"  dataset      {d['dataset']} ({d['kind']}, {d['source']}){where}: "
                     f"{d['as']}")
    if r["code"]:
        lines.append(f"  code         {r['code']['repo'] or 'inline files'} in "
                     f"{r['code']['workingDir']}")
    t = r["target"]
    direct = QUEUEINGS[t["queueing"]].kueue_direct.get(r["application"]["archetype"])
    lines.append(f"  queueing     {t['queueing']}" + (f", queue {t['queue']}" if t["queue"]
                                                      else "")
                 + (f" ({direct})" if direct else ""))
    lines.append(f"  gang         {t['gangScheduling']}" + (
        f" (schedulerName {t['schedulerName']})" if t["schedulerName"] else ""))
    lines.append("  objects")
    lines += [f"    {o}" for o in r["objects"]]
    for step in r.get("steps", []):
        lines += [f"  {line}" for line in _text(step)]
    return lines


def _size_lines(size: dict[str, Any]) -> list[str]:
    gpu, per_pod = size["gpuRule"], size["perPod"]
    lines = [
        f"  size         asked for {size['requested']} ({size['requestedFrom']})"
        + (f", raised to {size['size']} by minSize" if size["size"] != size["requested"]
           else "")
        + (f" (minSize {size['minSize']})" if size["minSize"] and size["size"] ==
           size["requested"] else ""),
        f"  sized by     {size['configuration']}"
        + (f" ({size['configurationSource']})" if size["configurationSource"] else ""),
    ]
    lines += [f"  passed over  {p['name']} ({p['source']}): {p['reason']}"
              for p in size["passedOver"]]
    lines += [
        f"  per pod      cpu {per_pod['cpu']}, memory {per_pod['memory']}, gpu {per_pod['gpu']}",
        f"  gpu rule     Application supportsGpu={str(gpu['application']).lower()}, Run "
        f"supportsGpu={str(gpu['run']).lower()}, size gives {gpu['sizeGpu']} → {gpu['result']}",
        f"  workers      {size['workers']} (from {size['workersFrom']})",
        *([f"  ray head     cpu {h['cpu']}, memory {h['memory']}, gpu {h['gpu']} ({h['from']})"]
          if (h := size["rayHead"]) else []),
    ]
    return lines
