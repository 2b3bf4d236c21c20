"""The cross-cutting passes change a pod through `PodTemplate`: what they add for the program goes
to the container its pod set names as the main one, wherever it sits among the containers."""

from __future__ import annotations

from codeflare_compile.diagnostics import Diagnostics
from codeflare_compile.pipeline import TARGET_PASSES
from tests.build_inputs import app, run
from tests.lowering import lower_plan, planned

PLATFORM = ("apiVersion: codeflare.dev/v1alpha1\nkind: Platform\nmetadata:\n  name: p\n"
            "spec:\n  logging: fluentbit\n  datasets: native\n---\n")
DATASET = ("apiVersion: codeflare.dev/v1alpha1\nkind: DataSet\nmetadata:\n  name: d\nspec:\n"
           "  pvc: {claimName: c}\n---\n")
APP = app(extra="  code: [{name: main.py, source: 'print(1)'}]\n  inputs: [{dataset: d}]\n"
              "  securityContext: {allowPrivilegeEscalation: true}\n").replace(
    "api: ray", "api: shell")
HELPER = {"name": "helper", "image": "helper:1", "securityContext": {}}


def test_the_main_container_need_not_be_the_first() -> None:
    plan, prog = planned(PLATFORM + DATASET + APP + run())
    low = lower_plan(plan, prog)
    (template,) = low.templates()
    assert template.pod_set.main == "shell"
    template.spec["containers"].insert(0, dict(HELPER))  # an archetype with a helper first
    diags = Diagnostics()
    for _, apply in TARGET_PASSES:
        low = apply(low, prog.target, diags)
    assert not diags.items
    helper, main, *_ = low.pod_templates()[0]["spec"]["containers"]
    assert helper == HELPER  # untouched
    assert [m["name"] for m in main["volumeMounts"]] == ["workspace", "code", "data-0",
                                                        "run-logs"]
    assert {"name": "CODEFLARE_LOG_DIR", "value": "/var/log/codeflare"} in main["env"]
    assert main["securityContext"]["allowPrivilegeEscalation"] is True


def test_additions_follow_what_the_lowering_wrote() -> None:
    plan, prog = planned(PLATFORM + DATASET + APP + run())
    low = lower_plan(plan, prog, through="log_sidecar")
    spec = low.pod_templates()[0]["spec"]
    assert [v["name"] for v in spec["volumes"]] == ["workspace", "code", "data-0", "run-logs",
                                                   "fluent-bit-config"]
    assert [c["name"] for c in spec["initContainers"]] == ["fluent-bit"]
    assert spec["initContainers"][0]["restartPolicy"] == "Always"  # a native sidecar
